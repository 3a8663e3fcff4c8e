"""Shanghai in the demo: 黄浦区 (report 004) — 太阳都市花园后期小区, the lanes of 南昌路168弄 and
思南路26弄, and 富南大厦 with its owners' committee and Party work group.
"""

from __future__ import annotations

from gongzhi.demo.population import BuildingStyle, Profile
from gongzhi.demo.sites.schema import (
    LANE,
    LANE_APARTMENT,
    TOWER_03,
    Committee,
    Community,
    Company,
    Contract,
    D,
    District,
    Estate,
    Extra,
    Holding,
    Layout,
    PartyOrg,
    Street,
    Term,
    departments,
    oc,
    plain,
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
    committee=oc("太阳都市花园后期小区业主委员会", 5, 2, months_ago=30, number=5),
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
    departments=departments("黄浦区", "021", "6318"),
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
                        plain(
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
