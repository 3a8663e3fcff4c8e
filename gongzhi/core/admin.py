from django.contrib import admin
from django.db import transaction

from gongzhi.core.audit import audit_record, snapshot
from gongzhi.core.models import AuditAction, AuditLog


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits are writes like any other: each save and delete leaves an audit row with before/after."""

    def save_model(self, request, obj, form, change):  # noqa: ANN001, ANN201
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                actor=request.user, action=AuditAction.UPDATE if change else AuditAction.CREATE, obj=obj,
                before=before, after=snapshot(obj), summary="后台管理修改" if change else "后台管理新增",
                ip=request.META.get("REMOTE_ADDR"),
            )  # fmt: skip

    def delete_model(self, request, obj):  # noqa: ANN001, ANN201
        with transaction.atomic():
            audit_record(actor=request.user, action=AuditAction.DELETE, obj=obj, before=snapshot(obj),
                         summary="后台管理删除", ip=request.META.get("REMOTE_ADDR"))  # fmt: skip
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):  # noqa: ANN001, ANN201
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["at", "actor_label", "action", "object_type", "object_id", "summary"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "summary"]

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False
