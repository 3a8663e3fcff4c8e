"""Input and output schemas of the governance API: one in and one out per endpoint, no logic.

Money is integer fen (分), never a float (DOMAIN_RULES.md §A 2).
"""

from __future__ import annotations

from ninja import Field, Schema
from pydantic import ConfigDict

from gongzhi.core.api_support import Day, Int, Name, ObjectId, Page, PageQuery, Text, choices_help, model_field
from gongzhi.governance.choices import (
    CommitteeKind,
    CommitteePost,
    CommitteeStatus,
    DepartmentKind,
    PartyOrgKind,
    PartyPost,
    ServiceTier,
)
from gongzhi.governance.models import (
    Alliance,
    CommitteeMember,
    OwnersCommittee,
    PartyMembership,
    PartyOrganisation,
    ServiceContract,
)

FEN = "金额单位：分（整数）"


class Input(Schema):
    """Input schemas refuse fields they do not know, so a misspelt or read-only field is reported, not ignored."""

    model_config = ConfigDict(extra="forbid")


# --- Party organisations --------------------------------------------------------------------------


class PartyOrgListQuery(PageQuery):
    kind: PartyOrgKind | None = Field(None, title="类型", description=choices_help(PartyOrgKind))
    place: ObjectId | None = Field(None, title="所在地点编号", description="此地点及其下级")


class PartyOrgOut(Schema):
    id: int
    kind: PartyOrgKind = Field(title="类型", description=choices_help(PartyOrgKind))
    kind_label: str = Field(title="类型名称")
    name: str = Field(title="名称")
    parent_id: int | None = Field(title="上级党组织编号")
    place_id: int = Field(title="所在地点编号")
    place_name: str = Field(title="所在地点")
    committee_id: int | None = Field(title="派驻/建在委员会编号")
    founded_on: Day | None = Field(title="成立日期")

    @staticmethod
    def resolve_kind_label(obj: PartyOrganisation) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_place_name(obj: PartyOrganisation) -> str:
        return obj.place.name


class PartyOrgPage(Page[PartyOrgOut]):
    """One page of PartyOrgOut rows with the total (a named schema so OpenAPI shows it by name)."""


class PartyMemberOut(Schema):
    id: int
    person_id: int = Field(title="党员编号")
    name: str = Field(title="姓名")
    post: PartyPost = Field(title="职务", description=choices_help(PartyPost))
    post_label: str = Field(title="职务名称")
    since: Day | None = Field(title="起始日期")

    @staticmethod
    def resolve_name(obj: PartyMembership) -> str:
        return obj.person.name

    @staticmethod
    def resolve_post_label(obj: PartyMembership) -> str:
        return str(obj.get_post_display())


class PartyOrgDetailOut(PartyOrgOut):
    members: list[PartyMemberOut] = Field(title="党员")

    @staticmethod
    def resolve_members(obj: PartyOrganisation) -> list[PartyMembership]:
        return list(obj.memberships.all())


# --- Residents' committees ------------------------------------------------------------------------


class ResidentsCommitteeListQuery(PageQuery):
    place: ObjectId | None = Field(None, title="社区编号", description="此地点及其下级")


class ResidentsCommitteeOut(Schema):
    id: int
    name: str = Field(title="名称")
    place_id: int = Field(title="社区编号")
    place_name: str = Field(title="社区")
    phone: str = Field(title="办公电话")
    office: str = Field(title="办公地点")
    term_start: Day | None = Field(title="本届起始")
    term_end: Day | None = Field(title="本届届满")

    @staticmethod
    def resolve_place_name(obj: object) -> str:
        return obj.place.name


class ResidentsCommitteePage(Page[ResidentsCommitteeOut]):
    """One page of ResidentsCommitteeOut rows with the total (a named schema so OpenAPI shows it by name)."""


# --- Owners' committees and 物管会 ----------------------------------------------------------------


