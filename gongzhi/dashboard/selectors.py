"""Reads for the street cockpit (街道总览): the five parties of every estate and the three rates.

Everything the overview shows comes from three queries whatever the number of estates: the
estates with their facts as subquery annotations, the active committees with their Party
coverage, and the communities of the street. The rates are then computed in
``gongzhi.dashboard.rules``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from gongzhi.core.scoping import path_q, scope_of
from gongzhi.dashboard import rules
from gongzhi.governance.choices import CommitteeKind, CommitteeStatus, PartyOrgKind
from gongzhi.governance.models import (
    CommitteeMember,
    OwnersCommittee,
    PartyOrganisation,
    ResidentsCommittee,
    SelfManagement,
    ServiceContract,
)
from gongzhi.governance.rules import Rate
from gongzhi.registry.choices import PlaceKind, UnitUse
from gongzhi.registry.models import Place, Unit, ancestor_ids

# Who may open the street overview (others get 404, as for a street they cannot see).
OVERVIEW_ROLES = frozenset({"street_officer", "department_officer", "party_worker", "community_staff"})

RATE_LABELS = {
    rules.PROPERTY_COVERAGE: _("物业服务覆盖率"),
    rules.COMMITTEE_FORMATION: _("业委会（物管会）组建率"),
    rules.PARTY_COVERAGE: _("党的组织覆盖率"),
}
RATE_NUMERATOR_LABELS = {
    rules.PROPERTY_COVERAGE: _("有物业服务合同或经认定的业主自管"),
    rules.COMMITTEE_FORMATION: _("有在任的业委会或物管会"),
    rules.PARTY_COVERAGE: _("建有党组织或有党员委员"),
}
BASIS_LABELS = {
    rules.ESTATES: _("按小区数"),
    rules.HOUSEHOLDS: _("按住宅户数"),
    rules.COMMITTEES: _("按在任委员会数"),
}
# Party organisations that cover an owners' committee when placed at its estate (DOMAIN_RULES.md §H 29).
ESTATE_PARTY_KINDS = [PartyOrgKind.BRANCH, PartyOrgKind.TEMPORARY_BRANCH, PartyOrgKind.WORK_GROUP]


def may_view_overview(user: Any) -> bool:
    scope = scope_of(user)
    return scope.everything or bool(scope.roles & OVERVIEW_ROLES)


def streets_for_user(user: Any) -> QuerySet[Place]:
    """The streets whose overview the user may open: those under their role nodes, and the street
    above a community or estate they work at (community staff see their part of the street)."""
    if not may_view_overview(user):
        return Place.objects.none()
    streets = Place.objects.filter(kind=PlaceKind.STREET).order_by("sort_key", "pk")
    scope = scope_of(user)
    if scope.everything:
        return streets
    above = {pk for p in scope.read_paths for pk in ancestor_ids(p)}
    return streets.filter(path_q("path", scope.read_paths) | Q(pk__in=above))


def get_street_for_user(user: Any, pk: int) -> Place:
    try:
        return streets_for_user(user).get(pk=pk)
    except Place.DoesNotExist as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class CommitteeRow:
    """An active owners' committee or 物管会 and what gives it Party coverage."""

    pk: int
    estate_id: int
    name: str
    kind: str
    term_number: int
    party_org_posted: bool  # a Party organisation linked to the committee (派驻党的工作小组)
    party_org_at_estate: bool  # a branch, temporary branch or work group at its estate
    party_members: int  # members who are Party members

    @property
    def kind_label(self) -> str:
        return str(CommitteeKind(self.kind).label)

    @property
    def has_party(self) -> bool:
        return self.party_org_posted or self.party_org_at_estate or self.party_members > 0

    def facts(self) -> rules.CommitteePartyFacts:
        return rules.CommitteePartyFacts(self.pk, self.estate_id, self.has_party)


