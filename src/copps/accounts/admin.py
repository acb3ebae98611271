"""The admin for accounts: the administrator sees which staff accounts are locked and releases
them, resets a lost authenticator, and disables accounts; each of these is audited.

Creating a staff account or resetting its second factor issues a one-time enrolment code, shown
once on the page that follows: the user needs it, besides the password, to enrol an
authenticator. Copps keeps only its hash, so a lost code is replaced by resetting again.

The audit log is not in the admin: only auditors read it, at /accounts/audit/, and every read
is audited."""

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.auth.admin import UserAdmin
from django.template.response import TemplateResponse
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from copps.accounts import audit, mfa, sessions
from copps.accounts.admin_audit import AuditedReadsAdmin
from copps.accounts.models import RecoveryCode, User

# django-otp's TOTP plugin registers an admin for its devices that shows each secret key and its
# QR code: whoever holds an administrator's session could copy a staff member's second factor.
# Authenticators are managed here instead (the column below and the reset action).
admin.site.unregister(TOTPDevice)


@admin.register(User)
class CoppsUserAdmin(AuditedReadsAdmin, UserAdmin):
    audit_object_type = "user"  # names and e-mail addresses; every read is audited
    fieldsets = (*UserAdmin.fieldsets, ("copps", {"fields": ("role", "locked_at")}))
    # The role is chosen at creation, so that a staff account gets its enrolment code at once.
    add_fieldsets = (*UserAdmin.add_fieldsets, ("copps", {"fields": ("role",)}))
    readonly_fields = ("locked_at",)
    list_display = ("username", "email", "role", "is_active", "locked", "has_authenticator", "last_login")
    list_filter = ("role", "is_active", ("locked_at", admin.EmptyFieldListFilter))
    actions = ["release_lock", "reset_second_factor", "disable_accounts"]

    @admin.display(boolean=True, description="locked")
    def locked(self, obj: User) -> bool:
        return obj.locked_at is not None

    @admin.display(boolean=True, description="authenticator")
    def has_authenticator(self, obj: User) -> bool:
        return mfa.has_device(obj)

    @admin.action(description="Release the sign-in lock of the selected accounts")
    def release_lock(self, request, queryset):
        released = 0
        for user in queryset.filter(locked_at__isnull=False):
            locked_at = user.locked_at
            User.objects.filter(pk=user.pk).update(locked_at=None)
            audit.record("account.unlock", request=request, object_type="user", object_id=user.pk,
                         params={"username": user.get_username(), "locked_at": locked_at.isoformat()})
            released += 1
        self.message_user(request, f"Released {released} account(s).", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.requires_mfa:
            obj._copps_enrolment_code = mfa.issue_enrolment_code(obj, request=request)

    def response_add(self, request, obj, post_url_continue=None):
        code = getattr(obj, "_copps_enrolment_code", None)
        if code is None or IS_POPUP_VAR in request.POST:
            return super().response_add(request, obj, post_url_continue)
        return self._show_enrolment_codes(request, [(obj, code)],
                                          reverse("admin:accounts_user_change", args=[obj.pk]))

    def _show_enrolment_codes(self, request, issued: list[tuple[User, str]], next_url: str):
        """The one page that ever shows the codes (served no-store, like every admin page)."""
        return TemplateResponse(request, "accounts/enrolment_codes.html", {
            **self.admin_site.each_context(request),
            "title": "Enrolment codes", "issued": issued, "next": next_url,
            "hours": int(mfa.ENROLMENT_CODE_TTL.total_seconds() // 3600),
        })

    @admin.action(description="Reset the second factor and issue an enrolment code (ends their sessions; "
                              "the user enrols a new authenticator at next sign-in)")
    def reset_second_factor(self, request, queryset):
        issued = []
        for user in queryset:
            mfa.forget_device(user)
            RecoveryCode.objects.filter(user=user).delete()
            ended = sessions.end_all_sessions(user)  # whoever holds the lost phone is signed out
            audit.record("mfa.reset", request=request, object_type="user", object_id=user.pk,
                         params={"username": user.get_username(), "sessions_ended": ended})
            issued.append((user, mfa.issue_enrolment_code(user, request=request)))
        return self._show_enrolment_codes(request, issued, reverse("admin:accounts_user_changelist"))

    @admin.action(description="Disable the selected accounts (ends their sessions)")
    def disable_accounts(self, request, queryset):
        for user in queryset.filter(is_active=True):
            user.is_active = False
            user.save()  # the post_save signal audits it and ends every session
        self.message_user(request, "Disabled.", messages.SUCCESS)
