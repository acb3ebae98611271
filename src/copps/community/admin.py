"""Admin for services (with their questions), service requests and third-party API keys.

Reads of requests (their reporters) and of API keys (their contacts) are audited, fail closed."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import models

from copps.accounts.admin_audit import AuditedReadsAdmin
from copps.community.models import ApiKey, ReplyTemplate, Service, ServiceAttribute, ServiceRequest, StateChange
from copps.community.states import State, TransitionError, advance


class ServiceAttributeInline(admin.TabularInline):
    model = ServiceAttribute
    extra = 0
    fields = ("order", "code", "description", "datatype", "required", "variable", "datatype_description", "values")


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("service_code", "name", "group", "type", "agency_responsible", "active")
    list_filter = ("type", "group", "active")
    search_fields = ("service_code", "name", "keywords")
    inlines = [ServiceAttributeInline]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    """The replies staff pick in triage, in English and Spanish: the department's own words,
    nothing personal."""

    list_display = ("name", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("name", "body_en", "body_es")


class StateChangeInline(admin.TabularInline):
    model = StateChange
    extra = 0
    fields = ("at", "from_state", "to_state", "notes", "user")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(AuditedReadsAdmin, admin.ModelAdmin):
    audit_object_type = "service_request"  # the reporter's name and contacts, the exact address
    list_display = ("public_id", "service", "state", "requested_at", "block_address", "beat", "public")
    list_filter = ("state", "service", "public", "source")
    list_select_related = ("service", "beat")
    search_fields = ("public_id", "description", "block_address")
    date_hierarchy = "requested_at"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # A link typed without a scheme (media.example.org/x.jpg) means https, not http.
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)
    raw_id_fields = ("beat", "district", "api_key")
    # State changes go through copps.community.states.advance (the staff triage pages), so that
    # each one is checked and recorded; the admin shows them but does not edit them.
    readonly_fields = ("state", "updated_at", "requested_at", "source", "raw")
    inlines = [StateChangeInline]
    actions = ["acknowledge", "start_work", "close_fixed"]

    def _advance(self, request, queryset, to: str) -> None:
        moved, refused = 0, []
        for sr in queryset.select_related("service"):
            try:
                advance(sr, to, user=request.user, http_request=request)
                moved += 1
            except TransitionError as exc:
                refused.append(f"{sr.public_id}: {exc}")
        if moved:
            self.message_user(request, f"{moved} request(s) now {State(to).label.lower()}.", messages.SUCCESS)
        if refused:
            self.message_user(request, "Not changed: " + "; ".join(refused[:10]), messages.WARNING)

    @admin.action(description="Acknowledge the selected requests")
    def acknowledge(self, request, queryset):
        self._advance(request, queryset, State.ACKNOWLEDGED)

    @admin.action(description="Mark the selected requests in progress")
    def start_work(self, request, queryset):
        self._advance(request, queryset, State.IN_PROGRESS)

    @admin.action(description="Close the selected requests as fixed")
    def close_fixed(self, request, queryset):
        self._advance(request, queryset, State.CLOSED_FIXED)


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedReadsAdmin, admin.ModelAdmin):
    audit_object_type = "api_key"  # the contact of a third-party developer
    list_display = ("name", "prefix", "active", "created_at", "last_used_at")
    list_filter = ("active",)
    search_fields = ("name", "prefix", "contact")
    fields = ("name", "contact", "active", "prefix", "created_at", "last_used_at")
    readonly_fields = ("prefix", "created_at", "last_used_at")

    def save_model(self, request, obj, form, change):
        if not change:
            raw = obj.set_new_key()
            super().save_model(request, obj, form, change)
            # The only time the key is readable: only its hash is stored.
            messages.warning(request, f"API key for {obj.name}: {raw} — copy it now, it will not be shown again.")
            return
        super().save_model(request, obj, form, change)
