"""Reads of governance bodies, scoped to the user through ``visible_to``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce

from gongzhi.core.scoping import scope_of
from gongzhi.governance.models import (
    Alliance,
    CommitteeMember,
    OwnersCommittee,
    PartyMembership,
    PartyOrganisation,
    PropertyCompany,
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
            OwnersCommittee.objects.filter(
                estate_id=committee.estate_id, kind="owners_committee", filed_on__isnull=False
            )
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


# --- Web pages: committee, Party organisation and company lists (batched, scoped) -------------------

POST_ORDER = {"chair": 0, "vice_chair": 1, "member": 2, "staff": 3}


def _count(qs: Any, group: str) -> Coalesce:
    return Coalesce(
        Subquery(qs.order_by().values(group).annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        Value(0),
    )


def committees_with_facts(queryset: Any) -> Any:
    """Annotate committees with what DOMAIN_RULES.md §E 20–21 needs, one subquery per fact, so a
    page of committees gets its warnings without a query per committee (same facts as
    ``committee_facts``)."""
    members = CommitteeMember.objects.filter(committee=OuterRef("pk"))
    owners_committee_filed = (
        OwnersCommittee.objects.filter(
            estate=OuterRef("estate"), kind="owners_committee", status="active", filed_on__isnull=False
        )
        .order_by("-filed_on")
        .values("filed_on")[:1]
    )
    return queryset.annotate(
        member_count=_count(members, "committee"),
        owner_rep_count=_count(members.filter(is_owner_representative=True), "committee"),
        party_member_count=_count(members.filter(is_party_member=True), "committee"),
        chair_from_rc=Exists(members.filter(post="chair", from_residents_committee=True)),
        household_count=_count(Unit.objects.filter(estate=OuterRef("estate"), use=UnitUse.RESIDENTIAL), "estate"),
        oc_filed_on=Subquery(owners_committee_filed),
    )


def annotated_committee_facts(committee: OwnersCommittee) -> CommitteeFacts:
    """The facts of a committee annotated by ``committees_with_facts``."""
    return CommitteeFacts(
        kind=committee.kind,
        members=committee.member_count,
        owner_representatives=committee.owner_rep_count,
        chair_from_residents_committee=committee.chair_from_rc,
        households=committee.household_count,
        term_start=committee.term_start,
        term_end=committee.term_end,
        owners_committee_filed_on=committee.oc_filed_on if committee.kind == "management_committee" else None,
    )


def committee_list_for_user(user: Any, *, kind: str = "", status: str = "", search: str = "") -> Any:
    """The committees a user may see, filtered, ready for ``committees_with_facts``."""
    qs = OwnersCommittee.objects.visible_to(user).select_related("estate", "estate__parent")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(estate__name__icontains=search))
    return qs.order_by(
        "estate__parent__sort_key",
        "estate__parent_id",
        "estate__sort_key",
        "estate__name",
        "kind",
        "-term_number",
        "pk",
    )


def committee_members(committee: OwnersCommittee) -> list[CommitteeMember]:
    """Members of a committee, chair first, then vice-chairs, then members (uses a prefetch if there is one)."""
    rows = list(committee.members.all())
    return sorted(rows, key=lambda m: (POST_ORDER.get(m.post, 9), m.pk))


def party_org_tree(user: Any) -> list[tuple[PartyOrganisation, int]]:
    """The Party organisations a user may see as a tree, depth-first: (organisation, depth).

    An organisation whose parent the user cannot see is shown as a root.
    """
    orgs = list(
        PartyOrganisation.objects.visible_to(user)
        .select_related("place", "committee")
        .annotate(member_count=_count(PartyMembership.objects.filter(organisation=OuterRef("pk")), "organisation"))
        .order_by("place__path", "kind", "name", "pk")
    )
    ids = {o.pk for o in orgs}
    children: dict[int | None, list[PartyOrganisation]] = {}
    for o in orgs:
        children.setdefault(o.parent_id if o.parent_id in ids else None, []).append(o)
    out: list[tuple[PartyOrganisation, int]] = []
    stack = [(o, 0) for o in reversed(children.get(None, []))]
    while stack:
        org, depth = stack.pop()
        out.append((org, depth))
        stack.extend((c, depth + 1) for c in reversed(children.get(org.pk, [])))
    return out


def party_org_children(user: Any, org: PartyOrganisation) -> list[PartyOrganisation]:
    return list(PartyOrganisation.objects.visible_to(user).filter(parent=org).select_related("place"))


def party_org_parent(user: Any, org: PartyOrganisation) -> PartyOrganisation | None:
    """The parent organisation if the user may see it."""
    if org.parent_id is None:
        return None
    return PartyOrganisation.objects.visible_to(user).filter(pk=org.parent_id).first()


def party_org_members(org: PartyOrganisation) -> list[PartyMembership]:
    rows = list(org.memberships.select_related("person"))
    order = {"secretary": 0, "deputy_secretary": 1, "group_leader": 2, "committee_member": 3, "member": 4}
    return sorted(rows, key=lambda m: (order.get(m.post, 9), m.person.name, m.pk))


def companies_for_user(user: Any, on: dt.date, *, search: str = "") -> Any:
    """The property companies a user may see, with how many of their current contracts the user sees."""
    visible_contracts = ServiceContract.objects.visible_to(user).filter(company=OuterRef("pk")).current(on)
    qs = PropertyCompany.objects.visible_to(user).annotate(current_contracts=_count(visible_contracts, "company"))
    if search:
        qs = qs.filter(name__icontains=search)
    return qs.order_by("name")


def company_contracts(user: Any, company: PropertyCompany) -> list[ServiceContract]:
    """The company's contracts the user may see, the newest first."""
    return list(
        ServiceContract.objects.visible_to(user)
        .filter(company=company)
        .select_related("estate", "estate__parent")
        .order_by("-start", "-pk")
    )


