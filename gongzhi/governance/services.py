"""Every write to governance bodies, each in one transaction with an audit row (with an event code).

Each service asks its permission (gongzhi.governance.permissions) before it changes anything; the
system itself (``actor=None``: the demo loader) may do everything. A person's own row is the
registry's: marking a Party member goes through ``registry.services.person_mark_party_member``."""

from __future__ import annotations

import copy
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from gongzhi.core.audit import audit_record, audited_create, audited_update, snapshot
from gongzhi.core.models import AuditAction
from gongzhi.governance.choices import PARTY_ORG_PARENTS, CommitteeKind, PartyOrgKind
from gongzhi.governance.models import (
    Alliance,
    CommitteeMember,
    Department,
    OwnersCommittee,
    PartyMembership,
    PartyOrganisation,
    PropertyCompany,
    ResidentsCommittee,
    ResidentsCommitteeMember,
    SelfManagement,
    ServiceContract,
)
from gongzhi.governance.permissions import (
    can_edit_alliances,
    can_edit_committees,
    can_edit_contracts,
    can_edit_departments,
    can_edit_party_orgs,
    can_edit_residents_committees,
    can_register_companies,
)
from gongzhi.registry import services as registry
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Person, Place


def _create(model: type[models.Model], actor: Any, event: str, summary: str = "", **fields: Any) -> Any:
    with transaction.atomic():
        obj = model(**fields)
        obj.full_clean()
        audited_create(obj, actor=actor, event=event, summary=summary)
    return obj


def _update(obj: models.Model, actor: Any, editable: set[str], changes: dict[str, Any], event: str) -> Any:
    unknown = set(changes) - editable
    if unknown:
        raise ValidationError({k: "该字段不能修改" for k in unknown})
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        candidate = copy.copy(obj)  # validated as it would be, so the audit's "before" stays true
        for k, v in changes.items():
            setattr(candidate, k, v)
        candidate.full_clean()
        audited_update(obj, changes, actor=actor, event=event, summary=f"修改 {obj}")
    return obj


def _require_kind(place: Place, kinds: set[str], field: str = "place") -> None:
    if place.kind not in kinds:
        labels = "、".join(str(PlaceKind(k).label) for k in sorted(kinds))
        raise ValidationError({field: f"应为{labels}，而不是{place.get_kind_display()}"})


def party_org_create(
    *,
    kind: str,
    name: str,
    place: Place,
    actor: Any,
    parent: PartyOrganisation | None = None,
    committee: OwnersCommittee | None = None,
    founded_on=None,  # noqa: ANN001
) -> PartyOrganisation:
    """Set up a Party organisation (成立党组织) under its parent in the tree."""
    can_edit_party_orgs.require(actor, place)
    if kind not in PartyOrgKind.values:
        raise ValidationError({"kind": f"未知党组织类型：{kind}"})
    allowed = PARTY_ORG_PARENTS[PartyOrgKind(kind)]
    if allowed and (parent is None or parent.kind not in allowed):
        raise ValidationError(
            {"parent": f"{PartyOrgKind(kind).label}的上级应为{'或'.join(str(PartyOrgKind(k).label) for k in allowed)}"}
        )
    if not allowed and parent is not None:
        raise ValidationError({"parent": "街道工委不设上级党组织"})
    if parent is not None and not place.is_under(parent.place):
        raise ValidationError({"place": "党组织所在地应在上级党组织的范围内"})
    return _create(
        PartyOrganisation,
        actor,
        "governance.party_org.created",
        f"成立党组织 {name}",
        kind=kind,
        name=name,
        place=place,
        parent=parent,
        committee=committee,
        founded_on=founded_on,
    )


def party_member_add(
    *, organisation: PartyOrganisation, person: Person, actor: Any, post: str = "member", since=None
) -> PartyMembership:  # noqa: ANN001
    """Record a Party member in an organisation, and mark the person as a Party member (through the
    registry, whose row it is)."""
    can_edit_party_orgs.require(actor, organisation.place)
    with transaction.atomic():
        row = _create(
            PartyMembership,
            actor,
            "governance.party_member.added",
            f"{person.name} 加入 {organisation.name}",
            organisation=organisation,
            person=person,
            post=post,
            since=since,
        )
        if not person.is_party_member:
            registry.person_mark_party_member(person=person, actor=actor)
    return row


def residents_committee_create(*, place: Place, name: str, actor: Any, **fields: Any) -> ResidentsCommittee:
    """A community's residents' committee (居委会)."""
    can_edit_residents_committees.require(actor, place)
    _require_kind(place, {PlaceKind.COMMUNITY})
    return _create(
        ResidentsCommittee,
        actor,
        "governance.residents_committee.created",
        f"登记居委会 {name}",
        place=place,
        name=name,
        **fields,
    )


def residents_committee_member_add(
    *, committee: ResidentsCommittee, person: Person, post: str, actor: Any
) -> ResidentsCommitteeMember:
    """A member of a residents' committee (居委会成员)."""
    can_edit_residents_committees.require(actor, committee.place)
    return _create(
        ResidentsCommitteeMember,
        actor,
        "governance.residents_committee.member_added",
        f"{person.name} 任 {committee.name}",
        committee=committee,
        person=person,
        post=post,
    )


