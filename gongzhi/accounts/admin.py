from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from gongzhi.accounts.models import ApiToken, FailedAttempt, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    raw_id_fields = ["place", "company", "organisation", "department"]
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("共治", {"fields": ("display_name", "phone", "person")}),
    )
    list_display = ["username", "display_name", "phone", "is_active", "last_login"]
    raw_id_fields = ["person"]
    inlines = [RoleAssignmentInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "last_used_at"]


@admin.register(FailedAttempt)
class FailedAttemptAdmin(admin.ModelAdmin):
    """Recent failures, to see who is being tried from where; deleting rows lifts a throttle at once."""

    list_display = ["at", "kind", "address", "account"]
    list_filter = ["kind"]
    search_fields = ["address", "account"]
    date_hierarchy = "at"

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