class CommitteeListQuery(PageQuery):
    kind: CommitteeKind | None = Field(None, title="类型", description=choices_help(CommitteeKind))
    status: CommitteeStatus | None = Field(None, title="状态", description=choices_help(CommitteeStatus))
    estate: ObjectId | None = Field(None, title="小区编号")


class CommitteeOut(Schema):
    id: int
    kind: CommitteeKind = Field(title="类型", description=choices_help(CommitteeKind))
    kind_label: str = Field(title="类型名称")
    name: str = Field(title="名称")
    estate_id: int = Field(title="小区编号")
    estate_name: str = Field(title="小区")
    term_number: int = Field(title="届次")
    term_start: Day | None = Field(title="任期起始")
    term_end: Day | None = Field(title="任期届满")
    filed_on: Day | None = Field(title="备案日期")
    status: CommitteeStatus = Field(title="状态", description=choices_help(CommitteeStatus))
    member_count: int = Field(title="委员人数")

    @staticmethod
    def resolve_kind_label(obj: OwnersCommittee) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_estate_name(obj: OwnersCommittee) -> str:
        return obj.estate.name


class CommitteePage(Page[CommitteeOut]):
    """One page of CommitteeOut rows with the total (a named schema so OpenAPI shows it by name)."""


class CommitteeMemberOut(Schema):
    id: int
    person_id: int = Field(title="委员编号")
    name: str = Field(title="姓名")
    post: CommitteePost = Field(title="职务", description=choices_help(CommitteePost))
    post_label: str = Field(title="职务名称")
    is_owner_representative: bool = Field(title="业主代表")
    is_party_member: bool = Field(title="党员")
    from_residents_committee: bool = Field(title="来自居委会")
    represents: str = Field(title="代表单位")

    @staticmethod
    def resolve_name(obj: CommitteeMember) -> str:
        return obj.person.name

    @staticmethod
    def resolve_post_label(obj: CommitteeMember) -> str:
        return str(obj.get_post_display())


class CompositionWarningOut(Schema):
    """A composition rule the committee breaks (DOMAIN_RULES.md §E 20–21): a warning, not a refusal."""

    code: str = Field(title="代码")
    message: str = Field(title="说明")
    rule: str = Field(title="依据")


class CommitteeDetailOut(CommitteeOut):
    members: list[CommitteeMemberOut] = Field(title="委员")
    warnings: list[CompositionWarningOut] = Field(title="组成提示", description="不符合组成规则之处（只提示，不拒绝）")


class CommitteeCreateIn(Input):
    kind: CommitteeKind = Field(title="类型", description=choices_help(CommitteeKind))
    estate_id: ObjectId = Field(title="小区编号")
    name: Name = model_field(OwnersCommittee, "name")
    term_number: int = model_field(OwnersCommittee, "term_number", default=1, ge=1)
    term_start: Day | None = Field(None, title="任期起始")
    term_end: Day | None = Field(None, title="任期届满")
    filed_on: Day | None = Field(None, title="备案日期")
    status: CommitteeStatus = Field(CommitteeStatus.ACTIVE, title="状态", description=choices_help(CommitteeStatus))


class CommitteeMemberIn(Input):
    person_id: ObjectId = Field(title="委员编号")
    post: CommitteePost = Field(CommitteePost.MEMBER, title="职务", description=choices_help(CommitteePost))
    is_owner_representative: bool = model_field(CommitteeMember, "is_owner_representative", default=True)
    is_party_member: bool | None = Field(None, title="党员", description="不填时按人员登记的党员身份")
    from_residents_committee: bool = model_field(CommitteeMember, "from_residents_committee", default=False)
    represents: Text = model_field(CommitteeMember, "represents", default="")


# --- Companies and contracts ----------------------------------------------------------------------


class CompanyListQuery(PageQuery):
    q: Text | None = Field(None, max_length=120, title="名称包含")


