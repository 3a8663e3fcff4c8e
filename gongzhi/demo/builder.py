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
from typing import Any

from django.db import transaction

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditAction
from gongzhi.demo import sites
from gongzhi.demo.bulk import BulkWriter, IdAllocator
from gongzhi.demo.governance import Candidate, CommunityRecord, EstateRecord, GovernanceSteps
from gongzhi.demo.population import (
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
from gongzhi.demo.population import (
    make_homes as _make_homes,
)
from gongzhi.governance import services as gov
from gongzhi.governance.models import PartyOrganisation
from gongzhi.governance.rules import add_months
from gongzhi.registry import rules
from gongzhi.registry import services as reg
from gongzhi.registry.choices import PlaceKind, UnitUse
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


class DemoBuilder(GovernanceSteps):
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
                object_type="registry.demo",  # the name audit trails of loaded demos already carry
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


def demo_loaded() -> bool:
    return Place.objects.filter(kind=PlaceKind.ESTATE, name="劲松一区", parent__name="劲松北社区").exists()


def build_demo(*, seed: int = 2026, today: dt.date, log: Any = None) -> dict[str, int]:
    return DemoBuilder(seed=seed, today=today, log=log).build()


def build(*, seed: int, log: Any) -> None:
    """The seed estates, their people and the demo logins: the demo app's builder, the first to run
    (``demo_order = 10``); every other app's builder builds on it."""
    from django.utils import timezone

    counts = build_demo(seed=seed, today=timezone.localdate(), log=log)
    log(
        f"台账：新增地点 {counts['places']} 个、房屋 {counts['units']} 套、人员 {counts['people']} 人、"
        f"产权 {counts['ownerships']} 条、居住 {counts['residencies']} 条，用时 {counts['seconds']} 秒。"
    )
