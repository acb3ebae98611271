"""Admin for engagement: beat assignments are managed here; the rest is also on staff pages.

Reads of watch groups (their members), beat assignments and subscriptions (e-mail addresses) are
audited, fail closed."""

from django.contrib import admin

from copps.accounts.admin_audit import AuditedReadsAdmin
from copps.community.engagement.models import (
    BeatAssignment,
    Meeting,
    Question,
    Subscription,
    Survey,
    WatchGroup,
    WatchMember,
)


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 1


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "opens_on", "closes_on", "published"]
    filter_horizontal = ["areas"]
    inlines = [QuestionInline]


class MemberInline(admin.TabularInline):
    model = WatchMember
    extra = 1


@admin.register(WatchGroup)
class WatchGroupAdmin(AuditedReadsAdmin, admin.ModelAdmin):
    audit_object_type = "watch_group"  # its page lists the members' names and phones
    list_display = ["name", "kind", "area", "active"]
    list_filter = ["kind", "active"]
    inlines = [MemberInline]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "area", "place", "starts_at", "public", "cancelled"]
    list_filter = ["public", "cancelled"]


@admin.register(BeatAssignment)
class BeatAssignmentAdmin(AuditedReadsAdmin, admin.ModelAdmin):
    audit_object_type = "beat_assignment"  # officers' work contacts
    list_display = ["display_name", "beat", "role", "work_contact", "active"]
    list_filter = ["active"]
    autocomplete_fields = []
    raw_id_fields = ["officer"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "beat":
            from copps.incidents.models import Area

            kwargs["queryset"] = Area.objects.filter(type=Area.Type.BEAT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Subscription)
class SubscriptionAdmin(AuditedReadsAdmin, admin.ModelAdmin):
    audit_object_type = "subscription"  # residents' e-mail addresses
    list_display = ["email", "kind", "area", "radius_m", "frequency", "confirmed_at", "unsubscribed_at"]
    readonly_fields = ["created_at", "confirmed_at", "unsubscribed_at", "last_sent_at"]
    raw_id_fields = ["request"]