class CompanyOut(Schema):
    id: int
    name: str = Field(title="名称")
    credit_code: str = Field(title="统一社会信用代码")
    contact_name: str = Field(title="联系人")
    phone: str = Field(title="服务电话")
    address: str = Field(title="地址")
    place_id: int = Field(title="登记地编号")


class CompanyPage(Page[CompanyOut]):
    """One page of CompanyOut rows with the total (a named schema so OpenAPI shows it by name)."""


class ContractOut(Schema):
    id: int
    company_id: int = Field(title="物业企业编号")
    company_name: str = Field(title="物业企业")
    estate_id: int = Field(title="小区编号")
    estate_name: str = Field(title="小区")
    start: Day = Field(title="起始日期")
    end: Day | None = Field(title="终止日期")
    fee_residential_fen: int = Field(title="住宅物业费(分/㎡·月)", description=FEN)
    fee_non_residential_fen: int | None = Field(title="非住宅物业费(分/㎡·月)", description=FEN)
    service_tier: ServiceTier = Field(title="服务等级", description=choices_help(ServiceTier))
    how_hired: str = Field(title="选聘方式")

    @staticmethod
    def resolve_company_name(obj: ServiceContract) -> str:
        return obj.company.name

    @staticmethod
    def resolve_estate_name(obj: ServiceContract) -> str:
        return obj.estate.name


class ContractPage(Page[ContractOut]):
    """One page of ContractOut rows with the total (a named schema so OpenAPI shows it by name)."""


class CompanyDetailOut(CompanyOut):
    contracts: list[ContractOut] = Field(title="服务合同", description="您可见范围内的合同")


class ContractListQuery(PageQuery):
    estate: ObjectId | None = Field(None, title="小区编号")
    company: ObjectId | None = Field(None, title="物业企业编号")
    current: bool | None = Field(None, title="只看今日有效", description="true：今日有效的合同；不填：全部")


class ContractCreateIn(Input):
    company_id: ObjectId = Field(title="物业企业编号")
    estate_id: ObjectId = Field(title="小区编号")
    start: Day = Field(title="起始日期")
    end: Day | None = Field(None, title="终止日期")
    fee_residential_fen: Int = model_field(ServiceContract, "fee_residential_fen", description=FEN)
    fee_non_residential_fen: Int | None = model_field(
        ServiceContract, "fee_non_residential_fen", default=None, description=FEN
    )
    service_tier: ServiceTier = Field(ServiceTier.BASIC, title="服务等级", description=choices_help(ServiceTier))
    how_hired: Text = model_field(ServiceContract, "how_hired", default="")


# --- Departments and alliances --------------------------------------------------------------------


class DepartmentListQuery(PageQuery):
    kind: DepartmentKind | None = Field(None, title="类型", description=choices_help(DepartmentKind))


class DepartmentOut(Schema):
    id: int
    kind: DepartmentKind = Field(title="类型", description=choices_help(DepartmentKind))
    name: str = Field(title="名称")
    place_id: int = Field(title="所属区编号")
    phone: str = Field(title="电话")


class DepartmentPage(Page[DepartmentOut]):
    """One page of DepartmentOut rows with the total (a named schema so OpenAPI shows it by name)."""


class AllianceListQuery(PageQuery):
    place: ObjectId | None = Field(None, title="街道编号")


class AllianceMemberOut(Schema):
    id: int
    name: str = Field(title="名称")


class AllianceOut(Schema):
    id: int
    name: str = Field(title="名称")
    place_id: int = Field(title="街道编号")
    founded_on: Day | None = Field(title="成立日期")
    members: list[AllianceMemberOut] = Field(title="成员企业")

    @staticmethod
    def resolve_members(obj: Alliance) -> list:
        return list(obj.members.all())


class AlliancePage(Page[AllianceOut]):
    """One page of AllianceOut rows with the total (a named schema so OpenAPI shows it by name)."""
