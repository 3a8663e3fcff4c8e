from django.contrib import admin

from gongzhi.core.admin import AuditedAdmin
from gongzhi.governance import models as m


class CommitteeMemberInline(admin.TabularInline):
    model = m.CommitteeMember
    raw_id_fields = ["person"]
    extra = 0


@admin.register(m.OwnersCommittee)
class OwnersCommitteeAdmin(AuditedAdmin):
    list_display = ["name", "kind", "estate", "term_start", "term_end", "status"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["estate"]
    inlines = [CommitteeMemberInline]


class PartyMembershipInline(admin.TabularInline):
    model = m.PartyMembership
    raw_id_fields = ["person"]
    extra = 0


@admin.register(m.PartyOrganisation)
class PartyOrganisationAdmin(AuditedAdmin):
    list_display = ["name", "kind", "place", "parent"]
    list_filter = ["kind"]
    raw_id_fields = ["place", "parent", "committee"]
    inlines = [PartyMembershipInline]


@admin.register(m.ResidentsCommittee)
class ResidentsCommitteeAdmin(AuditedAdmin):
    list_display = ["name", "place", "phone"]
    raw_id_fields = ["place"]


@admin.register(m.PropertyCompany)
class PropertyCompanyAdmin(AuditedAdmin):
    list_display = ["name", "phone", "place"]
    search_fields = ["name"]
    raw_id_fields = ["place"]


@admin.register(m.ServiceContract)
class ServiceContractAdmin(AuditedAdmin):
    list_display = ["estate", "company", "start", "end", "service_tier", "fee_residential_fen"]
    list_filter = ["service_tier"]
    raw_id_fields = ["estate", "company"]


admin.site.register(m.SelfManagement, AuditedAdmin, raw_id_fields=["estate"])
admin.site.register(m.Department, AuditedAdmin, list_display=["name", "kind", "place"])
admin.site.register(m.Alliance, AuditedAdmin, filter_horizontal=["members"], raw_id_fields=["place"])