@dataclass
class EstateRow:
    """One estate of the overview with its five parties (五方) present or missing."""

    pk: int
    name: str
    community_id: int
    community_name: str
    party_org: str  # the estate's own Party organisation, or ""
    community_party_org: str  # the community Party committee leading it, or ""
    residents_committee: str
    company: str  # the company of the current service contract, or ""
    self_managed: bool  # a qualified current self-management (业主自管)
    households: int
    committee_expired: bool  # a committee still marked active whose term has ended
    committees: list[CommitteeRow] = field(default_factory=list)

    @property
    def committee(self) -> CommitteeRow | None:
        """The committee to show: an owners' committee before a 物管会, the latest term first."""
        if not self.committees:
            return None
        return min(self.committees, key=lambda c: (c.kind != CommitteeKind.OWNERS_COMMITTEE, -c.term_number, -c.pk))

    @property
    def has_party_org(self) -> bool:
        return bool(self.party_org or self.community_party_org)

    @property
    def has_property_service(self) -> bool:
        return bool(self.company) or self.self_managed

    @property
    def has_committee(self) -> bool:
        return bool(self.committees)

    @property
    def missing(self) -> list[str]:
        out = []
        if not self.has_party_org:
            out.append(str(_("党组织")))
        if not self.residents_committee:
            out.append(str(_("居委会")))
        if not self.has_property_service:
            out.append(str(_("物业服务")))
        if not self.has_committee:
            out.append(str(_("业委会/物管会")))
        if not self.households:
            out.append(str(_("住户台账")))
        return out

    def facts(self) -> rules.EstateFacts:
        return rules.EstateFacts(self.pk, self.households, self.has_property_service, self.has_committee)


@dataclass(frozen=True)
class RateView:
    """A rate as the page shows it: label, basis, exact value, targets, and who is behind it."""

    code: str
    label: str
    numerator_label: str
    basis: str
    rate: Rate
    targets: list[rules.TargetCheck]
    numerator_ids: list[int]
    other_ids: list[int]  # in the denominator, not in the numerator

    @property
    def basis_label(self) -> str:
        return str(BASIS_LABELS[self.basis])

    @property
    def counts_committees(self) -> bool:
        return self.basis == rules.COMMITTEES


@dataclass
class Overview:
    node: Place
    on: dt.date
    rows: list[EstateRow]
    committees: list[CommitteeRow]
    rates: list[RateView]

    def rate(self, code: str) -> RateView:
        return next(r for r in self.rates if r.code == code)

    @property
    def communities(self) -> list[tuple[int, str]]:
        seen: dict[int, str] = {}
        for row in self.rows:
            seen.setdefault(row.community_id, row.community_name)
        return list(seen.items())

    @property
    def households(self) -> int:
        return sum(r.households for r in self.rows)


def visible_estates(user: Any, node: Place) -> QuerySet[Place]:
    """The estates under ``node`` the user may see."""
    return Place.objects.estates().visible_to(user).filter(path__startswith=node.path)


def _estate_rows(estates: QuerySet[Place], on: dt.date) -> list[EstateRow]:
    estate = OuterRef("pk")
    contract = ServiceContract.objects.filter(estate=estate).current(on).order_by("-start", "-pk")
    # two indexed lookups rather than one OR across a join (which scans every organisation per estate)
    party_at_estate = PartyOrganisation.objects.filter(place=estate).order_by("pk")
    party_at_committee = PartyOrganisation.objects.filter(committee__estate=estate).order_by("pk")
    community_party = PartyOrganisation.objects.filter(
        place=OuterRef("parent"), kind=PartyOrgKind.COMMUNITY_COMMITTEE
    ).order_by("pk")
    # COUNT(*) (not COUNT(id)) lets PostgreSQL answer from the (estate, use) index alone
    households = (
        Unit.objects.filter(estate=estate, use=UnitUse.RESIDENTIAL)
        .order_by()
        .values("estate")
        .annotate(n=Count("*"))
        .values("n")
    )
    expired = OwnersCommittee.objects.filter(estate=estate, status=CommitteeStatus.ACTIVE, term_end__lt=on)
    qs = (
        estates.annotate(
            company_name=Subquery(contract.values("company__name")[:1]),
            self_managed=Exists(SelfManagement.objects.filter(estate=estate).current(on)),
            own_party_name=Coalesce(
                Subquery(party_at_estate.values("name")[:1]), Subquery(party_at_committee.values("name")[:1])
            ),
            community_party_name=Subquery(community_party.values("name")[:1]),
            rc_name=Subquery(
                ResidentsCommittee.objects.filter(place=OuterRef("parent")).order_by("pk").values("name")[:1]
            ),
            household_count=Coalesce(Subquery(households, output_field=IntegerField()), Value(0)),
            committee_expired=Exists(expired),
        )
        .order_by("parent__sort_key", "parent_id", "sort_key", "name", "pk")
        # plain tuples: a street has hundreds of estates and model instances cost more than the query
        .values_list(
            "pk",
            "name",
            "parent_id",
            "parent__name",
            "own_party_name",
            "community_party_name",
            "rc_name",
            "company_name",
            "self_managed",
            "household_count",
            "committee_expired",
        )
    )
    return [
        EstateRow(
            pk=pk,
            name=name,
            community_id=community_id,
            community_name=community_name,
            party_org=party_org or "",
            community_party_org=community_party_org or "",
            residents_committee=rc or "",
            company=company or "",
            self_managed=self_managed,
            households=households,
            committee_expired=expired,
        )
        for (
            pk,
            name,
            community_id,
            community_name,
            party_org,
            community_party_org,
            rc,
            company,
            self_managed,
            households,
            expired,
        ) in qs
    ]


