"""Seeded, pure generation of buildings, units, households, ages and ID numbers for the demo and the
scale data. No database access: every function takes a ``random.Random`` and returns plain values,
so the same seed always gives the same estates."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from decimal import Decimal

from gongzhi.registry import rules

# Ages are kept away from the 60-year line so the shares stay true for a while after loading:
# a senior is at least 61 today, everyone else at most 57 (rules.is_senior, DOMAIN_RULES.md §A 1).
SENIOR_MIN_AGE = 61
NON_SENIOR_MAX_AGE = 57

MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 176 177 180 181 185 186 187 188 189"
).split()


def shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def birth_for_age(age: int, today: dt.date, rng: random.Random) -> dt.date:
    """A birth date at which a person is exactly ``age`` today (rules.age_on)."""
    birth = shift_years(today, -age) - dt.timedelta(days=rng.randrange(365))
    assert rules.age_on(birth, today) == age, (birth, today, age)  # noqa: S101 - an invariant of the arithmetic
    return birth


class Names:
    """Chinese names drawn from Faker's zh_CN data (surnames weighted by frequency), with a seeded
    ``random.Random``: as varied as ``Faker.name()`` and some forty times faster."""

    def __init__(self, rng: random.Random, surnames: dict[str, float], male: list[str], female: list[str]) -> None:
        self.rng = rng
        self.surnames = list(surnames)
        self.cumulative = list(itertools.accumulate(surnames.values()))
        self.male = male
        self.female = female

    def __call__(self, female: bool) -> str:
        rng = self.rng
        given = self.female if female else self.male
        first = rng.choice(given)
        if len(first) == 1 and rng.random() < 0.45:
            second = rng.choice(given)
            if len(second) == 1:
                first += second  # a two-character given name
        return rng.choices(self.surnames, cum_weights=self.cumulative)[0] + first

    @classmethod
    def from_faker(cls, rng: random.Random) -> Names:
        from faker import Faker

        provider = next(p for p in Faker("zh_CN").providers if type(p).__module__.endswith("person.zh_CN"))
        return cls(rng, dict(provider.last_names), list(provider.first_names_male), list(provider.first_names_female))


def mobile(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


class IdNumbers:
    """Unique, well-formed 18-digit resident ID numbers (GB 11643: region, birth date, sequence whose
    last digit is odd for men and even for women, check digit)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, region: str, birth: dt.date, female: bool, rng: random.Random) -> str:
        start = rng.randrange(500)
        for step in range(500):
            seq = ((start + step) % 500) * 2 + (0 if female else 1)
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            number = first17 + rules.id_check_digit(first17)
            if number not in self.used:
                self.used.add(number)
                return number
        raise ValueError(f"no free ID number for {region} {birth}")  # 500 people born the same day in one district


def areas(rng: random.Random, low: float, high: float) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    """The three recorded areas of a unit (登记 / 实测 / 合同), as a registry really holds them: most
    units have a registered area, some only a surveyed one, a few only the contract's
    (DOMAIN_RULES.md §C 11 then picks one)."""
    base = rng.uniform(low, high)
    registered = Decimal(f"{base:.2f}")
    surveyed = Decimal(f"{base * rng.uniform(0.985, 1.015):.2f}")
    contract = Decimal(f"{base * rng.uniform(1.0, 1.03):.2f}")
    roll = rng.random()
    if roll < 0.70:
        return registered, (surveyed if rng.random() < 0.5 else None), (contract if rng.random() < 0.3 else None)
    if roll < 0.92:
        return None, surveyed, (contract if rng.random() < 0.6 else None)
    return None, None, contract


# ---------------------------------------------------------------- buildings and units


@dataclass
class EntrancePlan:
    name: str | None  # None: the units hang directly under the building
    floors: int
    per_floor: int
    missing_on_top: int = 0  # units not built on the top floor, so totals come out exact

    @property
    def units(self) -> int:
        return self.floors * self.per_floor - self.missing_on_top


@dataclass
class BuildingPlan:
    name: str
    sort_key: str
    entrances: list[EntrancePlan]
    is_old: bool = True
    built_year: int | None = None
    style: BuildingStyle | None = None

    @property
    def units(self) -> int:
        return sum(e.units for e in self.entrances)


@dataclass(frozen=True)
class BuildingStyle:
    """A kind of building: 多层板楼 (walk-up), 塔楼 (tower), 里弄 (lane house)."""

    weight: int
    entrances: tuple[int, int]  # min, max; (0, 0) = no entrances, units directly under the building
    floors: tuple[int, int]
    per_floor: int  # units per floor per entrance
    max_floors: int = 0  # how high floors may be raised to reach a fixed total (0: floors[1] + 2)


def _entrances(rng: random.Random, style: BuildingStyle) -> list[EntrancePlan]:
    floors = rng.randint(*style.floors)
    if style.entrances == (0, 0):
        return [EntrancePlan(None, floors, style.per_floor)]
    count = rng.randint(*style.entrances)
    return [EntrancePlan(f"{i}单元", floors, style.per_floor) for i in range(1, count + 1)]


