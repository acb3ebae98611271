"""Configuration of the workspace in the Django admin: the partner registry, and problems and
candidates for correcting mistakes (day-to-day work happens in the workspace pages, audited)."""

from django.contrib import admin

from copps.problems.models import Candidate, Partner, Problem


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "role", "contact_name", "active")
    list_filter = ("kind", "role", "active")
    search_fields = ("name", "contact_name")


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ("title", "stage", "problem_type", "owner", "opened_at")
    list_filter = ("stage", "problem_type")
    search_fields = ("title",)
    raw_id_fields = ("owner", "created_by")
    filter_horizontal = ("officers", "areas", "categories")


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "status", "score", "last_seen")
    list_filter = ("kind", "status")
    readonly_fields = ("evidence", "parameters", "geometry")
