"""The governance of each demo estate and the demo logins: service contracts, the owners' or
management committee with its seats, the Party organisations, the grids and 楼组 with their leaders,
and one login per role. A mixin of ``gongzhi.demo.builder.DemoBuilder``, which owns the state these
steps read (the random generator, the places and bodies made so far, the people picked for posts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gongzhi.accounts import services as account_services
from gongzhi.accounts.models import User
from gongzhi.demo import sites
from gongzhi.demo.kit import DEMO_PASSWORD
from gongzhi.demo.population import shift_years
from gongzhi.demo.users import DEMO_USERS
from gongzhi.governance import services as gov
from gongzhi.governance.models import OwnersCommittee, PartyOrganisation, ResidentsCommittee
from gongzhi.governance.rules import add_months
from gongzhi.registry import services as reg
from gongzhi.registry.choices import GridKind, GridRole
from gongzhi.registry.models import Organisation, Person, Place


@dataclass(slots=True)
class Candidate:
    """Someone who could take a post (委员、楼组长、志愿者), before they are fetched as a Person."""

    pk: int
    is_party_member: bool


@dataclass
class EstateRecord:
    """What the governance steps need to know about an estate once its rows exist."""

    spec: sites.Estate
    place: Place
    community: CommunityRecord
    buildings: list[Place] = field(default_factory=list)
    entrances: dict[int, list[Place]] = field(default_factory=dict)  # building id -> entrances
    units: int = 0
    people: int = 0
    owners: list[Candidate] = field(default_factory=list)  # adult owner-occupiers, in unit order
    residents_by_building: dict[int, list[Candidate]] = field(default_factory=dict)  # adults, renters aside
    party_residents: list[Candidate] = field(default_factory=list)  # adult Party members, renters aside
    tenants: list[Candidate] = field(default_factory=list)  # adult renters of rented-out homes
    committee: OwnersCommittee | None = None
    committee_party: list[Person] = field(default_factory=list)
    used: set[int] = field(default_factory=set)  # people already given a post


@dataclass
class CommunityRecord:
    spec: sites.Community
    place: Place
    district: sites.District
    party: PartyOrganisation | None = None
    rc: ResidentsCommittee | None = None
    rc_chair: Person | None = None
    rc_people: list[Person] = field(default_factory=list)  # chair, vice chair, members
    workers: list[Person] = field(default_factory=list)  # 社区工作者, the grid workers


def term_dates(term: sites.Term, today: dt.date) -> tuple[int, dt.date, dt.date]:
    """The current term of a committee: (term number, first day, last day)."""
    if term.founded is not None:
        start, number = term.founded, 1
        while shift_years(start, term.years) <= today:
            start, number = shift_years(start, term.years), number + 1
    else:
        start, number = add_months(today, -(term.months_ago or 0)), 1
    end = shift_years(start, term.years) - dt.timedelta(days=1)
    return term.number or number, start, end


class GovernanceSteps:
    """The steps after an estate's rows exist; ``DemoBuilder`` provides these attributes and
    ``_staff``/``_named_person``."""

    today: dt.date
    rng: Any
    places: dict[tuple[str, ...], Place]
    volunteer_place: Place | None
    companies: dict[str, Any]
    departments: dict[str, Any]
    orgs: dict[str, Organisation]
    estates: dict[str, EstateRecord]
    picks: dict[str, Person]

    def _contracts(self, record: EstateRecord) -> None:
        for c in record.spec.contracts:
            gov.contract_create(
                company=self.companies[c.company],
                estate=record.place,
                start=c.start,
                end=c.end,
                fee_residential_fen=c.fee_fen,
                fee_non_residential_fen=c.fee_non_residential_fen,
                service_tier=c.tier,
                how_hired=c.how_hired,
                actor=None,
            )
        if record.spec.self_managed_since:
            gov.self_management_create(
                estate=record.place, since=record.spec.self_managed_since, qualified=True, actor=None
            )

    def _free(self, record: EstateRecord, pool: list[Candidate], party: bool | None = None) -> Person | None:
        """The next person of ``pool`` without a post yet (and with the wanted Party status), or None."""
        for candidate in pool:
            if candidate.pk in record.used or (party is not None and candidate.is_party_member != party):
                continue
            record.used.add(candidate.pk)
            return Person.objects.get(pk=candidate.pk)
        return None

    def _pick(self, record: EstateRecord, pool: list[Candidate], party: bool | None = None) -> Person:
        person = self._free(record, pool, party) or self._free(record, record.owners, party)
        if person is not None:
            return person
        if party:
            # Not enough Party members recorded among the residents: record an owner as one.
            person = self._free(record, record.owners, party=False)
            if person is not None:
                return reg.person_update(person=person, is_party_member=True, actor=None)
        raise ValueError(f"{record.spec.name}: not enough people for the posts")

    def _committee(self, record: EstateRecord, spec: sites.Committee) -> None:
        number, start, end = term_dates(spec.term, self.today)
        committee = gov.committee_create(
            kind=spec.kind,
            estate=record.place,
            name=spec.name,
            term_number=number,
            term_start=start,
            term_end=end,
            filed_on=min(start + dt.timedelta(days=20), self.today),
            actor=None,
        )
        record.committee = committee
        community = record.community
        party_left, others_left = spec.party_members, spec.members - spec.party_members
        seats: list[dict[str, Any]] = []

        def seat(person: Person, party: bool, **kw: Any) -> None:
            nonlocal party_left, others_left
            if party:
                party_left -= 1
            else:
                others_left -= 1
            record.used.add(person.pk)
            seats.append({"person": person, "is_party_member": party, **kw})

        # Members sent by the residents' committee; a 物管会's chair is one of them (BJ art. 52).
        rc_people = [self._named_person(spec.chair, community.place)] if spec.chair and spec.from_rc else []
        rc_people += [p for p in community.rc_people if p not in rc_people]
        for k in range(spec.from_rc):
            seat(
                rc_people[k],
                True,
                post="chair" if k == 0 else "member",
                is_owner_representative=False,
                from_residents_committee=True,
                represents=community.rc.name,
            )
        if spec.chair and not spec.from_rc:
            # An owners' committee's chair is an owner; the report does not say whether a Party member.
            named = self._named_person(spec.chair, record.place)
            seat(named, others_left == 0, post="chair")
        for k in range(spec.rights_unit_reps):
            holding = record.spec.holdings[k % len(record.spec.holdings)]
            party = party_left > 0 and (others_left == 0 or self.rng.random() < 0.7)
            rep = self._staff(record.place, community.district.region, age=(40, 57), party=party)
            seat(rep, party, post="member", represents=holding.name)
        if spec.vice_chair:
            seat(self._named_person(spec.vice_chair, record.place), party_left > 0, post="vice_chair")
        while party_left > 0 or others_left > 0:
            party = party_left > 0 and (others_left == 0 or self.rng.random() < party_left / (party_left + others_left))
            person = self._pick(record, record.owners, party=party)
            has_chair = any(s.get("post") == "chair" for s in seats)
            has_vice = any(s.get("post") == "vice_chair" for s in seats)
            post = "member" if has_chair and has_vice else ("vice_chair" if has_chair else "chair")
            seat(person, party, post=post)
        for s in seats:
            member = gov.committee_member_add(committee=committee, actor=None, **s)
            if member.is_party_member:
                record.committee_party.append(member.person)
        if record.spec.name == "广安门北街20号院":
            self.picks["guanganmen_committee"] = seats[-1]["person"]
        elif record.spec.name == "蓟门里小区":
            self.picks["jimenli_committee"] = seats[-1]["person"]
        elif record.spec.name == "富南大厦":
            self.picks["funan_committee"] = seats[-1]["person"]

    def _party_org(self, record: EstateRecord, spec: sites.PartyOrg, parent: PartyOrganisation | None = None) -> None:
        community = record.community
        place = community.place if spec.at_community else record.place
        org = gov.party_org_create(
            kind=spec.kind,
            name=spec.name,
            place=place,
            parent=parent or community.party,
            committee=record.committee if spec.on_committee else None,
            founded_on=spec.founded,
            actor=None,
        )
        members: list[Person] = []
        if spec.secretary:
            members.append(self._named_person(spec.secretary, community.place))
        if spec.from_committee:
            members += [p for p in record.committee_party if p not in members]
        elif spec.on_committee and record.committee_party:
            members.append(record.committee_party[-1])  # one posted member sits on the committee (富南5条)
        while len(members) < spec.members:
            members.append(self._pick(record, record.party_residents or record.owners, party=True))
        leader_posts = (
            ["group_leader"]
            if spec.kind in ("work_group", "party_group")
            else ["secretary", "deputy_secretary", *["committee_member"] * max(0, spec.leaders - 2)]
        )
        for k, person in enumerate(members):
            post = leader_posts[k] if k < spec.leaders else "member"
            gov.party_member_add(organisation=org, person=person, post=post, since=spec.founded, actor=None)
            if not person.is_party_member:
                person.is_party_member = True
        if spec.zones:
            self._party_zones(record, spec, members)
        if spec.group:
            self._party_org(record, spec.group, parent=org)

    def _party_zones(self, record: EstateRecord, spec: sites.PartyOrg, members: list[Person]) -> None:
        """党员包楼: the estate's buildings split into one zone per Party member (老山: 90 栋 by 3 党员, 报道)."""
        buildings = record.buildings
        size = -(-len(buildings) // spec.zones)
        for k in range(spec.zones):
            zone = buildings[k * size : (k + 1) * size]
            grid = reg.grid_create(
                kind=GridKind.GRID,
                name=f"党员责任区{'一二三四五六七八九十'[k]}（{zone[0].name}至{zone[-1].name}）",
                place=record.place,
                places=zone,
                actor=None,
            )
            reg.grid_assign(
                grid=grid, person=members[k % len(members)], role=GridRole.PARTY_MEMBER_BUILDINGS, actor=None
            )

    def _grids(self, record: EstateRecord) -> None:
        """网格 of up to 12 buildings, each with a grid worker; 楼组 with a leader, a Party member and volunteers."""
        workers = record.community.workers
        buildings = [b for b in record.buildings if b.name != "地下车库"]
        for k in range(0, len(buildings), 12):
            chunk = buildings[k : k + 12]
            grid = reg.grid_create(
                kind=GridKind.GRID,
                name=f"{record.spec.name}第{k // 12 + 1}网格",
                place=record.place,
                places=chunk,
                actor=None,
            )
            worker = workers[(len(self.estates) + k // 12) % len(workers)]
            reg.grid_assign(grid=grid, person=worker, role=GridRole.GRID_WORKER, actor=None)
            if record.spec.name == "劲松一区" and k == 0:
                self.picks["jinsong_grid"] = worker
            if record.spec.building_groups:
                self._building_groups(record, grid, chunk)

    def _building_groups(self, record: EstateRecord, grid: Any, buildings: list[Place]) -> None:
        for building in buildings:
            entrances = record.entrances.get(building.pk) or []
            targets = (
                [(e, f"{building.name}{e.name}楼组") for e in entrances] if len(buildings) == 1 and entrances else []
            )
            targets = targets or [(building, f"{building.name}楼组")]
            for place, name in targets:
                group = reg.grid_create(
                    kind=GridKind.BUILDING_GROUP, name=name, place=record.place, places=[place], parent=grid, actor=None
                )
                local = record.residents_by_building.get(building.pk) or record.owners
                leader = self._pick(record, local)
                reg.grid_assign(grid=group, person=leader, role=GridRole.BUILDING_GROUP_LEADER, actor=None)
                member = self._free(record, local, party=True) or self._free(record, record.party_residents, party=True)
                if member is not None:
                    reg.grid_assign(grid=group, person=member, role=GridRole.PARTY_MEMBER_BUILDINGS, actor=None)
                for _ in range(self.rng.randint(1, 2)):
                    volunteer = self._free(record, local)
                    if volunteer is not None:
                        reg.grid_assign(grid=group, person=volunteer, role=GridRole.VOLUNTEER, actor=None)
                if record.spec.name == "劲松一区" and self.volunteer_place is None:
                    self.picks["jinsong_volunteer"] = leader
                    self.volunteer_place = building

    # ------------------------------------------------------------------ demo users

    def _resident_picks(self) -> None:
        jinsong_1 = self.estates["劲松一区"]
        owner = self._pick(jinsong_1, jinsong_1.owners)
        self.picks["jinsong_owner"] = owner
        jinsong_2 = self.estates["劲松二区"]
        self.picks["jinsong_tenant"] = self._pick(jinsong_2, jinsong_2.tenants)
        g20 = self.estates["广安门北街20号院"]
        self.picks["guanganmen_owner"] = self._pick(g20, g20.owners)

    def _users(self) -> None:
        self._resident_picks()
        for spec in DEMO_USERS:
            person = self.picks.get(spec.person) if spec.person else None
            user = account_services.user_create(
                username=spec.username,
                password=DEMO_PASSWORD,
                display_name=spec.display_name,
                phone=person.phone if spec.role == "resident" and person and person.phone else None,
                person=person,
                actor=None,
            )
            if spec.role == "superuser":
                User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
                continue
            if spec.role == "resident":
                continue
            place = self.places[spec.place] if spec.place else None
            if spec.username == "jinsong_volunteer":
                place = self.volunteer_place  # the building whose 楼组 the person leads
            account_services.role_assign(
                user=user,
                role=spec.role,
                actor=None,
                place=place,
                company=self.companies.get(spec.company) if spec.company else None,
                organisation=self.orgs.get(spec.organisation) if spec.organisation else None,
                department=self.departments.get(spec.department) if spec.department else None,
                title=spec.title,
            )