def plan_buildings(
    rng: random.Random,
    *,
    households: int,
    styles: list[BuildingStyle],
    count: int | None = None,
    first_number: int = 1,
    name_format: str = "{n}号楼",
) -> list[BuildingPlan]:
    """Buildings holding exactly ``households`` residential units: ``count`` of them when the count
    is known (蓟门里 has 35, 老山东里北 90), otherwise as many as the styles need."""
    weights = [s.weight for s in styles]
    plans: list[BuildingPlan] = []

    def add() -> None:
        n = first_number + len(plans)
        style = rng.choices(styles, weights)[0]
        plans.append(BuildingPlan(name_format.format(n=n), f"{n:04d}", _entrances(rng, style), style=style))

    if count is None:
        while sum(p.units for p in plans) < households:
            add()
    else:
        for _ in range(count):
            add()
        # Too small: raise buildings one floor at a time, round robin, within the style's height;
        # when all are at full height, give the smallest building one more entrance.
        while sum(p.units for p in plans) < households:
            raised = False
            for plan in plans:
                limit = plan.style.max_floors or plan.style.floors[1] + 2
                if plan.entrances[0].floors < limit and sum(p.units for p in plans) < households:
                    for e in plan.entrances:
                        e.floors += 1
                    raised = True
            if not raised:
                wider = [p for p in plans if p.entrances[0].name is not None]
                if not wider:
                    raise ValueError(f"{count} buildings cannot hold {households} households")
                plan = min(wider, key=lambda p: p.units)
                last = plan.entrances[-1]
                plan.entrances.append(EntrancePlan(f"{len(plan.entrances) + 1}单元", last.floors, last.per_floor))
    _trim(plans, sum(p.units for p in plans) - households)
    return plans


def _trim(plans: list[BuildingPlan], excess: int) -> None:
    """Take ``excess`` units away: whole entrances off the last building, then whole top floors of
    the tallest entrances, then single units off the top floors of the last entrances."""
    last = plans[-1]
    while excess > 0 and len(last.entrances) > 1 and last.entrances[-1].units <= excess:
        excess -= last.entrances.pop().units
    entrances = [e for p in plans for e in p.entrances]
    # Lower the tallest entrances a floor at a time while the top floors alone cannot absorb it.
    while excess > sum(e.per_floor - 1 for e in entrances):
        tallest = max((e for e in entrances if e.floors > 2), key=lambda e: e.floors, default=None)
        if tallest is None:
            raise ValueError(f"cannot take {excess} more units off these buildings")
        tallest.floors -= 1
        excess -= tallest.per_floor
    # Then single units off the top floors, from the last entrance backwards.
    for e in reversed(entrances):
        take = min(excess, e.per_floor - 1 - e.missing_on_top)
        e.missing_on_top += take
        excess -= take


def unit_numbers(entrance: EntrancePlan) -> list[tuple[int, str]]:
    """(floor, number) of the homes of an entrance or a building: 101, 102 … 601, 602."""
    out = []
    for floor in range(1, entrance.floors + 1):
        per = entrance.per_floor - (entrance.missing_on_top if floor == entrance.floors else 0)
        out.extend((floor, f"{floor}{n:02d}") for n in range(1, per + 1))
    return out


# ---------------------------------------------------------------- households


OWNER_PERSON = "person"
OWNER_ORG = "org"  # a rights unit's public housing (产权单位、直管公房): its occupants are tenants
OWNER_DEVELOPER = "developer"  # unsold, empty


@dataclass
class Member:
    """One resident of a home, before they become a Person and a Residency."""

    role: str  # head, spouse, child, parent, relative, tenant
    kind: str  # ResidencyKind value
    female: bool
    age: int = 0
    co_owner: bool = False  # owns the unit together with the head (共同共有)
    senior: bool = False


@dataclass
class Home:
    """A residential unit's owner type and the people living there."""

    owner: str
    members: list[Member] = field(default_factory=list)
    rented: bool = False
    owner_occupied: bool = False

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Profile:
    """Who lives in an estate: the share of residents aged 60+ and of tenants (exact targets, per
    mille), empty homes, and household sizes 1–5."""

    seniors_permille: int
    tenants_permille: int
    vacancy: float = 0.04
    sizes: tuple[int, int, int, int, int] = (22, 38, 25, 11, 4)


def _share(permille: int, total: int) -> int:
    """permille/1000 of total, rounded half up, in integers (DOMAIN_RULES.md §A 2)."""
    return (2 * permille * total + 1000) // 2000


