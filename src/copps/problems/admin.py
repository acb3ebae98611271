"""Configuration of the workspace in the Django admin: the partner registry, and problems and
candidates for correcting mistakes (day-to-day work happens in the workspace pages, audited).

A problem's stage moves only through the gated workflow (a checklist met, a supervisor's
approval), so the admin shows it read-only; every admin save or deletion of a problem is audited
like a change in the workspace, and every admin read of a problem, a candidate or a partner (its
contacts) like a read there."""

from django.contrib import admin

from copps.accounts import audit
from copps.accounts.admin_audit import AuditedReadsAdmin
from copps.problems.changes import record_change
from copps.problems.models import Candidate, Partner, Problem


@admin.register(Partner)
class PartnerAdmin(AuditedReadsAdmin, admin.ModelAdmin):
    list_display = ("name", "kind", "role", "contact_name", "active")
    list_filter = ("kind", "role", "active")
    search_fields = ("name", "contact_name")


@admin.register(Problem)
class ProblemAdmin(AuditedReadsAdmin, admin.ModelAdmin):
    list_display = ("title", "stage", "problem_type", "owner", "opened_at")
    list_filter = ("stage", "problem_type")
    search_fields = ("title",)
    raw_id_fields = ("owner", "created_by")
    filter_horizontal = ("officers", "areas", "categories")
    # the stage and its dates belong to the workflow (views/stages.py), never to a form field
    readonly_fields = ("stage", "stage_entered_at", "closed_at")

    def save_related(self, request, form, formsets, change):
        # after the many-to-many fields are saved, so the audit row sees the areas and officers;
        # the admin wraps the whole save in one transaction
        super().save_related(request, form, formsets, change)
        problem = form.instance
        fields = list(form.changed_data)
        params = {
            "fields": fields,
            "via": "admin",
            "owner": problem.owner_id,
            "officers": sorted(problem.officers.values_list("pk", flat=True)),
            "areas": sorted(problem.areas.values_list("pk", flat=True)),
        }
        if change:
            text = f"Edited in the admin: {', '.join(fields) or 'nothing changed'}"
            record_change(request, problem, "admin_edit", text, params)
        else:
            record_change(request, problem, "admin_create", f"Problem opened in the admin: {problem.title}", params)

    def delete_model(self, request, obj):
        self._audit_deletion(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._audit_deletion(request, list(queryset))
        super().delete_queryset(request, queryset)

    @staticmethod
    def _audit_deletion(request, problems) -> None:
        # the problem's activity log goes with it, so the audit row is the only trace
        for problem in problems:
            audit.record(
                "problem.admin_delete",
                request=request,
                object_type="problem",
                object_id=problem.pk,
                params={"title": problem.title, "stage": problem.stage},
            )


@admin.register(Candidate)
class CandidateAdmin(AuditedReadsAdmin, admin.ModelAdmin):
    list_display = ("title", "kind", "status", "score", "last_seen")
    list_filter = ("kind", "status")
    readonly_fields = ("evidence", "parameters", "geometry")
