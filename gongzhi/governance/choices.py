from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyOrgKind(models.TextChoices):
    STREET_WORKING_COMMITTEE = "street_working_committee", _("街道工委")
    COMMUNITY_COMMITTEE = "community_committee", _("社区党委")
    BRANCH = "branch", _("党支部")
    TEMPORARY_BRANCH = "temporary_branch", _("临时党支部")
    WORK_GROUP = "work_group", _("党的工作小组")
    PARTY_GROUP = "party_group", _("党小组")


# The Party organisation tree: which kind may hang under which.
PARTY_ORG_PARENTS = {
    PartyOrgKind.STREET_WORKING_COMMITTEE: set(),
    PartyOrgKind.COMMUNITY_COMMITTEE: {PartyOrgKind.STREET_WORKING_COMMITTEE},
    PartyOrgKind.BRANCH: {PartyOrgKind.COMMUNITY_COMMITTEE, PartyOrgKind.STREET_WORKING_COMMITTEE},
    PartyOrgKind.TEMPORARY_BRANCH: {PartyOrgKind.COMMUNITY_COMMITTEE, PartyOrgKind.STREET_WORKING_COMMITTEE},
    PartyOrgKind.WORK_GROUP: {PartyOrgKind.COMMUNITY_COMMITTEE, PartyOrgKind.STREET_WORKING_COMMITTEE},
    PartyOrgKind.PARTY_GROUP: {PartyOrgKind.BRANCH, PartyOrgKind.TEMPORARY_BRANCH},
}


class PartyPost(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    COMMITTEE_MEMBER = "committee_member", _("委员")
    GROUP_LEADER = "group_leader", _("组长")
    MEMBER = "member", _("党员")


class CommitteeKind(models.TextChoices):
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    MANAGEMENT_COMMITTEE = "management_committee", _("物业管理委员会")


class CommitteeStatus(models.TextChoices):
    ACTIVE = "active", _("在任")
    ENDED = "ended", _("届满")
    DISSOLVED = "dissolved", _("已解散")


class CommitteePost(models.TextChoices):
    CHAIR = "chair", _("主任")
    VICE_CHAIR = "vice_chair", _("副主任")
    MEMBER = "member", _("委员")


class ResidentsCommitteePost(models.TextChoices):
    CHAIR = "chair", _("主任")
    VICE_CHAIR = "vice_chair", _("副主任")
    MEMBER = "member", _("委员")
    STAFF = "staff", _("社区工作者")


class ServiceTier(models.TextChoices):
    """物业分类管理标准 (DESIGN.md §5.7)."""

    BASIC = "basic", _("保障型")
    REMEDIAL = "remedial", _("整治型")
    COMFORT = "comfort", _("安居型")
    LIVABLE = "livable", _("宜居型")


class DepartmentKind(models.TextChoices):
    HOUSING = "housing", _("房管")
    ENFORCEMENT = "enforcement", _("城管执法")
    MARKET = "market", _("市场监管")
    FIRE = "fire", _("消防")
    POLICE = "police", _("公安")
    UTILITIES = "utilities", _("水电气热")
    OTHER = "other", _("其他")