def _committee_rows(estates: QuerySet[Place], on: dt.date) -> list[CommitteeRow]:
    committee = OuterRef("pk")
    party_members = (
        CommitteeMember.objects.filter(committee=committee)
        .filter(Q(is_party_member=True) | Q(person__is_party_member=True))
        .order_by()
        .values("committee")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        OwnersCommittee.objects.active(on)
        .filter(estate__in=estates.order_by().values("pk"))
        .annotate(
            party_org_posted=Exists(PartyOrganisation.objects.filter(committee=committee)),
            party_org_at_estate=Exists(
                PartyOrganisation.objects.filter(place=OuterRef("estate"), kind__in=ESTATE_PARTY_KINDS)
            ),
            party_member_count=Coalesce(Subquery(party_members, output_field=IntegerField()), Value(0)),
        )
        .order_by("estate__path", "-term_number", "pk")
        .values_list(
            "pk",
            "estate_id",
            "name",
            "kind",
            "term_number",
            "party_org_posted",
            "party_org_at_estate",
            "party_member_count",
        )
    )
    return [CommitteeRow(*row) for row in qs]


def rate_views(rows: list[EstateRow], committees: list[CommitteeRow]) -> list[RateView]:
    """The three rates with the settings' numerators, bases and targets (DOMAIN_RULES.md §H 29)."""
    configs = rules.rate_configs(settings.THREE_RATES)
    estate_facts = [r.facts() for r in rows]
    committee_facts = [c.facts() for c in committees]
    out = []
    for code in rules.RATE_CODES:
        config = configs[code]
        rate = rules.compute(config, estate_facts, committee_facts)
        numerator_ids, other_ids = rules.split(config, estate_facts, committee_facts)
        out.append(
            RateView(
                code=code,
                label=str(RATE_LABELS[code]),
                numerator_label=str(RATE_NUMERATOR_LABELS[code]),
                basis=config.basis,
                rate=rate,
                targets=rules.target_checks(rate, settings.THREE_RATES_TARGETS),
                numerator_ids=numerator_ids,
                other_ids=other_ids,
            )
        )
    return out


def street_overview(user: Any, node: Place, on: dt.date) -> Overview:
    """The five parties of every estate under ``node`` visible to ``user``, and the three rates.

    Two queries whatever the number of estates (plus the user's scope, computed once per request).
    """
    estates = visible_estates(user, node)
    rows = _estate_rows(estates, on)
    committees = _committee_rows(estates, on)
    by_estate = {r.pk: r for r in rows}
    for c in committees:
        if c.estate_id in by_estate:  # an estate cannot vanish between the two reads, but do not trust it
            by_estate[c.estate_id].committees.append(c)
    return Overview(node=node, on=on, rows=rows, committees=committees, rates=rate_views(rows, committees))
