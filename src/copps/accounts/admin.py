"""The admin for accounts: the administrator sees which staff accounts are locked and releases
them, resets a lost authenticator, and disables accounts; each of these is audited.

The audit log is not in the admin: only auditors read it, at /accounts/audit/, and every read
is audited."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from copps.accounts import audit
from copps.accounts.models import RecoveryCode, TOTPDevice, User


@admin.register(User)
class CoppsUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("copps", {"fields": ("role", "locked_at")}))
    readonly_fields = ("locked_at",)
    list_display = ("username", "email", "role", "is_active", "locked", "has_authenticator", "last_login")
    list_filter = ("role", "is_active", ("locked_at", admin.EmptyFieldListFilter))
    actions = ["release_lock", "reset_second_factor", "disable_accounts"]

    @admin.display(boolean=True, description="locked")
    def locked(self, obj: User) -> bool:
        return obj.locked_at is not None

    @admin.display(boolean=True, description="authenticator")
    def has_authenticator(self, obj: User) -> bool:
        return TOTPDevice.objects.filter(user=obj).exists()

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

    @admin.action(description="Reset the second factor (the user enrols a new authenticator at next sign-in)")
    def reset_second_factor(self, request, queryset):
        for user in queryset:
            TOTPDevice.objects.filter(user=user).delete()
            RecoveryCode.objects.filter(user=user).delete()
            audit.record("mfa.reset", request=request, object_type="user", object_id=user.pk,
                         params={"username": user.get_username()})
        self.message_user(request, f"Reset the second factor of {queryset.count()} account(s).", messages.SUCCESS)

    @admin.action(description="Disable the selected accounts (ends their sessions)")
    def disable_accounts(self, request, queryset):
        for user in queryset.filter(is_active=True):
            user.is_active = False
            user.save()  # the post_save signal audits it and ends every session
        self.message_user(request, "Disabled.", messages.SUCCESS)
