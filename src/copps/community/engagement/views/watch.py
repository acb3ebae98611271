"""Watch groups for the public: which groups there are, and asking to join one (double opt-in).

The pages show a group's name, kind, area and how many members it has, never who they are:
the list reads those columns alone, so no member row reaches a template."""

from __future__ import annotations

from django.db.models import Count, F
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from copps.accounts.ratelimit import rate_limited
from copps.community.engagement import joining
from copps.community.engagement.forms import WatchJoinForm
from copps.community.engagement.models import WatchGroup

# The model's labels are for staff (English); these are the public page's, translated.
KIND_LABELS = {
    WatchGroup.Kind.NEIGHBOURHOOD: _("Neighbourhood watch"),
    WatchGroup.Kind.BUSINESS: _("Business watch"),
}


def _form(pk: int, data=None) -> WatchJoinForm:
    # one form per group on the list page: ids carry the group so that labels stay unique
    return WatchJoinForm(data, auto_id=f"join{pk}_%s")


@require_GET
def watch_groups(request: HttpRequest):
    groups = list(
        WatchGroup.objects.filter(active=True)
        .values("pk", "name", "kind")
        .annotate(area_name=F("area__name"), n_members=Count("members"))
        .order_by("area_name", "name")
    )
    for g in groups:
        g["kind_label"] = KIND_LABELS.get(g["kind"], g["kind"])
        g["form"] = _form(g["pk"])
    return render(request, "engagement/watch_groups.html", {"groups": groups})


@require_http_methods(["GET", "POST"])
@rate_limited("watch_join", per_minute=5, methods=["POST"])
def watch_join(request: HttpRequest, pk: int):
    group = get_object_or_404(WatchGroup.objects.select_related("area"), pk=pk, active=True)
    form = _form(group.pk, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        joining.ask(
            group,
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            block=data["block"],
            language=(get_language() or "en")[:2],
        )
        # The same page whether the address was mailed, is a member already or has asked before.
        context = {"group": group, "email": data["email"], "days": joining.CONFIRM_DAYS}
        return render(request, "engagement/watch_join_sent.html", context)
    context = {"group": group, "kind_label": KIND_LABELS.get(group.kind, group.kind), "form": form}
    return render(request, "engagement/watch_join.html", context, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def watch_confirm(request: HttpRequest, token: str):
    """GET shows a button; POST confirms. Mail scanners that follow links do not confirm."""
    join = joining.from_link(token)
    if join is None:
        return render(request, "engagement/watch_join_link.html", {"invalid": True}, status=404)
    if request.method == "POST":
        joining.confirm(join)
    done = join.status != join.Status.PENDING
    return render(request, "engagement/watch_join_link.html", {"group_name": join.group.name, "done": done})
