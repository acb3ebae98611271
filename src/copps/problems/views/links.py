"""Linking community evidence to a problem: a service request (``RequestLink``) or an anonymous tip
(``TipLink``).

Both take a POST from the problem's page or from a staff triage page (which passes ``next`` to
come back to). Only users who may work on the problem link to it; every link is audited and logged.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from copps.community.models import ServiceRequest, Tip
from copps.problems.changes import record_change
from copps.problems.forms import RequestLinkForm, TipLinkForm
from copps.problems.models import Problem, RequestLink, TipLink
from copps.problems.views.common import problem_view

__all__ = ["link_request", "link_tip"]


def _back(request, problem: Problem):
    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(nxt)
    return redirect(reverse("problems:detail", args=[problem.pk]) + "#scanning")


@require_POST
@problem_view(work=True)
def link_request(request, problem: Problem):
    form = RequestLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not linked: " + " ".join(e for errs in form.errors.values() for e in errs))
        return _back(request, problem)
    ref = form.cleaned_data["request_id"]
    sr = ServiceRequest.objects.filter(pk=int(ref)).first() if ref.isdigit() else None
    sr = sr or ServiceRequest.objects.filter(public_id=ref).first()
    if sr is None:
        messages.error(request, f"Not linked: no community request {ref}.")
        return _back(request, problem)
    with transaction.atomic():
        link, created = RequestLink.objects.get_or_create(
            problem=problem, request=sr, defaults={"added_by": request.user, "note": form.cleaned_data["note"]}
        )
        if created:
            record_change(
                request,
                problem,
                "request.link",
                f"Community request {sr.pk} linked ({sr.service.name})",
                {"request": sr.pk},
            )
    messages.success(request, "Request linked." if created else "That request was linked already.")
    return _back(request, problem)


@require_POST
@problem_view(work=True)
def link_tip(request, problem: Problem):
    form = TipLinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not linked: " + " ".join(e for errs in form.errors.values() for e in errs))
        return _back(request, problem)
    ref = form.cleaned_data["tip_id"]
    tip = Tip.objects.filter(pk=int(ref)).first() if ref.isdigit() else None
    tip = tip or Tip.objects.filter(public_id=ref).first()
    if tip is None:
        messages.error(request, f"Not linked: no tip {ref}.")
        return _back(request, problem)
    with transaction.atomic():
        link, created = TipLink.objects.get_or_create(
            problem=problem, tip=tip, defaults={"added_by": request.user, "note": form.cleaned_data["note"]}
        )
        if created:
            # the tip's text is not copied: only its number and topic go into the problem's log
            record_change(
                request,
                problem,
                "tip.link",
                f"Anonymous tip {tip.pk} linked ({tip.get_topic_display()})",
                {"tip": tip.pk},
            )
    messages.success(request, "Tip linked." if created else "That tip was linked already.")
    return _back(request, problem)
