"""Beijing in the demo: 劲松街道 (朝阳区, reports 000 and 002), 北太平庄街道's 蓟门里 (海淀区, report 001),
广内街道's 广安门北街20号院 (西城区, report 000) and 老山街道 (石景山区, report 001), with plain
neighbour estates beside them. See ``gongzhi.demo.sites`` for what is reported and what is made up.
"""

from __future__ import annotations

from dataclasses import replace

from gongzhi.demo.population import Profile
from gongzhi.demo.sites.schema import (
    HIGHRISE_95,
    SLAB_80S,
    TOWER_70S,
    TOWER_80S,
    TOWER_90S,
    WALKUP_70S,
    WALKUP_80S,
    Alliance,
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
    mc,
    oc,
    plain,
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

CHAOYANG = District(
    name="朝阳区",
    region="110105",
    departments=departments("朝阳区", "010", "6509"),
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
                        plain(
                            "劲松三区",
                            480,
                            1980,
                            contract=Contract("北京劲东物业服务有限公司", D(2022, 1, 1), D(2027, 12, 31), 85),
                            committee=oc("劲松三区业主委员会", 7, 1, months_ago=26),
                            public=120,
                            public_holder=JINSONG_HOUSING,
                        ),
                        plain("劲松四区", 360, 1979, public=210, public_holder=JINSONG_HOUSING, seniors=380),
                    ),
                    party_name="劲松东社区党委",
                    rc_phone="010-67710002",
                    reported=False,
                ),
                Community(
                    "劲松中社区",
                    (
                        plain(
                            "劲松五区",
                            300,
                            1982,
                            self_managed=D(2021, 3, 1),
                            committee=oc("劲松五区业主委员会", 5, 2, months_ago=40),
                        ),
                    ),
                    party_name="劲松中社区党委",
                    rc_phone="010-67710003",
                    reported=False,
                ),
                Community(
                    "劲松西社区",
                    (
                        plain(
                            "劲松六区",
                            420,
                            1984,
                            contract=Contract("北京松榆物业管理有限公司", D(2024, 5, 1), D(2027, 4, 30), 95),
                            committee=oc("劲松六区业主委员会", 5, 0, months_ago=14),
                        ),
                        plain(
                            "劲松七区",
                            260,
                            1981,
                            committee=mc("劲松七区物业管理委员会", 7, 4, months_ago=9),
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
                        plain(
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
    departments=departments("海淀区", "010", "6238"),
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
                        plain(
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
    departments=departments("西城区", "010", "6301"),
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
                        plain(
                            "广安门北街18号院",
                            260,
                            1993,
                            contract=Contract("北京广内物业服务有限公司", D(2024, 1, 1), D(2026, 12, 31), 110),
                            public=120,
                            public_holder="北京市西城区房屋土地经营管理中心（直管公房）",
                        ),
                        plain(
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
    departments=departments("石景山区", "010", "6887"),
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
                        plain(
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
