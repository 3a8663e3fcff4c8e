from django.contrib import admin

from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.registry.models import Grid, GridAssignment, Organisation, Ownership, Person, Place, Residency, Unit


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent", "path", "households_declared"]
    list_filter = ["kind", "is_old"]
    search_fields = ["name", "address"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth"]


class OwnershipInline(admin.TabularInline):
    model = Ownership
    raw_id_fields = ["person", "organisation"]
    extra = 0


class ResidencyInline(admin.TabularInline):
    model = Residency
    raw_id_fields = ["person"]
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["__str__", "estate", "use", "area", "area_source"]
    list_filter = ["use", "area_source"]
    search_fields = ["number", "building__name", "estate__name"]
    list_select_related = ["estate", "building", "entrance"]
    raw_id_fields = ["estate", "building", "entrance"]
    readonly_fields = ["path", "area", "area_source"]
    inlines = [OwnershipInline, ResidencyInline]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_phone", "masked_id", "place", "is_party_member"]
    list_filter = ["is_party_member", "gender"]
    search_fields = ["name", "phone"]
    raw_id_fields = ["place"]

    @admin.display(description="手机号")
    def masked_phone(self, obj: Person) -> str:
        return mask_phone(obj.phone)

    @admin.display(description="身份证号")
    def masked_id(self, obj: Person) -> str:
        return mask_id_number(obj.id_number)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "place"]
    list_filter = ["kind"]
    search_fields = ["name"]
    raw_id_fields = ["place"]


class GridAssignmentInline(admin.TabularInline):
    model = GridAssignment
    raw_id_fields = ["person"]
    extra = 0


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "place"]
    list_filter = ["kind"]
    raw_id_fields = ["place", "parent"]
    filter_horizontal = ["places"]
    inlines = [GridAssignmentInline]
