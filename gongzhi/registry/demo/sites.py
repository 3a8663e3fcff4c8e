"""The demo world as data: the places, estates and governance bodies of the five seed reports
(/work/shared/seeds, summarised in DESIGN.md), with their public figures, and a few plain
estates beside them so each street's three rates have something to show.

Figures from the reports are marked "报道" in the comments; everything else (building layouts,
synthetic company names, fees, member counts where the report is silent) is clearly made up and
the places carry a note saying so. Named people are the office holders the reports name; the demo
gives them no ID number, birth date or mobile number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from gongzhi.registry.demo.population import BuildingStyle, Profile

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


def _departments(district: str, area_code: str, prefix: str) -> tuple[tuple[str, str, str], ...]:
    return (
        ("housing", f"{district}房管局", f"{area_code}-{prefix}10001"),
        ("enforcement", f"{district}城管执法局", f"{area_code}-{prefix}20002"),
        ("market", f"{district}市场监管局", f"{area_code}-{prefix}30003"),
    )


# ---------------------------------------------------------------- 北京市朝阳区：劲松街道（报道 000、002）

YUANJING = "北京愿景明德物业管理有限公司"  # 报道：愿景集团
JINSONG_HOUSING = "朝阳区房管局劲松房管所（直管公房）"

JINSONG_1 = Estate(
    name="劲松一区",
    built_year=1976,
    address="北京市朝阳区劲松西街",
    households_declared=1780,
    # 报道: 劲松北社区的一、二区共有居民 3605 户，其中需要确权的 2763 户 (owners); the other 842 are public housing.
    layout=Layout(
        households=1780,
        styles=(WALKUP_70S, TOWER_70S),
        first_number=101,
        area=(38.0, 66.0),
        extras=(Extra("commercial", 4, (40.0, 180.0), "shops", owner=JINSONG_HOUSING),),
    ),
    holdings=(Holding(JINSONG_HOUSING, 410, at_district=True, contact="房管所值班室"),),
    # 报道: 36.9 % of residents aged 60+, 37 % young renters.
    profile=Profile(seniors_permille=369, tenants_permille=370, vacancy=0.03),
    contracts=(
        Contract(
            YUANJING,
            D(2020, 8, 1),
            D(2023, 7, 31),
            fee_fen=0,
            tier="remedial",
            how_hired="引入社会资本；业主“双过半”表决同意（2763户中同意户数56.03%、面积51.66%）；3年扶持期，先服务后收费",
        ),
        Contract(YUANJING, D(2023, 8, 1), D(2028, 7, 31), fee_fen=60, tier="comfort", how_hired="扶持期满续签"),
    ),
    committee=Committee(
        "management_committee",
        "劲松一区物业管理委员会",
        Term(years=3, founded=D(2020, 10, 15)),
        members=9,
        party_members=7,
        from_rc=1,
    ),
    party_orgs=(
        PartyOrg("branch", "劲松一区物管会党支部", 7, on_committee=True, from_committee=True, founded=D(2020, 10, 15)),
        PartyOrg("branch", "劲松北社区第一党支部", 24, founded=D(2005, 7, 1)),
        PartyOrg("branch", "劲松北社区第二党支部", 21, founded=D(2005, 7, 1)),
        PartyOrg("branch", "劲松北社区第三党支部", 18, founded=D(2012, 7, 1)),
    ),
    building_groups=True,
    owned_since=(1998, 2006),
)

JINSONG_2 = Estate(
    name="劲松二区",
    built_year=1978,
    address="北京市朝阳区劲松西街",
    households_declared=1825,
    layout=Layout(households=1825, styles=(WALKUP_70S, TOWER_70S), first_number=201, area=(38.0, 66.0)),
    holdings=(Holding(JINSONG_HOUSING, 432, at_district=True),),
    profile=Profile(seniors_permille=369, tenants_permille=370, vacancy=0.03),
    contracts=(
        Contract(YUANJING, D(2020, 8, 1), D(2023, 7, 31), fee_fen=0, tier="remedial", how_hired="与劲松一区同期引入"),
        Contract(YUANJING, D(2023, 8, 1), D(2028, 7, 31), fee_fen=60, tier="comfort", how_hired="扶持期满续签"),
    ),
    committee=Committee(
        "management_committee",
        "劲松二区物业管理委员会",
        Term(years=3, founded=D(2021, 4, 20)),
        members=7,
        party_members=4,
        from_rc=1,
    ),
    party_orgs=(
        PartyOrg("branch", "劲松北社区第四党支部", 22, founded=D(2005, 7, 1)),
        PartyOrg("branch", "劲松北社区第五党支部", 19, founded=D(2005, 7, 1)),
        PartyOrg("branch", "劲松北社区第六党支部", 16, founded=D(2012, 7, 1)),
        # 报道: 物业入驻涉及 8 个党支部 — six residential branches, the 物管会 branch and the company's.
        PartyOrg("branch", "愿景明德物业劲松项目党支部", 9, at_community=True, founded=D(2019, 6, 1)),
    ),
    building_groups=True,
    owned_since=(1998, 2006),
)


def _plain(
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


def _oc(name: str, members: int, party: int, months_ago: int, number: int = 1) -> Committee:
    return Committee("owners_committee", name, Term(years=5, months_ago=months_ago, number=number), members, party)


def _mc(name: str, members: int, party: int, months_ago: int) -> Committee:
    return Committee("management_committee", name, Term(years=3, months_ago=months_ago), members, party, from_rc=1)


CHAOYANG = District(
    name="朝阳区",
    region="110105",
    departments=_departments("朝阳区", "010", "6509"),
    companies=(
        Company(YUANJING, contact="韦民乐", phone="010-87700001", address="北京市朝阳区劲松西街（劲松北社区服务站）"),
        Company("北京劲东物业服务有限公司", contact="物业服务中心", phone="010-87700102"),
        Company("北京松榆物业管理有限公司", contact="物业服务中心", phone="010-87700203"),
        Company("北京团结湖物业管理有限公司", contact="物业服务中心", phone="010-65000101"),
        Company("北京湖畔佳苑物业服务有限公司", contact="物业服务中心", phone="010-65000202"),
    ),
    streets=(
        Street(
            name="劲松街道",
            working_committee="中共北京市朝阳区劲松街道工作委员会",
            secretary="杨丙章",  # 报道: 劲松街道工委书记
            deputies=("刘胜",),  # 报道: 街道党工委副书记、办事处主任
            alliance=Alliance(
                "劲松街道物业服务联盟",
                D(2020, 9, 1),
                (YUANJING, "北京劲东物业服务有限公司", "北京松榆物业管理有限公司"),
            ),
            communities=(
                Community(
                    "劲松北社区",
                    (JINSONG_1, JINSONG_2),
                    party_name="劲松北社区党委",
                    rc_phone="010-67710001",
                    households_declared=3605,
                ),
                Community(
                    "劲松东社区",
                    (
                        _plain(
                            "劲松三区",
                            480,
                            1980,
                            contract=Contract("北京劲东物业服务有限公司", D(2022, 1, 1), D(2027, 12, 31), 85),
                            committee=_oc("劲松三区业主委员会", 7, 1, months_ago=26),
                            public=120,
                            public_holder=JINSONG_HOUSING,
                        ),
                        _plain("劲松四区", 360, 1979, public=210, public_holder=JINSONG_HOUSING, seniors=380),
                    ),
                    party_name="劲松东社区党委",
                    rc_phone="010-67710002",
                    reported=False,
                ),
                Community(
                    "劲松中社区",
                    (
                        _plain(
                            "劲松五区",
                            300,
                            1982,
                            self_managed=D(2021, 3, 1),
                            committee=_oc("劲松五区业主委员会", 5, 2, months_ago=40),
                        ),
                    ),
                    party_name="劲松中社区党委",
                    rc_phone="010-67710003",
                    reported=False,
                ),
                Community(
                    "劲松西社区",
                    (
                        _plain(
                            "劲松六区",
                            420,
                            1984,
                            contract=Contract("北京松榆物业管理有限公司", D(2024, 5, 1), D(2027, 4, 30), 95),
                            committee=_oc("劲松六区业主委员会", 5, 0, months_ago=14),
                        ),
                        _plain(
                            "劲松七区",
                            260,
                            1981,
                            committee=_mc("劲松七区物业管理委员会", 7, 4, months_ago=9),
                            party=(
                                PartyOrg(
                                    "temporary_branch",
                                    "劲松七区物管会临时党支部",
                                    4,
                                    on_committee=True,
                                    from_committee=True,
                                    leaders=3,
                                ),
                            ),
                            public=90,
                            public_holder=JINSONG_HOUSING,
                        ),
                    ),
                    party_name="劲松西社区党委",
                    rc_phone="010-67710004",
                    reported=False,
                ),
            ),
        ),
        # ------------------------------------------------------------ 团结湖街道（报道 003）
        Street(
            name="团结湖街道",
            working_committee="中共北京市朝阳区团结湖街道工作委员会",
            # 报道: 25 家物业服务企业加入团结湖街道物业服务联盟
            alliance=Alliance(
                "团结湖街道物业服务联盟",
                D(2020, 11, 1),
                ("北京湖畔佳苑物业服务有限公司", "北京团结湖物业管理有限公司"),
                synthetic_members=23,
            ),
            communities=(
                Community(
                    "团结湖社区",
                    (
                        Estate(
                            name="团结公寓",
                            built_year=1996,
                            address="北京市朝阳区团结湖路",
                            layout=Layout(households=640, styles=(TOWER_90S,), area=(60.0, 120.0)),
                            profile=Profile(seniors_permille=310, tenants_permille=240),
                            contracts=(
                                Contract(
                                    "北京团结湖物业管理有限公司",
                                    D(2004, 1, 1),
                                    D(2022, 7, 31),
                                    120,
                                    how_hired="开发建设单位选聘（前期物业）",
                                ),
                                # 报道: 业主大会表决选聘物业，小区更换了物业公司
                                Contract(
                                    "北京湖畔佳苑物业服务有限公司",
                                    D(2022, 8, 1),
                                    D(2027, 7, 31),
                                    160,
                                    tier="comfort",
                                    how_hired="业主大会表决选聘",
                                ),
                            ),
                            # 报道: 经20%的业主发起，召开业主大会临时会议，选举出小区第4届业委会
                            committee=Committee(
                                "owners_committee",
                                "团结公寓第四届业主委员会",
                                Term(years=5, months_ago=56, number=4),
                                members=7,
                                party_members=2,
                            ),
                            owned_since=(1997, 2015),
                        ),
                    ),
                    party_name="团结湖社区党委",
                    rc_phone="010-65010001",
                ),
                Community(
                    "水碓子社区",
                    (
                        # 报道: 区房管局是辖区 102 栋住宅楼的产权单位，由第十二管理所自管
                        _plain(
                            "水碓子东里小区",
                            520,
                            1985,
                            public=440,
                            public_holder="朝阳区房管局第十二管理所（直管公房）",
                            seniors=400,
                            tenants=150,
                        ),
                    ),
                    party_name="水碓子社区党委",
                    rc_phone="010-65010002",
                    reported=False,
                ),
                Community(
                    "中路北社区",
                    (
                        # 报道: 轻工宿舍小区产权单位为央产单位，自行负责小区物业管理
                        Estate(
                            name="轻工宿舍小区",
                            built_year=1979,
                            layout=Layout(households=300, styles=(WALKUP_80S,), area=(40.0, 65.0)),
                            holdings=(Holding("中轻北京宿舍管理中心（央产，名称为演示虚构）", 250),),
                            profile=Profile(seniors_permille=420, tenants_permille=150),
                        ),
                    ),
                    party_name="中路北社区党委",
                    rc_phone="010-65010003",
                    reported=False,
                ),
            ),
        ),
    ),
)

# ---------------------------------------------------------------- 北京市海淀区：北太平庄街道 蓟门里（报道 001）

JIMENLI_MAIN = "北京蓟门物业管理有限公司"
JIMENLI_COMPANIES = (
    # 报道: 物业服务企业 10 家. Our model gives an estate one current contract, so the main company
    # holds it and the other nine, each serving some buildings in reality, are registered in the
    # district and in the street's alliance.
    JIMENLI_MAIN,
    "北京蓟北物业服务有限公司",
    "北京学院路物业管理有限公司",
    "北京北太平庄物业管理有限公司",
    "北京蓟门桥房产物业服务有限公司",
    "北京明光物业管理有限公司",
    "北京西土城物业服务有限公司",
    "北京牡丹园物业管理有限公司",
    "北京元大都物业服务有限公司",
    "北京新街口外物业管理有限公司",
)
# 报道: 产权单位 15 家 (synthetic names).
JIMENLI_RIGHTS_UNITS = (
    ("北京蓟门电子仪器厂", 160),
    ("北京市第二建筑材料公司", 140),
    ("北京北太平庄医院", 120),
    ("北京蓟门里中学", 60),
    ("北京学院路百货公司", 80),
    ("北京市海淀区房屋土地经营管理中心（直管公房）", 210),
    ("北京光学仪器二厂", 110),
    ("北京元大都服装厂", 70),
    ("北京第七汽车修理厂", 65),
    ("北京明光印刷厂", 55),
    ("北京蓟门供销社", 50),
    ("北京北郊木材厂", 90),
    ("北京土城电线厂", 75),
    ("北京市第四十二商店", 40),
    ("北京海淀粮食储运公司", 75),
)

JIMENLI = Estate(
    name="蓟门里小区",
    built_year=1982,  # 报道: 上世纪八十年代初期建成的大型综合小区
    address="北京市海淀区蓟门里",
    households_declared=3100,  # 报道: 现住家庭 3100 余户，1 万余人
    layout=Layout(
        households=3126,
        styles=(replace(WALKUP_80S, weight=4), replace(SLAB_80S, weight=4), replace(TOWER_80S, weight=3)),
        buildings=35,  # 报道: 35 栋居民楼，其中 33 栋为老旧楼宇
        old_buildings=33,
        area=(42.0, 78.0),
        extras=(Extra("commercial", 12, (60.0, 600.0), "shops", owner="北京学院路百货公司"),),
    ),
    holdings=tuple(Holding(name, units) for name, units in JIMENLI_RIGHTS_UNITS),
    profile=Profile(seniors_permille=280, tenants_permille=160, vacancy=0.02, sizes=(5, 17, 36, 26, 16)),
    contracts=(
        Contract(
            JIMENLI_MAIN,
            D(2021, 1, 1),
            D(2027, 12, 31),
            75,
            tier="remedial",
            how_hired="街道协调，物管会监督（小区另有9家物业企业分片服务，见北太平庄街道物业服务联盟）",
        ),
    ),
    # 报道: 物管会成立的同时物管会党支部也成立了，11 名成员都是党员；主任 金丽丽（社区党委书记、居委会主任），副主任 郑义
    committee=Committee(
        "management_committee",
        "蓟门里小区物业管理委员会",
        Term(years=3, founded=D(2020, 6, 1)),
        members=11,
        party_members=11,
        chair="金丽丽",
        vice_chair="郑义",
        from_rc=2,
        rights_unit_reps=2,
    ),
    party_orgs=(
        PartyOrg(
            "branch",
            "蓟门里小区物管会党支部",
            11,
            secretary="金丽丽",
            on_committee=True,
            from_committee=True,
            leaders=3,
            founded=D(2020, 6, 1),
        ),
    ),
    owned_since=(1999, 2010),
)

HAIDIAN = District(
    name="海淀区",
    region="110108",
    departments=_departments("海淀区", "010", "6238"),
    companies=tuple(
        Company(name, contact="物业服务中心", phone=f"010-6204{i:04d}") for i, name in enumerate(JIMENLI_COMPANIES)
    ),
    streets=(
        Street(
            name="北太平庄街道",
            working_committee="中共北京市海淀区北太平庄街道工作委员会",
            alliance=Alliance("北太平庄街道物业服务联盟", D(2020, 8, 1), JIMENLI_COMPANIES),
            communities=(
                Community(
                    "蓟门里社区",
                    (JIMENLI,),
                    party_name="蓟门里社区党委",
                    party_secretary="金丽丽",  # 报道: 社区党委书记、居委会主任
                    rc_chair="金丽丽",
                    rc_phone="010-62010001",
                ),
                Community(
                    "北太平庄社区",
                    (
                        _plain(
                            "北太平庄路9号院",
                            380,
                            1990,
                            contract=Contract("北京北太平庄物业管理有限公司", D(2023, 3, 1), D(2026, 12, 31), 90),
                        ),
                    ),
                    party_name="北太平庄社区党委",
                    rc_phone="010-62010002",
                    reported=False,
                ),
            ),
        ),
    ),
)

# ---------------------------------------------------------------- 北京市西城区：广内街道 广安门北街20号院（报道 000）

# 报道: 仅有一栋楼，共 4 个单元，分属于 6 家产权单位 (synthetic names and holdings).
GUANGANMEN_RIGHTS_UNITS = (
    ("北京市西城区房屋土地经营管理中心（直管公房）", 96),
    ("北京广安机械厂", 72),
    ("北京西便门医院", 64),
    ("北京市第十七印刷厂", 48),
    ("北京宣武物资供应公司", 36),
    ("北京广内商业集团有限公司", 24),
)

GUANGANMEN_20 = Estate(
    name="广安门北街20号院",
    built_year=1995,  # 报道: 建成于 1995 年
    address="北京市西城区广安门北街20号",
    households_declared=486,  # 报道: 486 户居民
    layout=Layout(households=486, styles=(HIGHRISE_95,), buildings=1, area=(48.0, 90.0)),
    holdings=tuple(Holding(name, units) for name, units in GUANGANMEN_RIGHTS_UNITS),
    profile=Profile(seniors_permille=330, tenants_permille=180),
    # No property company: the rights units look after the building; the 物管会 leads (报道).
    # 报道: 委员由居民委员会代表、业主代表等共 11 人组成，其中党员 10 名；主任 尹瑞芳；临时党支部委员 3 人
    committee=Committee(
        "management_committee",
        "广安门北街20号院物业管理委员会",
        Term(years=3, founded=D(2020, 5, 28)),
        members=11,
        party_members=10,
        chair="尹瑞芳",
        from_rc=2,
        rights_unit_reps=1,
    ),
    party_orgs=(
        PartyOrg(
            "temporary_branch",
            "广安门北街20号院物管会临时党支部",
            10,
            secretary="尹瑞芳",
            on_committee=True,
            from_committee=True,
            leaders=3,
            founded=D(2020, 5, 28),
        ),
    ),
    building_groups=True,
    owned_since=(2000, 2012),
)

XICHENG = District(
    name="西城区",
    region="110102",
    departments=_departments("西城区", "010", "6301"),
    companies=(
        Company("北京广内物业服务有限公司", contact="物业服务中心", phone="010-63010101"),
        Company("北京宣西物业管理有限公司", contact="物业服务中心", phone="010-63010202"),
    ),
    streets=(
        Street(
            name="广安门内街道",
            working_committee="中共北京市西城区广安门内街道工作委员会",
            # 报道: 去年，广内街道成立了西城区首家街道“物业联盟”
            alliance=Alliance(
                "广内街道物业联盟", D(2019, 9, 1), ("北京广内物业服务有限公司", "北京宣西物业管理有限公司")
            ),
            communities=(
                Community(
                    "西便门内社区",
                    (
                        GUANGANMEN_20,
                        _plain(
                            "广安门北街18号院",
                            260,
                            1993,
                            contract=Contract("北京广内物业服务有限公司", D(2024, 1, 1), D(2026, 12, 31), 110),
                            public=120,
                            public_holder="北京市西城区房屋土地经营管理中心（直管公房）",
                        ),
                        _plain(
                            "槐柏树街12号院",
                            210,
                            1988,
                            public=150,
                            public_holder="北京市西城区房屋土地经营管理中心（直管公房）",
                            seniors=390,
                        ),
                    ),
                    party_name="西便门内社区党委",
                    party_secretary="尹瑞芳",  # 报道: 西便门内社区党委书记
                    rc_chair="尹瑞芳",
                    rc_phone="010-63030001",
                ),
            ),
        ),
    ),
)

# ---------------------------------------------------------------- 北京市石景山区：老山街道（报道 001）

GUOXING = "首开集团首华物业公司国兴物业处"  # 报道

LAOSHAN = Estate(
    name="老山东里北小区",
    built_year=1986,
    address="北京市石景山区老山东里北",
    # 报道: 将 90 栋居民楼按区域包干到每名党员 (three Party members of the project's Party group).
    layout=Layout(households=3060, styles=(WALKUP_80S,), buildings=90, area=(40.0, 70.0)),
    # 报道: 原系首钢集团产权房屋；2018年3月作为非经营性资产移交国兴物业处管理
    holdings=(Holding("首钢集团有限公司（原产权单位）", 900, at_district=True),),
    profile=Profile(seniors_permille=340, tenants_permille=200),
    contracts=(
        Contract(
            GUOXING,
            D(2018, 3, 1),
            D(2028, 2, 29),
            45,
            tier="remedial",
            how_hired="非经营性资产移交；区企合作协议",
        ),
    ),
    party_orgs=(
        # 报道: 有机更新专班成立临时党支部领导专班各项工作
        PartyOrg("temporary_branch", "老山东里北社区有机更新工作专班临时党支部", 5, founded=D(2019, 8, 1), leaders=3),
        PartyOrg(
            "branch",
            "国兴物业处党支部",
            8,
            founded=D(2018, 5, 1),
            at_community=True,
            group=PartyOrg("party_group", "老山项目党小组", 3, zones=3),
        ),
    ),
    owned_since=(2000, 2014),
)

SHIJINGSHAN = District(
    name="石景山区",
    region="110107",
    departments=_departments("石景山区", "010", "6887"),
    companies=(Company(GUOXING, contact="老山项目部", phone="010-68870101"),),
    streets=(
        Street(
            name="老山街道",
            working_committee="中共北京市石景山区老山街道工作委员会",
            communities=(
                Community("老山东里北社区", (LAOSHAN,), party_name="老山东里北社区党委", rc_phone="010-68880001"),
                Community(
                    "老山西里社区",
                    (
                        _plain(
                            "老山西里小区",
                            600,
                            1987,
                            contract=Contract(GUOXING, D(2018, 3, 1), D(2028, 2, 29), 45, tier="remedial"),
                            public=180,
                            public_holder="首钢集团有限公司（原产权单位）",
                        ),
                    ),
                    party_name="老山西里社区党委",
                    rc_phone="010-68880002",
                ),
            ),
        ),
    ),
)

# ---------------------------------------------------------------- 上海市黄浦区（报道 004）

TAIYANG = Estate(
    name="太阳都市花园后期小区",
    built_year=2003,  # 报道: 2003 年交付使用，毗邻豫园
    is_old=False,
    address="上海市黄浦区豫园街道",
    layout=Layout(
        households=300,  # 报道: 小区规模小 (size synthetic)
        styles=(TOWER_03,),
        buildings=2,
        area=(75.0, 160.0),
        extras=(
            Extra("parking", 60, (12.0, 15.0), "garage", owner="developer", unsold=8),
            Extra("commercial", 4, (50.0, 200.0), "shops", owner="developer", unsold=1),
        ),
    ),
    developer="上海太阳都市置业有限公司（名称为演示虚构）",
    profile=Profile(seniors_permille=260, tenants_permille=230, vacancy=0.06),
    contracts=(
        Contract(
            "上海豫城物业服务有限公司",
            D(2021, 1, 1),
            D(2027, 12, 31),
            280,
            tier="comfort",
            how_hired="业主大会表决续聘",
            fee_non_residential_fen=450,
        ),
    ),
    committee=_oc("太阳都市花园后期小区业主委员会", 5, 2, months_ago=30, number=5),
    building_groups=True,
    owned_since=(2003, 2020),
)

NANCHANG_168 = Estate(
    name="南昌路168弄",
    built_year=1926,
    address="上海市黄浦区南昌路168弄",
    layout=Layout(households=96, styles=(LANE,), name_format="{n}号", area=(18.0, 45.0)),
    # 报道: 老旧直管公房没有业委会; 瑞金二路街道 物业提标
    holdings=(Holding("黄浦区直管公房（永业集团经管）", 80, at_district=True),),
    profile=Profile(seniors_permille=380, tenants_permille=300),
    contracts=(Contract("上海瑞金物业服务有限公司", D(2023, 1, 1), D(2027, 12, 31), 60, tier="remedial"),),
    owned_since=(2001, 2015),
)

SINAN_26 = Estate(
    name="思南路26弄小区",
    built_year=1935,
    address="上海市黄浦区思南路26弄",
    layout=Layout(households=120, styles=(LANE_APARTMENT,), name_format="{n}号", area=(30.0, 70.0)),
    holdings=(Holding("黄浦区直管公房（永业集团经管）", 70, at_district=True),),
    profile=Profile(seniors_permille=360, tenants_permille=260),
    contracts=(Contract("上海瑞金物业服务有限公司", D(2023, 1, 1), D(2027, 12, 31), 80, tier="livable"),),
    owned_since=(2001, 2015),
)

FUNAN = Estate(
    name="富南大厦",
    built_year=2000,  # 报道: 一幢用了 20 多年的超高层筒子楼，商住两用
    address="上海市黄浦区半淞园路街道",
    households_declared=132,
    layout=Layout(
        households=132,  # 报道: 居民 132 户
        styles=(BuildingStyle(weight=1, entrances=(0, 0), floors=(22, 22), per_floor=6, max_floors=22),),
        buildings=1,
        area=(55.0, 110.0),
        # 报道: 商用办公 39 户 (on floors 2–6)
        extras=(Extra("office", 39, (80.0, 260.0), "podium", per_floor=8, start_floor=2),),
    ),
    profile=Profile(seniors_permille=240, tenants_permille=330, vacancy=0.05),
    contracts=(
        Contract("上海富南物业管理有限公司", D(2016, 7, 1), D(2021, 6, 30), 190, how_hired="前期物业"),
        # 报道: 2021 年物业服务合同到期，业委会党的工作小组走访汇总社情民意，物业成功换届
        Contract(
            "上海迎勋物业服务有限公司",
            D(2021, 7, 1),
            D(2024, 6, 30),
            230,
            tier="comfort",
            how_hired="业主大会表决选聘",
            fee_non_residential_fen=380,
        ),
        Contract(
            "上海迎勋物业服务有限公司",
            D(2024, 7, 1),
            D(2027, 6, 30),
            230,
            tier="comfort",
            how_hired="业主大会表决续聘",
            fee_non_residential_fen=380,
        ),
    ),
    # 报道: 业委会主任 宣惠煜
    committee=Committee(
        "owners_committee",
        "富南大厦业主委员会",
        Term(years=5, months_ago=28, number=3),
        members=5,
        party_members=2,
        chair="宣惠煜",
    ),
    party_orgs=(
        # 报道: 迎勋居民区党总支遴选党员组成党的工作小组，派驻到业委会（“派驻式”，富南5条）
        PartyOrg("work_group", "富南大厦业委会党的工作小组", 3, on_committee=True, founded=D(2020, 3, 1)),
    ),
    building_groups=True,
    owned_since=(2000, 2022),
)

HUANGPU = District(
    name="黄浦区",
    region="310101",
    departments=_departments("黄浦区", "021", "6318"),
    companies=(
        Company("上海豫城物业服务有限公司", contact="物业服务中心", phone="021-63180101"),
        Company("上海瑞金物业服务有限公司", contact="物业服务中心", phone="021-64370202"),
        Company("上海富南物业管理有限公司", contact="物业服务中心", phone="021-63010303"),
        Company("上海迎勋物业服务有限公司", contact="物业服务中心", phone="021-63010404"),
    ),
    # 报道: 黄浦区成立“党建引领住宅物业慧治联盟” — district-wide, while our alliances belong to a
    # street, so it is not recorded.
    streets=(
        Street(
            name="豫园街道",
            working_committee="中共上海市黄浦区豫园街道工作委员会",
            communities=(
                Community(
                    "太阳都市居民区",
                    (TAIYANG,),
                    party_name="太阳都市居民区党总支",
                    party_secretary="殷丽珠",  # 报道: 豫园街道太阳都市居民区党总支书记
                    rc_phone="021-63550001",
                ),
            ),
        ),
        Street(
            name="瑞金二路街道",
            working_committee="中共上海市黄浦区瑞金二路街道工作委员会",
            communities=(
                Community(
                    "南昌居民区",
                    (NANCHANG_168, SINAN_26),
                    party_name="南昌居民区党总支",
                    rc_phone="021-64370001",
                    reported=False,
                ),
            ),
        ),
        Street(
            name="半淞园路街道",
            working_committee="中共上海市黄浦区半淞园路街道工作委员会",
            communities=(
                Community(
                    "迎勋居民区",
                    (
                        FUNAN,
                        _plain(
                            "迎勋路88弄",
                            220,
                            1984,
                            contract=Contract("上海迎勋物业服务有限公司", D(2023, 7, 1), D(2026, 6, 30), 70),
                            public=150,
                            public_holder="黄浦区直管公房（永业集团经管）",
                            seniors=360,
                        ),
                    ),
                    party_name="迎勋居民区党总支",  # 报道
                    rc_phone="021-63010001",
                ),
            ),
        ),
    ),
)

WORLD = (
    City("北京市", (CHAOYANG, HAIDIAN, XICHENG, SHIJINGSHAN)),
    City("上海市", (HUANGPU,)),
)

# The figures the demo must reproduce from the reports (checked in tests/registry/test_demo.py).
JINSONG_NORTH_HOUSEHOLDS = 3605
JINSONG_NORTH_SENIORS_PERMILLE = 369
JINSONG_NORTH_TENANTS_PERMILLE = 370
