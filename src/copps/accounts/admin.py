from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from copps.accounts.models import AuditLog, User


@admin.register(User)
class CoppsUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("copps", {"fields": ("role",)}))
    list_display = ("username", "email", "role", "is_active", "last_login")
    list_filter = ("role", "is_active")


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "action", "object_type", "object_id", "outcome")
    list_filter = ("action", "outcome")
    search_fields = ("username", "object_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
