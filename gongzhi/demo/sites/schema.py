"""The vocabulary of the demo world: what an estate, a community, a street, a district and their
governance bodies are made of (frozen dataclasses), the synthetic building styles, and the helpers the
data modules use for plain neighbour estates and committees.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gongzhi.demo.population import BuildingStyle, Profile

D = dt.date

NOTE_REPORTED = "演示数据：名称与公开数字取自公开报道，楼栋、房屋和人员为合成数据"
NOTE_SYNTHETIC = "演示数据：虚构的补充小区，用于展示街道三率"

# ---------------------------------------------------------------- building styles (synthetic)

WALKUP_70S = BuildingStyle(weight=8, entrances=(3, 5), floors=(5, 6), per_floor=3, max_floors=6)  # 多层板楼
TOWER_70S = BuildingStyle(weight=1, entrances=(1, 1), floors=(12, 14), per_floor=8, max_floors=16)  # 早期塔楼
WALKUP_80S = BuildingStyle(weight=6, entrances=(2, 4), floors=(5, 6), per_floor=2, max_floors=6)
SLAB_80S = BuildingStyle(weight=3, entrances=(3, 6), floors=(6, 6), per_floor=3, max_floors=7)
TOWER_80S = BuildingStyle(weight=2, entrances=(1, 2), floors=(14, 18), per_floor=6, max_floors=20)
TOWER_90S = BuildingStyle(weight=1, entrances=(2, 2), floors=(16, 18), per_floor=4, max_floors=20)
HIGHRISE_95 = BuildingStyle(weight=1, entrances=(4, 4), floors=(18, 18), per_floor=7, max_floors=22)  # 20号院: 4 单元
TOWER_03 = BuildingStyle(weight=1, entrances=(1, 1), floors=(24, 26), per_floor=6, max_floors=28)
LANE = BuildingStyle(weight=1, entrances=(0, 0), floors=(2, 3), per_floor=2, max_floors=3)  # 里弄：一号一门
LANE_APARTMENT = BuildingStyle(weight=1, entrances=(1, 2), floors=(4, 5), per_floor=2, max_floors=5)


@dataclass(frozen=True)
class Extra:
    """Non-residential units of an estate: shops (底商), offices, parking spaces (车位)."""

    use: str  # UnitUse value
    count: int
    area: tuple[float, float]
    where: str  # "podium": lower floors of the first building; "shops": a 商业 building; "garage": 地下车库
    owner: str = "person"  # "person", "developer", or the name of a Holding
    per_floor: int = 8
    start_floor: int = 1
    unsold: int = 0  # of these, still held unsold by the developer (DOMAIN_RULES.md §C 12)


@dataclass(frozen=True)
class Layout:
    households: int  # residential units, exactly
    styles: tuple[BuildingStyle, ...]
    buildings: int | None = None  # fixed count when known
    old_buildings: int | None = None  # how many count as old (老旧楼房); None: all when the estate is old
    first_number: int = 1
    name_format: str = "{n}号楼"
    area: tuple[float, float] = (45.0, 75.0)  # m² of a home
    extras: tuple[Extra, ...] = ()


@dataclass(frozen=True)
class Holding:
    """An organisation holding residential units (产权单位, 直管公房, the developer)."""

    name: str
    units: int
    kind: str = "rights_unit"  # OrganisationKind value
    at_district: bool = False  # registered at the district (shared by several estates) or at the estate
    contact: str = ""


@dataclass(frozen=True)
class Contract:
    company: str
    start: dt.date
    end: dt.date | None
    fee_fen: int  # 分/㎡·月, residential
    tier: str = "basic"
    how_hired: str = ""
    fee_non_residential_fen: int | None = None


@dataclass(frozen=True)
class Term:
    """A committee's term. ``founded`` + ``years``: terms roll on from the founding date and the current
    one is used (物管会 formed in 2020 are in their third term now). ``months_ago``: the current term
    began that many months before the load date."""

    years: int
    founded: dt.date | None = None
    months_ago: int | None = None
    number: int | None = None  # fixed term number (团结公寓: 第四届, 报道)


@dataclass(frozen=True)
class PartyOrg:
    kind: str  # PartyOrgKind value
    name: str
    members: int  # Party members recorded in it
    secretary: str | None = None  # a named office holder, else one of the members
    founded: dt.date | None = None
    at_community: bool = False  # placed at the community rather than the estate
    on_committee: bool = False  # built in / posted to the estate's committee (committee=…)
    from_committee: bool = False  # its members are the committee's Party members
    leaders: int = 1  # 支委 / group leaders among the members (临时党支部委员 3 人, 报道)
    group: PartyOrg | None = None  # a Party group (党小组) under it
    zones: int = 0  # split the estate's buildings into this many 党员包楼 zones, one per member


@dataclass(frozen=True)
class Committee:
    kind: str  # CommitteeKind value
    name: str
    term: Term
    members: int
    party_members: int
    chair: str | None = None  # named chair from the residents' committee (物管会 主任, BJ art. 52)
    vice_chair: str | None = None  # named vice chair, an owner representative
    from_rc: int = 0  # members sent by the residents' committee (chair first)
    rights_unit_reps: int = 0  # members representing rights units
    filed_months_after_start: int = 0


@dataclass(frozen=True)
class Estate:
    name: str
    layout: Layout
    profile: Profile
    built_year: int
    is_old: bool = True
    address: str = ""
    households_declared: int | None = None
    reported: bool = True  # from a seed report (else a synthetic neighbour)
    holdings: tuple[Holding, ...] = ()
    developer: str = ""  # developer's name when some units are unsold
    contracts: tuple[Contract, ...] = ()
    self_managed_since: dt.date | None = None
    committee: Committee | None = None
    party_orgs: tuple[PartyOrg, ...] = ()
    building_groups: bool = False  # 楼组 per building (per entrance for single-building estates)
    owned_since: tuple[int, int] = (1998, 2012)  # years owners acquired (房改 or purchase)


@dataclass(frozen=True)
class Community:
    name: str
    estates: tuple[Estate, ...]
    party_name: str = ""  # 社区党委 / 居民区党总支
    party_secretary: str | None = None
    rc_chair: str | None = None
    rc_phone: str = ""
    households_declared: int | None = None
    reported: bool = True


@dataclass(frozen=True)
class Company:
    name: str
    contact: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class Alliance:
    name: str
    founded: dt.date
    members: tuple[str, ...]  # company names
    synthetic_members: int = 0  # more members to reach the reported size, with synthetic names


@dataclass(frozen=True)
class Street:
    name: str
    working_committee: str
    communities: tuple[Community, ...]
    secretary: str | None = None
    deputies: tuple[str, ...] = ()
    alliance: Alliance | None = None


@dataclass(frozen=True)
class District:
    name: str
    region: str  # the six-digit administrative code that opens residents' ID numbers
    departments: tuple[tuple[str, str, str], ...]  # (kind, name, phone)
    companies: tuple[Company, ...]
    streets: tuple[Street, ...]


@dataclass(frozen=True)
class City:
    name: str
    districts: tuple[District, ...] = field(default_factory=tuple)


def departments(district: str, area_code: str, prefix: str) -> tuple[tuple[str, str, str], ...]:
    return (
        ("housing", f"{district}房管局", f"{area_code}-{prefix}10001"),
        ("enforcement", f"{district}城管执法局", f"{area_code}-{prefix}20002"),
        ("market", f"{district}市场监管局", f"{area_code}-{prefix}30003"),
    )


def plain(
    name: str,
    households: int,
    built: int,
    *,
    contract: Contract | None = None,
    committee: Committee | None = None,
    party: tuple[PartyOrg, ...] = (),
    public: int = 0,
    public_holder: str = "",
    self_managed: dt.date | None = None,
    styles: tuple[BuildingStyle, ...] = (WALKUP_80S, SLAB_80S),
    area: tuple[float, float] = (45.0, 80.0),
    seniors: int = 300,
    tenants: int = 220,
) -> Estate:
    """A synthetic neighbour estate: plain walk-ups, some public housing, its own governance gaps."""
    return Estate(
        name=name,
        reported=False,
        built_year=built,
        is_old=built < 2000,
        layout=Layout(households=households, styles=styles, area=area),
        holdings=(Holding(public_holder, public, at_district=True),) if public else (),
        profile=Profile(seniors_permille=seniors, tenants_permille=tenants),
        contracts=(contract,) if contract else (),
        committee=committee,
        party_orgs=party,
        self_managed_since=self_managed,
    )


def oc(name: str, members: int, party: int, months_ago: int, number: int = 1) -> Committee:
    return Committee("owners_committee", name, Term(years=5, months_ago=months_ago, number=number), members, party)


def mc(name: str, members: int, party: int, months_ago: int) -> Committee:
    return Committee("management_committee", name, Term(years=3, months_ago=months_ago), members, party, from_rc=1)
