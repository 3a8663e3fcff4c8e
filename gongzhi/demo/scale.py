"""A district-scale registry for measuring (``manage.py seed_scale``, ``make bench``).

A new district 规模测试区N under 北京市: streets of 8–14 communities, communities of 1–3 estates,
estates of 1,000–3,000 units in walk-ups, slabs and towers, every unit with an owner (some
co-owned, a few owners holding two units) and most with the owner living there. About 70 % of the
estates have a property service contract, 5 % self-manage, 55 % have an owners' committee or
物管会, three in four of those with Party members and about half with their own Party branch — so
the three rates (DOMAIN_RULES.md §H 29) come out somewhere between the targets, as in real streets.

Rows are generated estate by estate and streamed to the database in batches (``bulk.BulkWriter``),
so memory stays flat at a million units. Ids are reserved first (``bulk.IdAllocator``), so a
place's materialized path is written once, with its own id in it.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditAction
from gongzhi.demo.bulk import BulkWriter, IdAllocator
from gongzhi.demo.population import BuildingStyle, Names, mobile, plan_buildings, unit_numbers
from gongzhi.governance import services as gov
from gongzhi.governance.models import (
    CommitteeMember,
    OwnersCommittee,
    PartyOrganisation,
    ResidentsCommittee,
    SelfManagement,
    ServiceContract,
)
from gongzhi.governance.rules import add_months
from gongzhi.registry import services as reg
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Ownership, Person, Place, Residency, Unit
from gongzhi.registry.rules import AREA_PRIORITY

STYLES = [
    BuildingStyle(weight=5, entrances=(2, 4), floors=(5, 6), per_floor=2, max_floors=6),  # 多层
    BuildingStyle(weight=3, entrances=(3, 6), floors=(6, 7), per_floor=3, max_floors=7),  # 板楼
    BuildingStyle(weight=3, entrances=(1, 2), floors=(18, 28), per_floor=4, max_floors=32),  # 高层
]
PLACE_FIELDS = (
    "id", "kind", "name", "parent_id", "path", "depth", "sort_key", "address", "built_year", "is_old",
    "households_declared", "note",
)  # fmt: skip
UNIT_FIELDS = (
    "id", "estate_id", "building_id", "entrance_id", "path", "number", "floor", "use",
    "registered_area", "surveyed_area", "contract_area", "area", "area_source", "developer_unsold", "note",
)  # fmt: skip
PERSON_FIELDS = ("id", "name", "phone", "id_number", "gender", "birth_date", "is_party_member", "place_id", "note")
OWNERSHIP_FIELDS = ("unit_id", "owner_kind", "person_id", "organisation_id", "share", "since", "until")
RESIDENCY_FIELDS = ("unit_id", "person_id", "kind", "since", "until")
NOTE = "规模测试数据（合成）"
WORDS_A = "安和康泰瑞祥嘉华景福宁盛丰德怡乐美欣"
WORDS_B = "园苑里居庭城坊湾轩邸"


@dataclass
class ScaleResult:
    district: Place
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class _IdNumbers:
    """Unique resident ID numbers at a million a minute: person ``i`` gets birth day ``(i mod D)``
    scrambled by a prime and sequence ``i // D`` (a bijection for fewer than 20 million people),
    with a fictional region code per run so runs never collide with each other or the demo."""

    DAYS = 20_000  # birth days from 1940-01-01 (people aged about 32 to 86)
    WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    CHECK = "10X98765432"

    def __init__(self, region: str) -> None:
        w = self.WEIGHTS
        self.region = region
        self.region_sum = sum(int(d) * k for d, k in zip(region, w[:6], strict=True))
        base = dt.date(1940, 1, 1)
        self.dates = [base + dt.timedelta(days=d) for d in range(self.DAYS)]
        self.date_text = [d.strftime("%Y%m%d") for d in self.dates]
        self.date_sum = [sum(int(c) * k for c, k in zip(t, w[6:14], strict=True)) for t in self.date_text]
        self.seq_sum = [sum(int(c) * k for c, k in zip(f"{s:03d}", w[14:], strict=True)) for s in range(1000)]

    def get(self, i: int) -> tuple[str, dt.date, bool]:
        seq, r = divmod(i, self.DAYS)
        day = (r * 7919) % self.DAYS
        total = self.region_sum + self.date_sum[day] + self.seq_sum[seq]
        number = f"{self.region}{self.date_text[day]}{seq:03d}{self.CHECK[total % 11]}"
        return number, self.dates[day], seq % 2 == 0  # even sequence digit: a woman


def _estate_sizes(rng: random.Random, units: int) -> list[int]:
    sizes = []
    left = units
    while left > 0:
        size = min(left, rng.randint(1000, 3000))
        if 0 < left - size < 500:  # no crumb of an estate at the end
            size = left
        sizes.append(size)
        left -= size
    return sizes


def _group(rng: random.Random, items: list, low: int, high: int) -> list[list]:
    out, i = [], 0
    while i < len(items):
        n = rng.randint(low, high)
        out.append(items[i : i + n])
        i += n
    return out


class _Seeder:
    def __init__(self, *, units: int, batch: int, seed: int, log: Callable[[str], None]) -> None:
        self.units_wanted = units
        self.batch = batch
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, seeded on purpose
        self.names = Names.from_faker(self.rng)
        self.today = timezone.localdate()
        self.log = log
        self.ids = IdAllocator()
        self.place_rows = BulkWriter(Place, PLACE_FIELDS, batch=batch)
        self.unit_rows = BulkWriter(Unit, UNIT_FIELDS, batch=batch)
        self.person_rows = BulkWriter(Person, PERSON_FIELDS, batch=batch)
        self.ownership_rows = BulkWriter(Ownership, OWNERSHIP_FIELDS, batch=batch)
        self.residency_rows = BulkWriter(Residency, RESIDENCY_FIELDS, batch=batch)
        self.person_index = 0
        self.estates: list[tuple[int, str, list[int]]] = []  # estate id, path, a few owner ids
        self.communities: list[tuple[int, str, int]] = []  # community id, name, street index
        self.streets: list[tuple[int, str]] = []

    # ---------------------------------------------------------------- places

    def _place(
        self, pid: int, kind: str, name: str, parent: tuple[int, str, int], **extra: object
    ) -> tuple[int, str, int]:
        parent_id, parent_path, parent_depth = parent
        path = f"{parent_path}{pid}/"
        self.place_rows.add(
            (pid, kind, name, parent_id, path, parent_depth + 1, extra.get("sort_key", ""), "",
             extra.get("built_year"), extra.get("is_old", False), extra.get("households"), NOTE)
        )  # fmt: skip
        return pid, path, parent_depth + 1

    def run(self) -> ScaleResult:
        started = time.monotonic()
        rng = self.rng
        city = Place.objects.filter(kind=PlaceKind.CITY, name="北京市", parent__isnull=True).first()
        if city is None:
            city = reg.place_create(kind=PlaceKind.CITY, name="北京市", parent=None, actor=None)
        taken = set(Place.objects.filter(parent=city, name__startswith="规模测试区").values_list("name", flat=True))
        run = next(k for k in range(1, 100) if f"规模测试区{k}" not in taken)
        district = reg.place_create(
            kind=PlaceKind.DISTRICT, name=f"规模测试区{run}", parent=city, actor=None, note=NOTE
        )
        self.id_numbers = _IdNumbers(f"1199{run:02d}")
        sizes = _estate_sizes(rng, self.units_wanted)
        communities = _group(rng, sizes, 1, 3)
        streets = _group(rng, communities, 8, 14)
        self.log(
            f"规模测试区{run}：{len(streets)} 个街道、{len(communities)} 个社区、{len(sizes)} 个小区、{sum(sizes)} 套房屋"
        )
        district_node = (district.pk, district.path, district.depth)
        for s, street_communities in enumerate(streets, start=1):
            (street_id,) = self.ids.take(Place, 1)
            street = self._place(street_id, PlaceKind.STREET, f"第{s:02d}街道", district_node)
            self.streets.append((street_id, f"第{s:02d}街道"))
            for c, estate_sizes in enumerate(street_communities, start=1):
                (community_id,) = self.ids.take(Place, 1)
                name = f"第{s:02d}街道第{c:02d}社区"
                community = self._place(community_id, PlaceKind.COMMUNITY, name, street)
                self.communities.append((community_id, name, len(self.streets) - 1))
                used_names: set[str] = set()
                for size in estate_sizes:
                    self._estate(community, size, used_names)
            self.log(f"  第{s:02d}街道：完成（已写入 {self.unit_rows.written + len(self.unit_rows.rows)} 套房屋）")
        for writer in self._writers():
            writer.flush()
        governance = self._governance(district)
        counts = {
            "places": self.place_rows.written,
            "units": self.unit_rows.written,
            "people": self.person_rows.written,
            "ownerships": self.ownership_rows.written,
            "residencies": self.residency_rows.written,
            **governance,
        }
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            obj=district,
            summary=f"生成规模测试数据：{counts['units']} 套房屋、{counts['people']} 人",
        )
        return ScaleResult(district=district, counts=counts, seconds=time.monotonic() - started)

    def _writers(self) -> list[BulkWriter]:
        return [self.place_rows, self.unit_rows, self.person_rows, self.ownership_rows, self.residency_rows]

    def _estate(self, community: tuple[int, str, int], size: int, used_names: set[str]) -> None:
        rng = self.rng
        name = f"{rng.choice(WORDS_A)}{rng.choice(WORDS_A)}{rng.choice(WORDS_B)}"
        while name in used_names:
            name = f"{name[:-1]}{len(used_names)}{name[-1]}"
        used_names.add(name)
        built = rng.randint(1975, 2015)
        plans = plan_buildings(rng, households=size, styles=STYLES)
        entrance_count = sum(len(p.entrances) for p in plans if p.entrances[0].name)
        place_ids = iter(self.ids.take(Place, 1 + len(plans) + entrance_count))
        estate = self._place(
            next(place_ids), PlaceKind.ESTATE, name, community, built_year=built, is_old=built < 2000, households=size
        )
        unit_ids = iter(self.ids.take(Unit, size))
        low, high = (40, 75) if built < 1995 else (60, 140)
        owners: list[int] = []
        units: list[tuple[int, int]] = []  # unit id, area in hundredths
        for plan in plans:
            building = self._place(
                next(place_ids), PlaceKind.BUILDING, plan.name, estate, sort_key=plan.sort_key, built_year=built,
                is_old=built < 2000,
            )  # fmt: skip
            for j, entrance_plan in enumerate(plan.entrances, start=1):
                parent = building
                if entrance_plan.name:
                    parent = self._place(
                        next(place_ids), PlaceKind.ENTRANCE, entrance_plan.name, building, sort_key=f"{j:02d}"
                    )
                for floor, number in unit_numbers(entrance_plan):
                    uid = next(unit_ids)
                    cents = rng.randrange(low * 100, high * 100)
                    area = Decimal(cents).scaleb(-2)
                    source = AREA_PRIORITY[0] if rng.random() < 0.8 else AREA_PRIORITY[1]
                    self.unit_rows.add(
                        (uid, estate[0], building[0], parent[0] if parent is not building else None, parent[1],
                         number, floor, "residential", area if source == "registered" else None, area, None, area,
                         source, False, "")
                    )  # fmt: skip
                    units.append((uid, cents))
        # Owners: one person per unit, 12 % co-owned, 4 % an owner of two units; 70 % live there.
        person_ids = self._ids(Person, int(size * 1.2) + 10)
        estate_id = estate[0]
        last_owner: int | None = None
        for uid, _ in units:
            if last_owner is not None and rng.random() < 0.04:
                owner = last_owner
            else:
                owner = self._person(next(person_ids), estate_id)
            since = dt.date(rng.randint(max(built, 1998), 2024), rng.randint(1, 12), rng.randint(1, 28))
            self.ownership_rows.add((uid, "person", owner, None, "", since, None))
            if owner != last_owner and rng.random() < 0.7:
                self.residency_rows.add((uid, owner, "owner_occupier", since, None))
            if rng.random() < 0.12:
                co_owner = self._person(next(person_ids), estate_id)
                self.ownership_rows.add((uid, "person", co_owner, None, "", since, None))
            if len(owners) < 12 and owner not in owners:
                owners.append(owner)
            last_owner = owner
        self.estates.append((estate_id, estate[1], owners))

    def _ids(self, model: type, count: int) -> Iterator[int]:
        """Reserved ids, reserving more should the estimate run out."""
        while True:
            yield from self.ids.take(model, count)

    def _person(self, pid: int, place_id: int) -> int:
        number, birth, female = self.id_numbers.get(self.person_index)
        self.person_index += 1
        rng = self.rng
        self.person_rows.add(
            (pid, self.names(female), mobile(rng), number, "female" if female else "male", birth,
             rng.random() < 0.07, place_id, "")
        )  # fmt: skip
        return pid

    # ---------------------------------------------------------------- governance

    def _governance(self, district: Place) -> dict[str, int]:
        """Residents' committees, Party organisations, companies, contracts and committees, by share."""
        rng, today = self.rng, self.today
        street_orgs = PartyOrganisation.objects.bulk_create(
            [
                PartyOrganisation(kind="street_working_committee", name=f"{name}工委", place_id=pid)
                for pid, name in self.streets
            ]
        )
        community_orgs = PartyOrganisation.objects.bulk_create(
            [
                PartyOrganisation(
                    kind="community_committee", name=f"{name}党委", place_id=pid, parent_id=street_orgs[s].pk
                )
                for pid, name, s in self.communities
            ]
        )
        ResidentsCommittee.objects.bulk_create(
            [
                ResidentsCommittee(place_id=pid, name=f"{name}居民委员会", term_start=add_months(today, -8))
                for pid, name, _ in self.communities
            ]
        )
        companies = [
            gov.company_create(
                name=f"{district.name}第{k + 1}物业服务有限公司", place=district, actor=None, phone=f"010-6{k:07d}"
            )
            for k in range(max(3, len(self.estates) // 15))
        ]
        contracts, self_managed, committees, members, branches = [], [], [], [], []
        community_of = {}
        for (pid, _, _), org in zip(self.communities, community_orgs, strict=True):
            community_of[pid] = org
        committee_ids = iter(self.ids.take(OwnersCommittee, len(self.estates)))
        for estate_id, path, owners in self.estates:
            roll = rng.random()
            if roll < 0.70:
                start = add_months(today, -rng.randint(1, 30))
                contracts.append(
                    ServiceContract(
                        company=rng.choice(companies),
                        estate_id=estate_id,
                        start=start,
                        end=add_months(start, 36) - dt.timedelta(days=1),
                        fee_residential_fen=rng.choice((60, 85, 120, 150, 220)),
                        service_tier=rng.choice(("basic", "remedial", "comfort", "livable")),
                        how_hired="业主大会表决选聘",
                    )
                )
            elif roll < 0.75:
                self_managed.append(SelfManagement(estate_id=estate_id, since=add_months(today, -24), qualified=True))
            if rng.random() >= 0.55:
                continue
            kind = "owners_committee" if rng.random() < 0.6 else "management_committee"
            years = 5 if kind == "owners_committee" else 3
            start = add_months(today, -rng.randint(1, 12 * years - 2))
            committee = OwnersCommittee(
                id=next(committee_ids),
                kind=kind,
                estate_id=estate_id,
                name=f"第{len(committees) + 1}号{'业主委员会' if kind == 'owners_committee' else '物业管理委员会'}",
                term_start=start,
                term_end=add_months(start, 12 * years) - dt.timedelta(days=1),
                filed_on=start,
            )
            committees.append(committee)
            size = rng.choice((5, 7, 9))
            party = rng.randint(1, min(5, size)) if rng.random() < 0.75 else 0
            for k, person_id in enumerate(owners[:size]):
                members.append(
                    CommitteeMember(
                        committee_id=committee.pk,
                        person_id=person_id,
                        post="chair" if k == 0 else ("vice_chair" if k == 1 else "member"),
                        is_party_member=k < party,
                    )
                )
            if party and rng.random() < 0.6:
                community_id = int(path.strip("/").split("/")[-2])
                branches.append(
                    PartyOrganisation(
                        kind="branch",
                        name=f"{committee.name}党支部",
                        place_id=estate_id,
                        parent=community_of[community_id],
                        committee_id=committee.pk,
                    )
                )
        ServiceContract.objects.bulk_create(contracts, batch_size=1000)
        SelfManagement.objects.bulk_create(self_managed, batch_size=1000)
        OwnersCommittee.objects.bulk_create(committees, batch_size=1000)
        CommitteeMember.objects.bulk_create(members, batch_size=1000)
        PartyOrganisation.objects.bulk_create(branches, batch_size=1000)
        return {
            "contracts": len(contracts),
            "committees": len(committees),
            "committee_members": len(members),
            "party_orgs": len(street_orgs) + len(community_orgs) + len(branches),
        }


def seed_scale(
    *, units: int, batch: int = 5000, seed: int = 7, log: Callable[[str], None] | None = None
) -> ScaleResult:
    """Build a district of ``units`` units in one transaction and say how fast it went."""
    with transaction.atomic():
        return _Seeder(units=units, batch=batch, seed=seed, log=log or (lambda _m: None)).run()