def committee_create(*, kind: str, estate: Place, name: str, actor: Any, **fields: Any) -> OwnersCommittee:
    """Register an owners' committee (业委会) or a property management committee (物管会) of an estate."""
    can_edit_committees.require(actor, estate)
    _require_kind(estate, {PlaceKind.ESTATE}, "estate")
    if kind not in CommitteeKind.values:
        raise ValidationError({"kind": f"未知委员会类型：{kind}"})
    return _create(
        OwnersCommittee,
        actor,
        "governance.committee.created",
        f"登记 {name}",
        kind=kind,
        estate=estate,
        name=name,
        **fields,
    )


COMMITTEE_EDITABLE = {"name", "term_start", "term_end", "filed_on", "status"}


def committee_update(*, committee: OwnersCommittee, actor: Any, **changes: Any) -> OwnersCommittee:
    """Correct a committee's name, term, filing or status."""
    can_edit_committees.require(actor, committee.estate)
    return _update(committee, actor, COMMITTEE_EDITABLE, changes, "governance.committee.updated")


def committee_member_add(
    *,
    committee: OwnersCommittee,
    person: Person,
    actor: Any,
    post: str = "member",
    is_owner_representative: bool = True,
    is_party_member: bool | None = None,
    from_residents_committee: bool = False,
    represents: str = "",
) -> CommitteeMember:
    """Add a member to an owners' committee or 物管会; composition is checked as warnings, not refused."""
    can_edit_committees.require(actor, committee.estate)
    party = person.is_party_member if is_party_member is None else is_party_member
    return _create(
        CommitteeMember,
        actor,
        "governance.committee.member_added",
        f"{person.name} 任 {committee.name}",
        committee=committee,
        person=person,
        post=post,
        is_owner_representative=is_owner_representative,
        is_party_member=party,
        from_residents_committee=from_residents_committee,
        represents=represents,
    )


def committee_member_remove(*, member: CommitteeMember, actor: Any) -> None:
    """A member leaves the committee (离任)."""
    can_edit_committees.require(actor, member.committee.estate)
    with transaction.atomic():
        before = snapshot(member)
        audit_record(
            actor=actor,
            action=AuditAction.DELETE,
            event="governance.committee.member_removed",
            obj=member,
            before=before,
            summary=f"{member.person.name} 离任",
        )
        member.delete()


def company_create(*, name: str, place: Place, actor: Any, **fields: Any) -> PropertyCompany:
    """Register a property service company (物业服务企业)."""
    can_register_companies.require(actor, place)
    return _create(
        PropertyCompany, actor, "governance.company.created", f"登记物业企业 {name}", name=name, place=place, **fields
    )


def contract_create(*, company: PropertyCompany, estate: Place, actor: Any, **fields: Any) -> ServiceContract:
    """Record a property service contract (物业服务合同) for an estate."""
    can_edit_contracts.require(actor, estate)
    _require_kind(estate, {PlaceKind.ESTATE}, "estate")
    return _create(
        ServiceContract,
        actor,
        "governance.contract.created",
        f"{estate.name} 签约 {company.name}",
        company=company,
        estate=estate,
        **fields,
    )


CONTRACT_EDITABLE = {"end", "fee_residential_fen", "fee_non_residential_fen", "service_tier", "how_hired"}


def contract_update(*, contract: ServiceContract, actor: Any, **changes: Any) -> ServiceContract:
    """Correct a contract's end, fees, service tier or how the company was hired."""
    can_edit_contracts.require(actor, contract.estate)
    return _update(contract, actor, CONTRACT_EDITABLE, changes, "governance.contract.updated")


def self_management_create(*, estate: Place, since, actor: Any, qualified: bool = False) -> SelfManagement:  # noqa: ANN001
    """The owners manage the estate themselves (业主自管)."""
    can_edit_contracts.require(actor, estate)
    _require_kind(estate, {PlaceKind.ESTATE}, "estate")
    return _create(
        SelfManagement,
        actor,
        "governance.self_management.created",
        f"{estate.name} 业主自管",
        estate=estate,
        since=since,
        qualified=qualified,
    )


def department_create(*, kind: str, name: str, place: Place, actor: Any, phone: str = "") -> Department:
    """A district department (区职能部门)."""
    can_edit_departments.require(actor, place)
    _require_kind(place, {PlaceKind.DISTRICT})
    return _create(
        Department,
        actor,
        "governance.department.created",
        f"登记部门 {name}",
        kind=kind,
        name=name,
        place=place,
        phone=phone,
    )


def alliance_create(
    *, name: str, place: Place, actor: Any, members: list[PropertyCompany] = (), founded_on=None
) -> Alliance:  # noqa: ANN001
    """A property service alliance (物业服务联盟) of a street, with its member companies."""
    can_edit_alliances.require(actor, place)
    _require_kind(place, {PlaceKind.STREET})
    with transaction.atomic():
        alliance = _create(
            Alliance,
            actor,
            "governance.alliance.created",
            f"成立 {name}",
            name=name,
            place=place,
            founded_on=founded_on,
        )
        alliance.members.set(members)
    return alliance


def alliance_member_add(*, alliance: Alliance, company: PropertyCompany, actor: Any) -> Alliance:
    """A company joins the street's alliance."""
    can_edit_alliances.require(actor, alliance.place)
    with transaction.atomic():
        alliance.members.add(company)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            event="governance.alliance.member_added",
            obj=alliance,
            after={"added_company": company.pk},
            summary=f"{company.name} 加入 {alliance.name}",
        )
    return alliance
