from django.contrib import admin

from gongzhi.work_orders.models import Category, RoutingRule, SlaPolicy, WorkOrder, WorkOrderEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "code", "position", "active"]
    list_filter = ["active", "parent"]
    search_fields = ["name", "code"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "accept_minutes", "arrive_minutes", "resolve_minutes", "working_hours_only"]
    list_filter = ["tier"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["estate", "category", "company", "department", "rights_unit"]
    raw_id_fields = ["estate"]


class EventInline(admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "actor", "at", "note", "data"]

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201, ARG002 - the timeline is append-only
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only in the admin: every change goes through the services, which write the timeline."""

    list_display = ["number", "estate", "category", "status", "priority", "escalation_level", "submitted_at"]
    list_filter = ["status", "priority", "channel", "escalation_level"]
    search_fields = ["number", "external_ref", "description"]
    inlines = [EventInline]

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201, ARG002
        return False

    def has_add_permission(self, request):  # noqa: ANN001, ANN201, ARG002
        return False
