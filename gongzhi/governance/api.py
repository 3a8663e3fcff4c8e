"""The governance JSON API (治理主体接口): Party organisations, residents' committees, owners'
committees and 物管会, property companies and contracts, departments and alliances.

Reads go through ``visible_to`` / ``get_for_user``; writes through gongzhi.governance.services.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from gongzhi.core.api_support import (
    ConstraintRefusal,
    ObjectId,
    find_for_user,
    paginate,
    responses,
    service_errors,
)
from gongzhi.governance import services
from gongzhi.governance.errors import GovernanceError as ErrorCode
from gongzhi.governance.models import (
    Alliance,
    CommitteeMember,
    Department,
    OwnersCommittee,
    PartyMembership,
    PartyOrganisation,
    PropertyCompany,
    ResidentsCommittee,
    ServiceContract,
)
from gongzhi.governance.schemas import (
    AllianceListQuery,
    AlliancePage,
    CommitteeCreateIn,
    CommitteeDetailOut,
    CommitteeListQuery,
    CommitteeMemberIn,
    CommitteeMemberOut,
    CommitteePage,
    CompanyDetailOut,
    CompanyListQuery,
    CompanyOut,
    CompanyPage,
    ContractCreateIn,
    ContractListQuery,
    ContractOut,
    ContractPage,
    DepartmentListQuery,
    DepartmentPage,
    PartyOrgDetailOut,
    PartyOrgListQuery,
    PartyOrgPage,
    ResidentsCommitteeListQuery,
    ResidentsCommitteePage,
)
from gongzhi.governance.selectors import committee_composition_warnings
from gongzhi.registry.models import Person, Place

router = Router(tags=["治理主体"])


COMMITTEE_CONSTRAINTS = {
    "committee_term_order": ConstraintRefusal("term_end", "任期届满日期应晚于任期起始日期", 400),
}
CONTRACT_CONSTRAINTS = {
    "contract_dates_order": ConstraintRefusal("end", "终止日期不能早于起始日期", 400),
}


def _committees(request: HttpRequest):  # noqa: ANN202
    return OwnersCommittee.objects.visible_to(request.auth).select_related("estate")


def _contracts(request: HttpRequest):  # noqa: ANN202
    return ServiceContract.objects.visible_to(request.auth).select_related("company", "estate")


# --- Party organisations --------------------------------------------------------------------------


@router.get(
    "/party-organisations",
    response=responses(200, PartyOrgPage),
    summary="党组织列表",
    operation_id="party_org_list",
    description="您可见地点上的党组织。",
)
def party_org_list(request: HttpRequest, filters: Query[PartyOrgListQuery]) -> dict:
    rows = PartyOrganisation.objects.visible_to(request.auth).select_related("place")
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.place:
        place = find_for_user(Place.objects, request.auth, filters.place, field="place")
        rows = rows.filter(place__path__startswith=place.path)
    return paginate(rows.order_by("place__path", "id"), filters)


@router.get(
    "/party-organisations/{org_id}",
    response=responses(200, PartyOrgDetailOut),
    summary="党组织详情（含党员）",
    operation_id="party_org_detail",
    description="党组织及其党员。党员、委员只列编号和姓名，不含手机号、身份证号（需要时以人员编号查台账接口，打码规则同人员列表）。",
)
def party_org_detail(request: HttpRequest, org_id: ObjectId) -> PartyOrganisation:
    members = PartyMembership.objects.select_related("person").order_by("post", "id")
    queryset = PartyOrganisation.objects.select_related("place").prefetch_related(Prefetch("memberships", members))
    return find_for_user(queryset, request.auth, org_id)


# --- Residents' committees ------------------------------------------------------------------------


@router.get(
    "/residents-committees",
    response=responses(200, ResidentsCommitteePage),
    summary="居委会列表",
    operation_id="residents_committee_list",
    description="您可见地点上的居委会；办公电话是对居民公布的电话，与页面一样不打码。",
)
def residents_committee_list(request: HttpRequest, filters: Query[ResidentsCommitteeListQuery]) -> dict:
    rows = ResidentsCommittee.objects.visible_to(request.auth).select_related("place")
    if filters.place:
        place = find_for_user(Place.objects, request.auth, filters.place, field="place")
        rows = rows.filter(place__path__startswith=place.path)
    return paginate(rows.order_by("place__path", "id"), filters)


# --- Owners' committees and 物管会 ----------------------------------------------------------------


@router.get(
    "/committees", response=responses(200, CommitteePage), summary="业委会/物管会列表", operation_id="committee_list"
)
def committee_list(request: HttpRequest, filters: Query[CommitteeListQuery]) -> dict:
    rows = _committees(request).annotate(member_count=Count("members"))
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.estate:
        rows = rows.filter(estate_id=filters.estate)
    return paginate(rows.order_by("estate__path", "-term_number", "id"), filters)


def _committee_detail(request: HttpRequest, committee_id: int) -> OwnersCommittee:
    """A visible committee with its members, their count and its composition warnings, ready for the schema."""
    members = CommitteeMember.objects.select_related("person").order_by("post", "id")
    committee = find_for_user(
        _committees(request).prefetch_related(Prefetch("members", members)), request.auth, committee_id
    )
    committee.member_count = len(committee.members.all())
    committee.warnings = committee_composition_warnings(committee, timezone.localdate())
    return committee


@router.post(
    "/committees",
    response=responses(201, CommitteeDetailOut, write=True),
    summary="登记业委会/物管会",
    operation_id="committee_create",
    description="登记小区的业主委员会或物业管理委员会；返回时附带组成提示。",
)
def committee_create(request: HttpRequest, payload: CommitteeCreateIn) -> Status:
    user = request.auth
    estate = find_for_user(Place.objects, user, payload.estate_id, field="estate_id")
    fields = payload.model_dump(exclude={"kind", "estate_id", "name"})
    with service_errors(conflict_code=ErrorCode.COMMITTEE_TERM_EXISTS, constraints=COMMITTEE_CONSTRAINTS):
        committee = services.committee_create(kind=payload.kind, estate=estate, name=payload.name, actor=user, **fields)
    return Status(201, _committee_detail(request, committee.pk))


@router.get(
    "/committees/{committee_id}",
    response=responses(200, CommitteeDetailOut),
    summary="业委会/物管会详情（含委员与组成提示）",
    operation_id="committee_detail",
    description="委员会详情：委员，以及不符合组成规则之处（DOMAIN_RULES.md §E 20–21，只提示，不拒绝）。党员、委员只列编号和姓名，不含手机号、身份证号（需要时以人员编号查台账接口，打码规则同人员列表）。",
)
def committee_detail(request: HttpRequest, committee_id: ObjectId) -> OwnersCommittee:
    return _committee_detail(request, committee_id)


@router.post(
    "/committees/{committee_id}/members",
    response=responses(201, CommitteeMemberOut, write=True),
    summary="增加委员",
    operation_id="committee_member_add",
    description="增加委员；增加后若不符合组成规则，在委员会详情的组成提示中显示，不拒绝。同一人重复任职返回 409。",
)
def committee_member_add(request: HttpRequest, committee_id: ObjectId, payload: CommitteeMemberIn) -> Status:
    user = request.auth
    committee = find_for_user(OwnersCommittee.objects.select_related("estate"), user, committee_id)
    person = find_for_user(Person.objects, user, payload.person_id, field="person_id")
    fields = payload.model_dump(exclude={"person_id"})
    with service_errors(conflict_code=ErrorCode.COMMITTEE_MEMBER_EXISTS):
        member = services.committee_member_add(committee=committee, person=person, actor=user, **fields)
    return Status(201, member)


# --- Companies and contracts ----------------------------------------------------------------------


@router.get(
    "/companies",
    response=responses(200, CompanyPage),
    summary="物业企业列表",
    operation_id="company_list",
    description="在您可见范围内登记、或为其中小区服务的物业企业。服务电话是企业对外公布的电话，与页面一样不打码；"
    "联系人只给姓名。",
)
def company_list(request: HttpRequest, filters: Query[CompanyListQuery]) -> dict:
    rows = PropertyCompany.objects.visible_to(request.auth)
    if filters.q:
        rows = rows.filter(name__icontains=filters.q)
    return paginate(rows.order_by("name", "id"), filters)


@router.get(
    "/companies/{company_id}",
    response=responses(200, CompanyDetailOut),
    summary="物业企业详情（含可见的服务合同）",
    operation_id="company_detail",
    description="物业企业及您可见范围内的服务合同；服务电话不打码（企业对外公布的电话，与页面相同）。",
)
def company_detail(request: HttpRequest, company_id: ObjectId) -> dict:
    company = find_for_user(PropertyCompany.objects, request.auth, company_id)
    contracts = list(_contracts(request).filter(company=company).order_by("estate__path", "-start", "id"))
    return {**CompanyOut.from_orm(company).model_dump(), "contracts": contracts}


@router.get(
    "/contracts",
    response=responses(200, ContractPage),
    summary="物业服务合同列表",
    operation_id="contract_list",
    description="您可见小区的物业服务合同；物业费为整数“分/㎡·月”。",
)
def contract_list(request: HttpRequest, filters: Query[ContractListQuery]) -> dict:
    rows = _contracts(request)
    if filters.estate:
        rows = rows.filter(estate_id=filters.estate)
    if filters.company:
        rows = rows.filter(company_id=filters.company)
    if filters.current:
        rows = rows.current(timezone.localdate())
    return paginate(rows.order_by("estate__path", "-start", "id"), filters)


@router.post(
    "/contracts",
    response=responses(201, ContractOut, write=True),
    summary="登记物业服务合同",
    operation_id="contract_create",
    description="为您有权修改的小区登记物业服务合同；物业费为整数“分/㎡·月”。",
)
def contract_create(request: HttpRequest, payload: ContractCreateIn) -> Status:
    user = request.auth
    estate = find_for_user(Place.objects, user, payload.estate_id, field="estate_id")
    company = find_for_user(PropertyCompany.objects, user, payload.company_id, field="company_id")
    fields = payload.model_dump(exclude={"company_id", "estate_id"})
    with service_errors(conflict_code=ErrorCode.CONTRACT_CONFLICT, constraints=CONTRACT_CONSTRAINTS):
        contract = services.contract_create(company=company, estate=estate, actor=user, **fields)
    return Status(201, _contracts(request).get(pk=contract.pk))


# --- Departments and alliances --------------------------------------------------------------------


@router.get(
    "/departments", response=responses(200, DepartmentPage), summary="职能部门列表", operation_id="department_list"
)
def department_list(request: HttpRequest, filters: Query[DepartmentListQuery]) -> dict:
    rows = Department.objects.visible_to(request.auth)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    return paginate(rows.order_by("name", "id"), filters)


@router.get(
    "/alliances", response=responses(200, AlliancePage), summary="物业服务联盟列表", operation_id="alliance_list"
)
def alliance_list(request: HttpRequest, filters: Query[AllianceListQuery]) -> dict:
    rows = Alliance.objects.visible_to(request.auth).prefetch_related(
        Prefetch("members", PropertyCompany.objects.order_by("name"))
    )
    if filters.place:
        rows = rows.filter(place_id=filters.place)
    return paginate(rows.order_by("name", "id"), filters)
