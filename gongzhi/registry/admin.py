from django.contrib import admin

from gongzhi.core.admin import AuditedAdmin
from gongzhi.core.audit import audit_record
from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.models import AuditAction
from gongzhi.registry.models import Grid, GridAssignment, Organisation, Ownership, Person, Place, Residency, Unit


class TreeAdmin(AuditedAdmin):
    """Places and units are made by the import, the API and the services, which compute their paths;
    here only their descriptive fields can change, never their position in the tree (the scoping key)."""

    tree_fields: tuple[str, ...] = ()

    def has_add_permission(self, request):  # noqa: ANN001, ANN201
        return False

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        return [*super().get_readonly_fields(request, obj), *self.tree_fields]


@admin.register(Place)
class PlaceAdmin(TreeAdmin):
    list_display = ["name", "kind", "parent", "path", "households_declared"]
    list_filter = ["kind", "is_old"]
    search_fields = ["name", "address"]
    readonly_fields = ["path", "depth"]
    tree_fields = ("kind", "parent")


class OwnershipInline(admin.TabularInline):
    model = Ownership
    raw_id_fields = ["person", "organisation"]
    extra = 0


class ResidencyInline(admin.TabularInline):
    model = Residency
    raw_id_fields = ["person"]
    extra = 0


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    list_display = ["__str__", "estate", "use", "area", "area_source"]
    list_filter = ["use", "area_source"]
    search_fields = ["number", "building__name", "estate__name"]
    list_select_related = ["estate", "building", "entrance"]
    readonly_fields = ["path", "area", "area_source"]
    tree_fields = ("estate", "building", "entrance")
    inlines = [OwnershipInline, ResidencyInline]


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["name", "masked_phone", "masked_id", "place", "is_party_member"]
    list_filter = ["is_party_member", "gender"]
    search_fields = ["name"]
    raw_id_fields = ["place"]

    def change_view(self, request, object_id, form_url="", extra_context=None):  # noqa: ANN001, ANN201
        # the change form shows the whole numbers: every such read is logged (DOMAIN_RULES.md §I 31)
        if request.method == "GET":
            audit_record(actor=request.user, action=AuditAction.READ_PERSONAL, object_type="registry.person",
                         object_id=object_id, summary="后台查看人员完整信息", ip=request.META.get("REMOTE_ADDR"))  # fmt: skip
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="手机号")
    def masked_phone(self, obj: Person) -> str:
        return mask_phone(obj.phone)

    @admin.display(description="身份证号")
    def masked_id(self, obj: Person) -> str:
        return mask_id_number(obj.id_number)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "place"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["place"]


class GridAssignmentInline(admin.TabularInline):
    model = GridAssignment
    raw_id_fields = ["person"]
    extra = 0


@admin.register(Grid)
class GridAdmin(AuditedAdmin):
    list_display = ["name", "kind", "place"]
    list_filter = ["kind"]
    raw_id_fields = ["place", "parent"]
    filter_horizontal = ["places"]
    inlines = [GridAssignmentInline]