def company_alliances(user: Any, company: PropertyCompany) -> list[Alliance]:
    """The alliances the company belongs to: those the user may see, and all of them for the company's staff."""
    qs = Alliance.objects.filter(members=company).select_related("place")
    if company.pk not in scope_of(user).company_ids:
        qs = qs.filter(pk__in=Alliance.objects.visible_to(user).values("pk"))
    return list(qs.order_by("name"))


# --- Contracts, as other apps read them ---------------------------------------------------------------


@dataclass
class EstateGovernance:
    """What the estate list shows of an estate's governance: its current property service and
    whether an owners' committee or 物管会 is in office."""

    company_name: str = ""
    company_id: int | None = None
    self_managed: bool = False
    committee_id: int | None = None
    committee_kind: str = ""
    committee_name: str = ""

    @property
    def has_service(self) -> bool:
        return bool(self.company_id or self.self_managed)


def estates_governance(estate_ids: list[int], on: dt.date) -> dict[int, EstateGovernance]:
    """Governance facts for a page of estates in three queries (not one ``estate_parties`` each).

    Read with the same rules as ``estate_parties``: a current contract or a qualified self-management
    counts as property service; an active committee is in office. The estate list reads it here, where
    the contracts and committees live, rather than querying governance tables itself.
    """
    out = {pk: EstateGovernance() for pk in estate_ids}
    contracts = (
        ServiceContract.objects.filter(estate_id__in=estate_ids)
        .current(on)
        .select_related("company")
        .order_by("estate_id", "-start", "-id")
    )
    for c in contracts:
        row = out[c.estate_id]
        if row.company_id is None:
            row.company_id, row.company_name = c.company_id, c.company.name
    for estate_id in (
        SelfManagement.objects.filter(estate_id__in=estate_ids).current(on).values_list("estate_id", flat=True)
    ):
        out[estate_id].self_managed = True
    committees = (
        OwnersCommittee.objects.filter(estate_id__in=estate_ids).active().order_by("estate_id", "-term_number", "-id")
    )
    for c in committees:
        row = out[c.estate_id]
        if row.committee_id is None:
            row.committee_id, row.committee_kind, row.committee_name = c.pk, c.get_kind_display(), c.name
    return out


def current_contract(estate: Any, on: dt.date) -> ServiceContract | None:
    """The estate's service contract in force on ``on`` (the latest started), with its company: the one
    read of "who serves this estate now" every app uses."""
    return (
        ServiceContract.objects.filter(estate=estate).current(on).select_related("company").order_by("-start").first()
    )


def served_estates(company_ids: Any, on: dt.date) -> list[tuple[int, int, str]]:
    """``(company_id, estate_id, estate_path)`` for every estate the companies serve under a contract in
    force on ``on`` — what a property company's staff may see and act on."""
    if not company_ids:
        return []
    return list(
        ServiceContract.objects.filter(company_id__in=company_ids)
        .current(on)
        .values_list("company_id", "estate_id", "estate__path")
    )
