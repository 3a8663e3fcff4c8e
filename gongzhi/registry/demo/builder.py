"""Builds the demo world of ``sites`` into the database (``manage.py load_demo``).

Places and every governance body go through the services (each with its audit row); the
thousands of units, people, ownerships and residencies go in by bulk insert, with one audit row
per estate recording the import. Everything runs in one transaction: the demo is loaded whole or
not at all. The same seed and the same day give the same data.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from gongzhi.accounts import services as account_services
from gongzhi.accounts.models import User
from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditAction
from gongzhi.governance import services as gov
from gongzhi.governance.models import OwnersCommittee, PartyOrganisation, ResidentsCommittee
from gongzhi.governance.rules import add_months
from gongzhi.registry import rules
from gongzhi.registry import services as reg
from gongzhi.registry.choices import GridKind, GridRole, PlaceKind, UnitUse
from gongzhi.registry.demo import sites
from gongzhi.registry.demo.bulk import BulkWriter, IdAllocator
from gongzhi.registry.demo.population import (
    OWNER_ORG,
    OWNER_PERSON,
    IdNumbers,
    Names,
    areas,
    birth_for_age,
    mobile,
    plan_buildings,
    shift_years,
    unit_numbers,
)
from gongzhi.registry.demo.population import (
    make_homes as _make_homes,
)
from gongzhi.registry.demo.users import DEMO_PASSWORD, DEMO_USERS
from gongzhi.registry.models import Organisation, Ownership, Person, Place, Residency, Unit

BATCH = 5000
UNIT_FIELDS = (
    "id", "estate_id", "building_id", "entrance_id", "path", "number", "floor", "use",
    "registered_area", "surveyed_area", "contract_area", "area", "area_source", "developer_unsold", "note",
)  # fmt: skip
PERSON_FIELDS = ("id", "name", "phone", "id_number", "gender", "birth_date", "is_party_member", "place_id", "note")
OWNERSHIP_FIELDS = ("unit_id", "owner_kind", "person_id", "organisation_id", "share", "since", "until")
RESIDENCY_FIELDS = ("unit_id", "person_id", "kind", "since", "until")
NAMED_NOTE = "公开报道中的人物；演示数据不含其证件号码、出生日期和手机号"


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


class DemoBuilder:
    def __init__(self, *, seed: int = 2026, today: dt.date, log: Any = None) -> None:
        self.seed = seed
        self.today = today
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, seeded on purpose
        self.names = Names.from_faker(self.rng)
        self.ids_numbers = IdNumbers()
        self.ids = IdAllocator()
        self.log = log or (lambda _msg: None)
        self.places: dict[tuple[str, ...], Place] = {}
        self.keys: dict[int, tuple[str, ...]] = {}  # place id -> names from the city down
        self.volunteer_place: Place | None = None
        self.made: set[int] = set()  # places made in this run
        self.companies: dict[str, Any] = {}
        self.departments: dict[str, Any] = {}
        self.orgs: dict[str, Organisation] = {}
        self.estates: dict[str, EstateRecord] = {}
        self.named: dict[str, Person] = {}
        self.picks: dict[str, Person] = {}
        self.counts = {"places": 0, "units": 0, "people": 0, "ownerships": 0, "residencies": 0}

    # ------------------------------------------------------------------ entry point

    def build(self) -> dict[str, int]:
        started = time.monotonic()
        with transaction.atomic():
            for city in sites.WORLD:
                city_place = self._place(PlaceKind.CITY, city.name, None)
                for district in city.districts:
                    self._district(city, city_place, district)
            self._users()
            audit_record(
                actor=None,
                action=AuditAction.IMPORT,
                object_type="registry.demo",
                object_id=str(self.seed),
                summary=(
                    f"加载演示数据：{len(self.estates)} 个小区、{self.counts['units']} 套房屋、"
                    f"{self.counts['people']} 人（种子 {self.seed}）"
                ),
            )
        self.counts["seconds"] = round(time.monotonic() - started, 1)
        return self.counts

    # ------------------------------------------------------------------ places

    def _place(self, kind: str, name: str, parent: Place | None, **fields: Any) -> Place:
        """The node with this name under ``parent``, made if missing (北京市 may exist from seed_scale)."""
        key = (*(self.keys[parent.pk] if parent else ()), name)
        if key in self.places:
            return self.places[key]
        place = None
        if parent is None or parent.pk not in self.made:  # under a node made in this run nothing exists yet
            place = Place.objects.filter(parent=parent, kind=kind, name=name).first()
        if place is None:
            place = reg.place_create(kind=kind, name=name, parent=parent, actor=None, **fields)
            self.made.add(place.pk)
            self.counts["places"] += 1
        self.places[key] = place
        self.keys[place.pk] = key
        return place

    # ------------------------------------------------------------------ people

    def _person_row(
        self, *, place: Place, region: str, age: int, female: bool, party: bool = False, note: str = ""
    ) -> Person:
        birth = birth_for_age(age, self.today, self.rng)
        return Person(
            name=self.names(female),
            gender="female" if female else "male",
            birth_date=birth,
            id_number=self.ids_numbers.make(region, birth, female, self.rng),
            phone=mobile(self.rng) if age >= 16 else "",
            is_party_member=party,
            place=place,
            note=note,
        )

    def _staff(self, place: Place, region: str, *, age: tuple[int, int] = (28, 56), party: bool = False) -> Person:
        """A person who works here (社区工作者、委员), registered through the service."""
        female = self.rng.random() < 0.6
        row = self._person_row(place=place, region=region, age=self.rng.randint(*age), female=female, party=party)
        person = reg.person_create(
            name=row.name,
            place=place,
            actor=None,
            gender=row.gender,
            birth_date=row.birth_date,
            id_number=row.id_number,
            phone=row.phone,
            is_party_member=party,
        )
        self.counts["people"] += 1
        return person

    def _named_person(self, name: str, place: Place) -> Person:
        """An office holder named in the reports: registered once, with no personal data."""
        if name not in self.named:
            self.named[name] = reg.person_create(name=name, place=place, actor=None, note=NAMED_NOTE)
            self.counts["people"] += 1
        return self.named[name]

    # ------------------------------------------------------------------ district, street, community

    def _district(self, city: sites.City, city_place: Place, spec: sites.District) -> None:
        district = self._place(PlaceKind.DISTRICT, spec.name, city_place)
        for kind, name, phone in spec.departments:
            self.departments[name] = gov.department_create(
                kind=kind, name=name, place=district, phone=phone, actor=None
            )
        for company in spec.companies:
            self.companies[company.name] = gov.company_create(
                name=company.name,
                place=district,
                actor=None,
                contact_name=company.contact,
                phone=company.phone,
                address=company.address or f"{city.name}{spec.name}",
            )
        for street in spec.streets:
            self._street(spec, district, street)
        self.log(f"  {city.name}{spec.name}：完成")

    def _street(self, district_spec: sites.District, district: Place, spec: sites.Street) -> None:
        street = self._place(PlaceKind.STREET, spec.name, district, note=sites.NOTE_REPORTED)
        committee = gov.party_org_create(
            kind="street_working_committee", name=spec.working_committee, place=street, actor=None
        )
        secretary = (
            self._named_person(spec.secretary, street)
            if spec.secretary
            else self._staff(street, district_spec.region, age=(45, 57), party=True)
        )
        gov.party_member_add(organisation=committee, person=secretary, post="secretary", actor=None)
        for name in spec.deputies:
            gov.party_member_add(
                organisation=committee, person=self._named_person(name, street), post="deputy_secretary", actor=None
            )
        for community in spec.communities:
            self._community(district_spec, street, committee, community)
        if spec.alliance:
            members = [self.companies[name] for name in spec.alliance.members]
            members += self._synthetic_companies(district, spec, spec.alliance.synthetic_members)
            gov.alliance_create(
                name=spec.alliance.name,
                place=street,
                members=members,
                founded_on=spec.alliance.founded,
                actor=None,
            )

    def _synthetic_companies(self, district: Place, street: sites.Street, count: int) -> list[Any]:
        first = "华安嘉润泰和康盛鑫瑞德恒祥富兴中宏远达信诚"
        second = "邦居达成源通汇联宇晟"
        made = []
        for i in range(count):
            name = f"北京{first[i % len(first)]}{second[(i * 7) % len(second)]}物业服务有限公司"
            if name in self.companies:
                name = f"北京{first[i % len(first)]}{second[(i * 7) % len(second)]}第{i + 1}物业服务有限公司"
            self.companies[name] = gov.company_create(
                name=name,
                place=district,
                actor=None,
                contact_name="物业服务中心",
                phone=f"010-6{self.rng.randrange(10**6, 10**7)}",
                address=f"{district.name}{street.name}辖区",
            )
            made.append(self.companies[name])
        return made

    def _community(
        self, district_spec: sites.District, street: Place, street_committee: PartyOrganisation, spec: sites.Community
    ) -> None:
        place = self._place(
            PlaceKind.COMMUNITY,
            spec.name,
            street,
            households_declared=spec.households_declared,
            note=sites.NOTE_REPORTED if spec.reported else sites.NOTE_SYNTHETIC,
        )
        record = CommunityRecord(spec=spec, place=place, district=district_spec)
        region = district_spec.region
        # Residents' committee (居委会): chair, vice chair, two members, and four 社区工作者.
        record.rc = gov.residents_committee_create(
            place=place,
            name=f"{spec.name}居民委员会",
            actor=None,
            phone=spec.rc_phone,
            office=f"{spec.name}党群服务中心",
            term_start=add_months(self.today, -8),
            term_end=shift_years(add_months(self.today, -8), 5) - dt.timedelta(days=1),
        )
        chair = self._named_person(spec.rc_chair, place) if spec.rc_chair else self._staff(place, region, party=True)
        record.rc_chair = chair
        vice = self._staff(place, region, party=True)
        members = [self._staff(place, region, party=self.rng.random() < 0.5) for _ in range(2)]
        record.rc_people = [chair, vice, *members]
        for person, post in zip(record.rc_people, ("chair", "vice_chair", "member", "member"), strict=True):
            gov.residents_committee_member_add(committee=record.rc, person=person, post=post, actor=None)
        record.workers = [self._staff(place, region, age=(24, 45)) for _ in range(4)]
        for person in record.workers:
            gov.residents_committee_member_add(committee=record.rc, person=person, post="staff", actor=None)
        # Party committee of the community (社区党委 / 居民区党总支), led by the named secretary or,
        # as commonly in Beijing (一肩挑), by the residents' committee chair.
        record.party = gov.party_org_create(
            kind="community_committee",
            name=spec.party_name or f"{spec.name}党委",
            place=place,
            parent=street_committee,
            actor=None,
        )
        secretary = self._named_person(spec.party_secretary, place) if spec.party_secretary else chair
        gov.party_member_add(organisation=record.party, person=secretary, post="secretary", actor=None)
        if vice is not secretary:
            gov.party_member_add(organisation=record.party, person=vice, post="committee_member", actor=None)
        if chair is not secretary:
            gov.party_member_add(organisation=record.party, person=chair, post="deputy_secretary", actor=None)
        for spec_estate in spec.estates:
            self._estate(record, spec_estate)

    # ------------------------------------------------------------------ estates

    def _estate(self, community: CommunityRecord, spec: sites.Estate) -> None:
        place = self._place(
            PlaceKind.ESTATE,
            spec.name,
            community.place,
            built_year=spec.built_year,
            is_old=spec.is_old,
            address=spec.address,
            households_declared=spec.households_declared,
            note=sites.NOTE_REPORTED if spec.reported else sites.NOTE_SYNTHETIC,
        )
        record = EstateRecord(spec=spec, place=place, community=community)
        self.estates[spec.name] = record
        slots = self._buildings(record)
        self._registry_rows(record, slots)
        self._contracts(record)
        if spec.committee:
            self._committee(record, spec.committee)
        for org in spec.party_orgs:
            self._party_org(record, org)
        self._grids(record)
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            obj=place,
            summary=f"批量导入演示台账 {spec.name}：{record.units} 套房屋、{record.people} 人",
        )
        self.log(f"    {spec.name}：{record.units} 套房屋，{record.people} 人")

    def _buildings(self, record: EstateRecord) -> list[tuple[Place, Place | None, int, str, str]]:
        """Make the buildings and entrances; return the unit slots (building, entrance, floor, number, use)."""
        spec, layout, rng = record.spec, record.spec.layout, self.rng
        plans = plan_buildings(
            rng,
            households=layout.households,
            styles=list(layout.styles),
            count=layout.buildings,
            first_number=layout.first_number,
            name_format=layout.name_format,
        )
        podium = [x for x in layout.extras if x.where == "podium"]
        podium_floors = sum(-(-x.count // x.per_floor) for x in podium)
        podium_top = max((x.start_floor for x in podium), default=1) - 1 + podium_floors
        slots: list[tuple[Place, Place | None, int, str, str]] = []
        for i, plan in enumerate(plans):
            old = spec.is_old if layout.old_buildings is None else i < layout.old_buildings
            building = self._place(
                PlaceKind.BUILDING,
                plan.name,
                record.place,
                sort_key=plan.sort_key,
                built_year=spec.built_year if old or not spec.is_old else 2008,
                is_old=old,
            )
            record.buildings.append(building)
            offset = podium_top if i == 0 else 0
            entrances = []
            for j, entrance_plan in enumerate(plan.entrances, start=1):
                entrance = None
                if entrance_plan.name:
                    entrance = self._place(PlaceKind.ENTRANCE, entrance_plan.name, building, sort_key=f"{j:02d}")
                    entrances.append(entrance)
                for floor, number in unit_numbers(entrance_plan):
                    slots.append(
                        (building, entrance, floor + offset, f"{floor + offset}{number[-2:]}", UnitUse.RESIDENTIAL)
                    )
            record.entrances[building.pk] = entrances
        for extra in layout.extras:
            slots.extend(self._extra_slots(record, extra))
        return slots

    def _extra_slots(self, record: EstateRecord, extra: sites.Extra) -> list[tuple[Place, Place | None, int, str, str]]:
        first = record.buildings[0]
        if extra.where == "podium":
            out = []
            for k in range(extra.count):
                floor = extra.start_floor + k // extra.per_floor
                out.append((first, None, floor, f"{floor}{k % extra.per_floor + 1:02d}", extra.use))
            return out
        if extra.where == "shops":
            return [(first, None, 1, f"底商{k + 1:02d}", extra.use) for k in range(extra.count)]
        garage = self._place(PlaceKind.BUILDING, "地下车库", record.place, sort_key="9999", is_old=record.spec.is_old)
        return [(garage, None, -1, f"B1-{k + 1:03d}", extra.use) for k in range(extra.count)]

    def _org(
        self, holding_name: str, kind: str, record: EstateRecord, *, at_district: bool, contact: str = ""
    ) -> Organisation:
        if holding_name not in self.orgs:
            place = record.place
            if at_district:
                place = record.place.parent.parent.parent  # estate > community > street > district
            self.orgs[holding_name] = reg.organisation_create(
                kind=kind,
                name=holding_name,
                place=place,
                actor=None,
                contact_name=contact or "房管联络员",
                contact_phone=f"010-6{self.rng.randrange(10**6, 10**7)}",
            )
        return self.orgs[holding_name]

    def _registry_rows(self, record: EstateRecord, slots: list[tuple[Place, Place | None, int, str, str]]) -> None:
        """Units, people, ownership and residency of one estate, by bulk insert."""
        spec, rng, today = record.spec, self.rng, self.today
        region = record.community.district.region
        residential = [i for i, s in enumerate(slots) if s[4] == UnitUse.RESIDENTIAL]
        # Rights units hold whole entrances or floors of them (单位宿舍): walk the residential slots
        # entrance by entrance in a shuffled order and hand out each holding's count in turn.
        groups: dict[int, list[int]] = {}
        for i in residential:
            building, entrance = slots[i][0], slots[i][1]
            groups.setdefault((entrance or building).pk, []).append(i)
        order = list(groups.values())
        rng.shuffle(order)
        walk = [i for group in order for i in group]
        holder_of: dict[int, sites.Holding] = {}
        cursor = 0
        for holding in spec.holdings:
            for i in walk[cursor : cursor + holding.units]:
                holder_of[i] = holding
            cursor += holding.units
        owner_types = [OWNER_ORG if i in holder_of else OWNER_PERSON for i in residential]
        homes = _make_homes(rng, owner_types, spec.profile)

        # Units, with ids handed out first so people and ownership can point at them.
        unit_ids = self.ids.take(Unit, len(slots))
        unit_rows = []
        for uid, (building, entrance, floor, number, use) in zip(unit_ids, slots, strict=True):
            low, high = spec.layout.area
            if use != UnitUse.RESIDENTIAL:
                low, high = next(x for x in spec.layout.extras if x.use == use).area
            registered, surveyed, contract = areas(rng, low, high)
            area, source = rules.choose_area(registered, surveyed, contract)
            unit_rows.append(
                [uid, record.place.pk, building.pk, entrance.pk if entrance else None, (entrance or building).path,
                 number, floor, use, registered, surveyed, contract, area, source, False, ""]
            )  # fmt: skip
        # Who owns the non-residential units; the developer's unsold ones (DOMAIN_RULES.md §C 12).
        extra_owner: dict[int, str] = {}
        index = len(residential)
        for extra in spec.layout.extras:
            for k in range(extra.count):
                extra_owner[index] = extra.owner
                if extra.owner == "developer" and k < extra.unsold:
                    unit_rows[index][13] = True
                index += 1

        # People: residents of each home, absent owners of rented-out, empty and non-residential units.
        built = dt.date(spec.built_year, 6, 30)
        first_year, last_year = spec.owned_since
        people: list[list[Any]] = []  # rows without ids yet
        owner_rows: list[tuple[int, int | None, int | None, dt.date]] = []  # slot, person row, org id, since
        residency_rows: list[tuple[int, int, str, dt.date]] = []  # slot, person row, kind, since
        last_absent: int | None = None

        def person(age: int, female: bool, party: bool = False, note: str = "") -> int:
            birth = birth_for_age(age, today, rng)
            people.append(
                [self.names(female), mobile(rng) if age >= 16 else "", self.ids_numbers.make(region, birth, female, rng),
                 "female" if female else "male", birth, party, record.place.pk, note]
            )  # fmt: skip
            return len(people) - 1

        def since_owned() -> dt.date:
            year = rng.randint(max(first_year, spec.built_year), max(last_year, spec.built_year))
            return min(dt.date(year, rng.randint(1, 12), rng.randint(1, 28)), today)

        def absent_owner() -> int:
            nonlocal last_absent
            if last_absent is not None and rng.random() < 0.06:
                return last_absent  # one owner of several units (DOMAIN_RULES.md §C 12)
            last_absent = person(rng.randint(35, 78), rng.random() < 0.5, note="不在本小区居住")
            return last_absent

        for slot, home in zip(residential, homes, strict=True):
            if home.owner == OWNER_ORG:
                holding = holder_of[slot]
                org = self._org(
                    holding.name, holding.kind, record, at_district=holding.at_district, contact=holding.contact
                )
                owner_rows.append((slot, None, org.pk, built))
                home_since = dt.date(rng.randint(spec.built_year, max(spec.built_year, 2012)), rng.randint(1, 12), 1)
            else:
                home_since = since_owned()
                if not home.owner_occupied:
                    owner_rows.append((slot, absent_owner(), None, home_since))
            for m in home.members:
                party = m.age >= 22 and rng.random() < (0.12 if m.senior else (0.03 if m.kind == "tenant" else 0.06))
                row = person(m.age, m.female, party)
                if home.owner_occupied and (m.role == "head" or m.co_owner):
                    owner_rows.append((slot, row, None, home_since))
                if m.kind == "tenant" and home.rented:
                    since = add_months(today, -rng.randint(2, 60))
                else:
                    since = max(home_since, people[row][4])
                residency_rows.append((slot, row, m.kind, since))
        for slot, owner in extra_owner.items():
            if owner == "developer":
                org = self._org(spec.developer, "developer", record, at_district=False)
                owner_rows.append((slot, None, org.pk, built))
            elif owner == "person":
                owner_rows.append((slot, absent_owner(), None, since_owned()))
            else:
                holding = next(h for h in spec.holdings if h.name == owner)
                org = self._org(holding.name, holding.kind, record, at_district=holding.at_district)
                owner_rows.append((slot, None, org.pk, built))

        person_ids = self.ids.take(Person, len(people))
        units = BulkWriter(Unit, UNIT_FIELDS, batch=BATCH)
        for row in unit_rows:
            units.add(tuple(row))
        units.flush()
        persons = BulkWriter(Person, PERSON_FIELDS, batch=BATCH)
        for pid, row in zip(person_ids, people, strict=True):
            persons.add((pid, *row))
        persons.flush()
        ownerships = BulkWriter(Ownership, OWNERSHIP_FIELDS, batch=BATCH)
        for slot, row, org_id, since in owner_rows:
            kind = "organisation" if row is None else "person"
            ownerships.add((unit_ids[slot], kind, None if row is None else person_ids[row], org_id, "", since, None))
        ownerships.flush()
        residencies = BulkWriter(Residency, RESIDENCY_FIELDS, batch=BATCH)
        for slot, row, kind, since in residency_rows:
            residencies.add((unit_ids[slot], person_ids[row], kind, since, None))
        residencies.flush()
        record.units = len(unit_rows)
        record.people = len(people)
        self.counts["units"] += len(unit_rows)
        self.counts["people"] += len(people)
        self.counts["ownerships"] += len(owner_rows)
        self.counts["residencies"] += len(residency_rows)

        # Who can take a post: adult owner-occupiers (committees), adult residents by building
        # (楼组长、志愿者、党员包楼), adult Party members; the young renters apart.
        owning = {row for _, row, _, _ in owner_rows if row is not None}
        for slot, row, kind, _ in residency_rows:
            if (rules.age_on(people[row][4], today) or 0) < 25:
                continue
            candidate = Candidate(person_ids[row], people[row][5])
            if kind == "tenant" and slot not in holder_of:
                record.tenants.append(candidate)
                continue
            if row in owning:
                record.owners.append(candidate)
            record.residents_by_building.setdefault(slots[slot][0].pk, []).append(candidate)
            if candidate.is_party_member:
                record.party_residents.append(candidate)

    # ------------------------------------------------------------------ governance of an estate

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


def demo_loaded() -> bool:
    return Place.objects.filter(kind=PlaceKind.ESTATE, name="劲松一区", parent__name="劲松北社区").exists()


def build_demo(*, seed: int = 2026, today: dt.date, log: Any = None) -> dict[str, int]:
    return DemoBuilder(seed=seed, today=today, log=log).build()
