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


def _find(model, ref: str):
    """A request or tip by its number or its public id, or None."""
    found = model.objects.filter(pk=int(ref)).first() if ref.isdigit() else None
    return found or model.objects.filter(public_id=ref).first()


def _link(request, problem: Problem, form, ref_field: str, model, link_model, link_field: str, what: str, describe):
    """Link one community record to ``problem`` (once), logging only its number and ``describe``."""
    if not form.is_valid():
        messages.error(request, "Not linked: " + " ".join(e for errs in form.errors.values() for e in errs))
        return _back(request, problem)
    ref = form.cleaned_data[ref_field]
    obj = _find(model, ref)
    if obj is None:
        messages.error(request, f"Not linked: no {what} {ref}.")
        return _back(request, problem)
    with transaction.atomic():
        _, created = link_model.objects.get_or_create(
            problem=problem,
            **{link_field: obj},
            defaults={"added_by": request.user, "note": form.cleaned_data["note"]},
        )
        if created:
            record_change(request, problem, f"{link_field}.link", describe(obj), {link_field: obj.pk})
    messages.success(
        request,
        f"{what.split()[-1].capitalize()} linked." if created else f"That {what.split()[-1]} was linked already.",
    )
    return _back(request, problem)


@require_POST
@problem_view(work=True)
def link_request(request, problem: Problem):
    return _link(
        request,
        problem,
        RequestLinkForm(request.POST),
        "request_id",
        ServiceRequest,
        RequestLink,
        "request",
        "community request",
        lambda sr: f"Community request {sr.pk} linked ({sr.service.name})",
    )


@require_POST
@problem_view(work=True)
def link_tip(request, problem: Problem):
    # the tip's text is not copied: only its number and topic go into the problem's log
    return _link(
        request,
        problem,
        TipLinkForm(request.POST),
        "tip_id",
        Tip,
        TipLink,
        "tip",
        "tip",
        lambda tip: f"Anonymous tip {tip.pk} linked ({tip.get_topic_display()})",
    )