def _household(rng: random.Random, size: int, kind_head: str, owner_occupied: bool) -> list[Member]:
    head_female = rng.random() < 0.45
    members = [Member("head", kind_head, head_female)]
    family = "family"
    if size >= 2:
        if rng.random() < 0.85:
            co_owner = owner_occupied and rng.random() < 0.4
            members.append(
                Member("spouse", "owner_occupier" if co_owner else family, not head_female, co_owner=co_owner)
            )
        else:
            members.append(Member("child", family, rng.random() < 0.5))
    for _ in range(size - len(members)):
        role = "parent" if rng.random() < 0.25 and not any(m.role == "parent" for m in members) else "child"
        members.append(Member(role, family, rng.random() < 0.55 if role == "parent" else rng.random() < 0.5))
    return members


def make_homes(rng: random.Random, owners: list[str], profile: Profile) -> list[Home]:
    """The households of an estate's residential units, in unit order.

    The shares come out exact: of all residents, ``tenants_permille``/1000 are tenants (the young
    renters of rented-out homes, plus the tenant heads of public housing) and ``seniors_permille``/1000
    are aged 60+ (rounded half up) — unless public housing alone already holds more tenants than
    wanted, as in an all-public lane (里弄). 劲松北 (seed report: 36.9 % aged 60+, 37 % renters)
    relies on it.
    """
    sizes = (1, 2, 3, 4, 5)
    homes: list[Home] = []
    for owner in owners:
        if owner == OWNER_DEVELOPER or rng.random() < profile.vacancy:
            homes.append(Home(owner))
            continue
        size = rng.choices(sizes, profile.sizes)[0]
        home = Home(owner)
        home.members = [Member("?", "", False) for _ in range(size)]  # placeholders: who they are comes below
        homes.append(home)

    total = sum(h.size for h in homes)
    tenants_wanted = _share(profile.tenants_permille, total)
    seniors_wanted = _share(profile.seniors_permille, total)

    # Public housing: the head is the tenant of record (承租人), the rest family.
    public = [h for h in homes if h.owner == OWNER_ORG and h.size]
    tenants = len(public)
    # Rented-out private homes: everyone a tenant. Pick whole households until the count is exact.
    private = [h for h in homes if h.owner == OWNER_PERSON and h.size]
    rng.shuffle(private)
    for home in private:
        if tenants + home.size <= tenants_wanted:
            home.rented = True
            tenants += home.size
        if tenants == tenants_wanted:
            break
    for home in homes:
        if not home.size:
            continue
        if home.rented:
            home.members = [Member("tenant", "tenant", rng.random() < 0.5) for _ in home.members]
        elif home.owner == OWNER_ORG:
            home.members = _household(rng, home.size, "tenant", owner_occupied=False)
        else:
            home.owner_occupied = True
            home.members = _household(rng, home.size, "owner_occupier", owner_occupied=True)

    _mark_seniors(rng, homes, seniors_wanted)
    for home in homes:
        _give_ages(rng, home)
    return homes


def _mark_seniors(rng: random.Random, homes: list[Home], wanted: int) -> None:
    """Mark exactly ``wanted`` residents as aged 60+, household by household (older parents first,
    then the head and the spouse), never a renter of a rented-out home nor a child."""
    order = [h for h in homes if h.size and not h.rented]
    rng.shuffle(order)
    marked = 0
    for home in order:
        for role in ("parent", "head", "spouse"):
            for m in home.members:
                if marked < wanted and m.role == role:
                    m.senior = True
                    marked += 1
        if marked == wanted:
            return
    if marked < wanted:
        raise ValueError(f"only {marked} residents can be seniors, {wanted} wanted")


def _give_ages(rng: random.Random, home: Home) -> None:
    if home.rented:
        for m in home.members:
            m.age = min(NON_SENIOR_MAX_AGE, max(19, int(rng.gauss(30, 6))))
        return
    head = next((m for m in home.members if m.role == "head"), None)
    if head is None:
        return
    if head.senior:
        head.age = rng.randint(SENIOR_MIN_AGE, 90)
    else:
        head.age = rng.randint(26, NON_SENIOR_MAX_AGE)
    for m in home.members:
        if m is head:
            continue
        if m.role == "spouse":
            if m.senior:
                m.age = max(SENIOR_MIN_AGE, min(95, head.age + rng.randint(-4, 4)))
            else:
                m.age = max(24, min(NON_SENIOR_MAX_AGE, head.age + rng.randint(-4, 4)))
        elif m.role == "parent":
            if m.senior:
                m.age = max(SENIOR_MIN_AGE, min(98, head.age + rng.randint(24, 32)))
            else:  # not an elder after all: a sibling or other relative of the head
                m.role = "relative"
                m.age = max(20, min(NON_SENIOR_MAX_AGE, head.age + rng.randint(-8, 8)))
        else:  # child
            oldest = min(NON_SENIOR_MAX_AGE, head.age - 22)
            youngest = max(0, head.age - 45) if head.senior else 0
            youngest = min(youngest, oldest) if oldest >= 0 else 0
            m.age = rng.randint(youngest, max(oldest, 0)) if oldest >= 0 else 0
