"""Reads of governance bodies, scoped to the user through ``visible_to``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q

from gongzhi.governance.models import (
    CommitteeMember,
    OwnersCommittee,
    PartyOrganisation,
    ResidentsCommittee,
    SelfManagement,
    ServiceContract,
)
from gongzhi.governance.rules import CommitteeFacts, CompositionWarning, committee_warnings
from gongzhi.registry.choices import UnitUse
from gongzhi.registry.models import Place, Unit


@dataclass
class EstateParties:
    """The five parties of an estate at a glance (五方): Party organisation, residents' committee,
    property company and contract, owners' committee or 物管会, and the residents themselves."""

    estate: Place
    party_orgs: list[PartyOrganisation]
    residents_committee: ResidentsCommittee | None
    contract: ServiceContract | None
    self_management: SelfManagement | None
    committee: OwnersCommittee | None
    households: int  # residential units in the registry
    units: int

    @property
    def missing(self) -> list[str]:
        out = []
        if not self.party_orgs:
            out.append("党组织")
        if self.residents_committee is None:
            out.append("居委会")
        if self.contract is None and self.self_management is None:
            out.append("物业服务")
        if self.committee is None:
            out.append("业委会/物管会")
        return out


def estate_parties(estate: Place, on: dt.date) -> EstateParties:
    """The five parties of one estate (the caller has already checked the user may see it)."""
    community_path = estate.path.rsplit("/", 2)[0] + "/"
    party_orgs = list(
        PartyOrganisation.objects.filter(Q(place=estate) | Q(committee__estate=estate))
        .select_related("parent")
        .prefetch_related("memberships__person")
        .distinct()
    )
    if not party_orgs:
        # no organisation of its own: the community's Party committee leads it
        party_orgs = list(PartyOrganisation.objects.filter(place__path=community_path, kind="community_committee"))
    rc = ResidentsCommittee.objects.filter(place__path=community_path).first()
    contract = ServiceContract.objects.filter(estate=estate).current(on).select_related("company").first()
    self_management = SelfManagement.objects.filter(estate=estate).current(on).first()
    committee = (
        OwnersCommittee.objects.filter(estate=estate)
        .active()
        .prefetch_related(Prefetch("members", queryset=CommitteeMember.objects.select_related("person")))
        .order_by("-term_number")
        .first()
    )
    counts = Unit.objects.filter(estate=estate).aggregate(
        units=Count("id"), households=Count("id", filter=Q(use=UnitUse.RESIDENTIAL))
    )
    return EstateParties(
        estate=estate,
        party_orgs=party_orgs,
        residents_committee=rc,
        contract=contract,
        self_management=self_management,
        committee=committee,
        households=counts["households"],
        units=counts["units"],
    )


def committee_facts(committee: OwnersCommittee) -> CommitteeFacts:
    members = list(committee.members.all())
    households = Unit.objects.filter(estate_id=committee.estate_id, use=UnitUse.RESIDENTIAL).count()
    filed = None
    if committee.kind == "management_committee":
        oc = (
            OwnersCommittee.objects.filter(estate_id=committee.estate_id, kind="owners_committee", filed_on__isnull=False)
            .active()
            .order_by("-filed_on")
            .first()
        )
        filed = oc.filed_on if oc else None
    return CommitteeFacts(
        kind=committee.kind,
        members=len(members),
        owner_representatives=sum(1 for m in members if m.is_owner_representative),
        chair_from_residents_committee=any(m.post == "chair" and m.from_residents_committee for m in members),
        households=households,
        term_start=committee.term_start,
        term_end=committee.term_end,
        owners_committee_filed_on=filed,
    )


def committee_composition_warnings(committee: OwnersCommittee, today: dt.date) -> list[CompositionWarning]:
    """The composition rules of DOMAIN_RULES.md §E 20–21 that this committee breaks, as warnings."""
    return committee_warnings(committee_facts(committee), today)


def committees_for_user(user: Any):  # noqa: ANN201
    return OwnersCommittee.objects.visible_to(user).select_related("estate").annotate(member_count=Count("members"))
