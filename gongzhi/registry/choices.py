from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceKind(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    ESTATE = "estate", _("小区")
    BUILDING = "building", _("楼栋")
    ENTRANCE = "entrance", _("单元")


# Which kind of node may hang under which (the place tree of DESIGN.md §2; units hang under a
# building or an entrance and live in their own table).
PLACE_PARENT = {
    PlaceKind.CITY: None,
    PlaceKind.DISTRICT: PlaceKind.CITY,
    PlaceKind.STREET: PlaceKind.DISTRICT,
    PlaceKind.COMMUNITY: PlaceKind.STREET,
    PlaceKind.ESTATE: PlaceKind.COMMUNITY,
    PlaceKind.BUILDING: PlaceKind.ESTATE,
    PlaceKind.ENTRANCE: PlaceKind.BUILDING,
}


class AreaSource(models.TextChoices):
    REGISTERED = "registered", _("登记")
    SURVEYED = "surveyed", _("实测")
    CONTRACT = "contract", _("合同")


class UnitUse(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅")
    COMMERCIAL = "commercial", _("商业")
    OFFICE = "office", _("办公")
    PARKING = "parking", _("车位")


class OwnerKind(models.TextChoices):
    PERSON = "person", _("个人")
    ORGANISATION = "organisation", _("单位")


class OrganisationKind(models.TextChoices):
    RIGHTS_UNIT = "rights_unit", _("产权单位")
    DEVELOPER = "developer", _("开发建设单位")
    OTHER = "other", _("其他单位")


class ResidencyKind(models.TextChoices):
    OWNER_OCCUPIER = "owner_occupier", _("业主自住")
    TENANT = "tenant", _("租户")
    FAMILY = "family", _("家庭成员")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")
    UNKNOWN = "", _("未填")


class GridKind(models.TextChoices):
    GRID = "grid", _("网格")
    MICRO_GRID = "micro_grid", _("微网格")
    BUILDING_GROUP = "building_group", _("楼组")


class GridRole(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    BUILDING_GROUP_LEADER = "building_group_leader", _("楼组长")
    PARTY_MEMBER_BUILDINGS = "party_member_buildings", _("党员包楼")
    VOLUNTEER = "volunteer", _("志愿者")
