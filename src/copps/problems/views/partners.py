"""The partner registry: city departments, landlords, businesses, schools, watch groups."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render

from copps.accounts import audit
from copps.accounts.permissions import staff_required
from copps.problems.forms import PartnerForm
from copps.problems.models import Partner

__all__ = ["partner_list", "partner_edit"]


@staff_required
def partner_list(request):
    partners = Partner.objects.all()
    if not request.GET.get("all"):
        partners = partners.filter(active=True)
    return render(request, "problems/partner_list.html", {"partners": partners})


@staff_required
def partner_edit(request, pk: int | None = None):
    partner = get_object_or_404(Partner, pk=pk) if pk else None
    form = PartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            partner = form.save()
            audit.record(
                "partner.edit" if pk else "partner.create",
                request=request,
                object_type="partner",
                object_id=partner.pk,
                params={"fields": form.changed_data},
            )
        return redirect("problems:partners")
    return render(request, "problems/partner_form.html", {"form": form, "partner": partner})
