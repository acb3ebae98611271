"""Configuration in the Django admin: the taxonomy's sensitivity flags, areas, feeds, import history.

Events are read-only here (imports are the one way in), and every admin read of an event (its
list and its page) is audited like a read on the staff pages (``AuditedReadsAdmin``).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin

from copps.accounts.admin_audit import AuditedReadsAdmin
from copps.incidents import sitetime
from copps.incidents.models import Area, Event, Feed, FeedRun, ImportBatch, OffenseCategory, Site


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ("name", "time_zone")

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        if value and not sitetime.is_zone(value):
            raise forms.ValidationError(
                f"{value!r} is not a known IANA time zone; write it like America/New_York or Europe/London"
            )
        return value


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    form = SiteForm
    list_display = ("name", "crs", "time_zone")
    readonly_fields = ("crs",)

    def has_add_permission(self, request):
        return not Site.objects.exists()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "time_zone" in form.changed_data:
            # the public tables hold days and months computed in the old zone until rebuilt
            self.message_user(
                request,
                f"Time zone now {obj.time_zone or settings.TIME_ZONE}: pages, scans and reports use it at once; "
                "run `copps publish-refresh` to rebuild the public pages' days and months in it.",
            )


@admin.register(OffenseCategory)
class OffenseCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "group", "nibrs_code", "sensitive")
    list_filter = ("kind", "group", "sensitive")
    list_editable = ("sensitive",)
    search_fields = ("code", "name", "nibrs_code")
    readonly_fields = ("code", "kind", "group")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "type", "parent")
    list_filter = ("type",)
    search_fields = ("name", "code")
    exclude = ("geometry",)
    readonly_fields = ("min_lon", "min_lat", "max_lon", "max_lat")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "profile", "started_at", *ImportBatch.COUNTS)
    list_filter = ("profile",)


@admin.register(Event)
class EventAdmin(AuditedReadsAdmin, ReadOnlyAdmin):
    list_display = ("occurred_from", "kind", "category", "block_address", "beat", "sensitive")
    list_filter = ("kind", "sensitive", "category")
    list_select_related = ("category", "beat")
    search_fields = ("source_id", "incident_key")
    show_full_result_count = False


RUN_FIELDS = (
    "started_at", "finished_at", "state", "attempt", "files", "records", "added", "updated", "unchanged",
    "rejected", "next_retry_at", "error",
)  # fmt: skip


class FeedRunInline(admin.TabularInline):
    model = FeedRun
    fields = RUN_FIELDS
    readonly_fields = RUN_FIELDS
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        # the newest runs only: a feed that runs every minute has thousands
        feed_id = request.resolver_match.kwargs.get("object_id")
        newest = FeedRun.objects.filter(feed_id=feed_id).values_list("id", flat=True)[:20]
        return super().get_queryset(request).filter(id__in=list(newest))


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    """Feeds are defined here or with `copps feeds add`; `copps worker` runs the due ones."""

    list_display = ("name", "kind", "location", "profile", "enabled", "interval", "next_run_at", "failures", "cursor")
    list_filter = ("kind", "enabled")
    search_fields = ("name", "location")
    readonly_fields = ("failures", "created_at")
    inlines = [FeedRunInline]
    actions = ["run_soon"]

    @admin.action(description="Run at the worker's next check (within a minute)")
    def run_soon(self, request, queryset):
        n = queryset.update(next_run_at=None)
        self.message_user(request, f"{n} feed(s) will run when a worker next checks (copps worker).")


@admin.register(FeedRun)
class FeedRunAdmin(ReadOnlyAdmin):
    list_display = ("feed", *RUN_FIELDS[:-1])
    list_filter = ("state", "feed")
    list_select_related = ("feed",)
    readonly_fields = ("feed", "cursor_before", "cursor_after", "batches", *RUN_FIELDS)
