"""Persona × service: each governance service refuses, by itself, whoever its permission refuses — with the
permission's code and reason, changing nothing — and lets the others act (tests/authz.py).

Every write service of governance is here, for every persona of tests/personas.py (volunteer and
property staff included). Marking a person as a Party member is the registry's write: governance asks
the registry's service, and the audit log says so.
"""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core.models import AuditLog
from gongzhi.governance import services
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
from gongzhi.registry.models import Person
from tests.authz import ServiceCase, check_service_case

TABLES = (
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
    Person,
)


def _community_party(w) -> PartyOrganisation:
    found = PartyOrganisation.objects.filter(name="甲社区党委").first()
    if found is not None:
        return found
    street = services.party_org_create(kind="street_working_committee", name="广外街道工委", place=w.street, actor=None)
    return services.party_org_create(
        kind="community_committee", name="甲社区党委", place=w.community_a, parent=street, actor=None
    )


def _residents_committee(w) -> ResidentsCommittee:
    found = ResidentsCommittee.objects.filter(place=w.community_a).first()
    return found or services.residents_committee_create(place=w.community_a, name="甲社区居委会", actor=None)


def _alliance(w) -> Alliance:
    found = Alliance.objects.filter(place=w.street).first()
    return found or services.alliance_create(name="广外物业服务联盟", place=w.street, actor=None)


def _member(w) -> CommitteeMember:
    return CommitteeMember.objects.get(committee=w.committee_a, person=w.owner_person)


CASES = [
    ServiceCase(
        "party_org_create",
        can_edit_party_orgs,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.party_org_create(
            kind="branch", name="甲小区党支部", place=w.estate_a, parent=_community_party(w), actor=u
        ),
        tables=TABLES,
        setup=_community_party,
    ),
    ServiceCase(
        "party_member_add",
        can_edit_party_orgs,
        objects=lambda w: (w.community_a,),
        call=lambda w, u: services.party_member_add(organisation=_community_party(w), person=w.owner_person, actor=u),
        tables=TABLES,
        setup=_community_party,
    ),
    ServiceCase(
        "residents_committee_create",
        can_edit_residents_committees,
        objects=lambda w: (w.community_a,),
        call=lambda w, u: services.residents_committee_create(place=w.community_a, name="甲社区居委会", actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "residents_committee_member_add",
        can_edit_residents_committees,
        objects=lambda w: (w.community_a,),
        call=lambda w, u: services.residents_committee_member_add(
            committee=_residents_committee(w), person=w.tenant_person, post="member", actor=u
        ),
        tables=TABLES,
        setup=_residents_committee,
    ),
    ServiceCase(
        "committee_create",
        can_edit_committees,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.committee_create(
            kind="owners_committee",
            estate=w.estate_a,
            name="甲小区第一届业主委员会",
            term_start=dt.date(2027, 3, 1),
            term_end=dt.date(2032, 2, 28),
            actor=u,
        ),
        tables=TABLES,
    ),
    ServiceCase(
        "committee_update",
        can_edit_committees,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.committee_update(committee=w.committee_a, filed_on=dt.date(2024, 3, 15), actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "committee_member_add",
        can_edit_committees,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.committee_member_add(
            committee=w.committee_a, person=w.tenant_person, is_owner_representative=False, actor=u
        ),
        tables=TABLES,
    ),
    ServiceCase(
        "committee_member_remove",
        can_edit_committees,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.committee_member_remove(member=_member(w), actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "company_create",
        can_register_companies,
        objects=lambda w: (w.district,),
        call=lambda w, u: services.company_create(name="丙物业有限公司", place=w.district, actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "contract_create",
        can_edit_contracts,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.contract_create(
            company=w.company_a,
            estate=w.estate_a,
            start=dt.date(2027, 1, 1),
            fee_residential_fen=180,
            service_tier="comfort",
            actor=u,
        ),
        tables=TABLES,
    ),
    ServiceCase(
        "contract_update",
        can_edit_contracts,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.contract_update(
            contract=w.company_a.contracts.get(), fee_residential_fen=160, actor=u
        ),
        tables=TABLES,
    ),
    ServiceCase(
        "self_management_create",
        can_edit_contracts,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.self_management_create(estate=w.estate_a, since=dt.date(2027, 1, 1), actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "department_create",
        can_edit_departments,
        objects=lambda w: (w.district,),
        call=lambda w, u: services.department_create(kind="housing", name="西城区房管局", place=w.district, actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "alliance_create",
        can_edit_alliances,
        objects=lambda w: (w.street,),
        call=lambda w, u: services.alliance_create(name="广外物业服务联盟", place=w.street, actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "alliance_member_add",
        can_edit_alliances,
        objects=lambda w: (w.street,),
        call=lambda w, u: services.alliance_member_add(alliance=_alliance(w), company=w.company_a, actor=u),
        tables=(*TABLES, Alliance.members.through),
        setup=_alliance,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_service_refuses_whom_its_permission_refuses(world, case):
    outcome = check_service_case(world, case, sorted(world.users))
    assert "allowed" in outcome.values(), "someone must be able to act"
    assert "refused" in outcome.values(), "and someone must not"


def test_who_records_estate_a_committees(world):
    outcome = check_service_case(world, CASES[4], sorted(world.users))
    assert sorted(p for p, o in outcome.items() if o == "allowed") == ["admin", "community_staff", "street_officer"]


def test_a_party_member_is_marked_through_the_registry_with_its_audit_row(world):
    org = _community_party(world)
    assert not world.owner_person.is_party_member

    services.party_member_add(organisation=org, person=world.owner_person, actor=world.users["community_staff"])

    world.owner_person.refresh_from_db()
    assert world.owner_person.is_party_member
    row = AuditLog.objects.get(event="registry.person.marked_party_member")
    assert (row.object_type, row.object_id) == ("registry.person", str(world.owner_person.pk))
    assert row.before == {"is_party_member": False} and row.after == {"is_party_member": True}
