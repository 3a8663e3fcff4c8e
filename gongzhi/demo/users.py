"""The demo logins: one or more per role (gongzhi/accounts/roles.py), residents, and the superuser.

``load_demo`` creates them through ``gongzhi.accounts.services``; ``demo_logins`` prints this table.
All share one easy password — it is a demo, never a production database.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from gongzhi.demo.kit import DEMO_PASSWORD

START_STREET = "街道总览"
START_ESTATES = "小区列表"
START_MINE = "我的房屋（手机页）"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str  # a code of gongzhi.accounts.roles.ROLES, "resident" or "superuser"
    role_label: str  # as shown in the table
    where: str  # as shown in the table
    start: str  # the page the user starts on
    place: tuple[str, ...] = ()  # names from the city down to the node the role is assigned at
    company: str = ""
    organisation: str = ""
    department: str = ""
    title: str = ""
    person: str = ""  # key of a person the builder picked (residents, and staff who are residents)


JINSONG_STREET = ("北京市", "朝阳区", "劲松街道")
JINSONG_NORTH = (*JINSONG_STREET, "劲松北社区")
GUANGNEI_STREET = ("北京市", "西城区", "广安门内街道")
XIBIANMEN = (*GUANGNEI_STREET, "西便门内社区")
GUANGANMEN_20 = (*XIBIANMEN, "广安门北街20号院")
JIMENLI = ("北京市", "海淀区", "北太平庄街道", "蓟门里社区", "蓟门里小区")
FUNAN = ("上海市", "黄浦区", "半淞园路街道", "迎勋居民区", "富南大厦")

DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "系统管理员", "superuser", "系统管理员", "全部数据", f"{START_STREET}；后台管理 /admin/"),
    DemoUser(
        "jinsong_street",
        "劲松街道 工作人员",
        "street_officer",
        "街道工作人员",
        "北京市朝阳区劲松街道",
        START_STREET,
        place=JINSONG_STREET,
        title="街道城市管理办公室",
    ),
    DemoUser(
        "guangnei_street",
        "广内街道 工作人员",
        "street_officer",
        "街道工作人员",
        "北京市西城区广安门内街道",
        START_STREET,
        place=GUANGNEI_STREET,
        title="街道物业管理科",
    ),
    DemoUser(
        "bansongyuan_street",
        "半淞园路街道 工作人员",
        "street_officer",
        "街道工作人员",
        "上海市黄浦区半淞园路街道",
        START_STREET,
        place=("上海市", "黄浦区", "半淞园路街道"),
        title="街道房屋管理办公室",
    ),
    DemoUser(
        "chaoyang_housing",
        "朝阳区房管局 科员",
        "department_officer",
        "区职能部门",
        "北京市朝阳区（朝阳区房管局）",
        START_STREET,
        place=("北京市", "朝阳区"),
        department="朝阳区房管局",
        title="物业管理科",
    ),
    DemoUser(
        "jinsong_community",
        "劲松北社区 居委会",
        "community_staff",
        "社区党委/居委会",
        "劲松北社区（劲松一区、劲松二区）",
        START_ESTATES,
        place=JINSONG_NORTH,
        title="居委会委员",
    ),
    DemoUser(
        "xibianmen_community",
        "西便门内社区 居委会",
        "community_staff",
        "社区党委/居委会",
        "西便门内社区（广安门北街20号院等）",
        START_ESTATES,
        place=XIBIANMEN,
        title="社区工作者",
    ),
    DemoUser(
        "jinsong_party",
        "劲松北社区党委 书记",
        "party_worker",
        "党组织书记",
        "劲松北社区",
        START_ESTATES,
        place=JINSONG_NORTH,
        title="社区党委书记",
    ),
    DemoUser(
        "funan_party",
        "富南大厦 党的工作小组",
        "party_worker",
        "派驻党的工作小组",
        "上海市黄浦区富南大厦",
        START_ESTATES,
        place=FUNAN,
        title="党的工作小组组长",
    ),
    DemoUser(
        "guanganmen_committee",
        "20号院物管会 委员",
        "committee_member",
        "物管会委员",
        "广安门北街20号院",
        START_ESTATES,
        place=GUANGANMEN_20,
        title="物管会委员",
        person="guanganmen_committee",
    ),
    DemoUser(
        "jimenli_committee",
        "蓟门里物管会 委员",
        "committee_member",
        "物管会委员",
        "蓟门里小区",
        START_ESTATES,
        place=JIMENLI,
        title="物管会委员",
        person="jimenli_committee",
    ),
    DemoUser(
        "funan_committee",
        "富南大厦业委会 委员",
        "committee_member",
        "业委会委员",
        "上海市黄浦区富南大厦",
        START_ESTATES,
        place=FUNAN,
        title="业委会委员",
        person="funan_committee",
    ),
    DemoUser(
        "yuanjing_manager",
        "愿景明德物业 项目经理",
        "property_manager",
        "物业管理员",
        "北京愿景明德物业管理有限公司（劲松一区、劲松二区）",
        START_ESTATES,
        company="北京愿景明德物业管理有限公司",
        title="劲松项目经理",
    ),
    DemoUser(
        "yuanjing_staff",
        "愿景明德物业 维修工",
        "property_staff",
        "物业员工（维修/客服）",
        "北京愿景明德物业管理有限公司（劲松一区、劲松二区）",
        START_ESTATES,
        company="北京愿景明德物业管理有限公司",
        title="维修工",
    ),
    DemoUser(
        "yuanjing_finance",
        "愿景明德物业 财务",
        "property_finance",
        "物业财务",
        "北京愿景明德物业管理有限公司（劲松一区、劲松二区）",
        START_ESTATES,
        company="北京愿景明德物业管理有限公司",
        title="财务",
    ),
    DemoUser(
        "guanganmen_rights",
        "20号院产权单位 联络员",
        "rights_unit",
        "产权单位",
        "广安门北街20号院（北京市西城区房屋土地经营管理中心）",
        START_ESTATES,
        place=GUANGANMEN_20,
        organisation="北京市西城区房屋土地经营管理中心（直管公房）",
        title="房管联络员",
    ),
    DemoUser(
        "jinsong_grid",
        "劲松北社区 网格员",
        "grid_worker",
        "网格员",
        "劲松北社区",
        START_ESTATES,
        place=JINSONG_NORTH,
        title="网格员",
        person="jinsong_grid",
    ),
    DemoUser(
        "jinsong_volunteer",
        "劲松一区 楼组长",
        "volunteer",
        "楼组长/志愿者",
        "劲松一区的一栋楼",
        START_ESTATES,
        place=(*JINSONG_NORTH, "劲松一区"),  # the builder narrows it to the building the person leads
        title="楼组长",
        person="jinsong_volunteer",
    ),
    DemoUser(
        "jinsong_owner", "劲松一区 业主", "resident", "居民（业主自住）", "劲松一区", START_MINE, person="jinsong_owner"
    ),
    DemoUser(
        "jinsong_tenant", "劲松二区 租户", "resident", "居民（租户）", "劲松二区", START_MINE, person="jinsong_tenant"
    ),
    DemoUser(
        "guanganmen_owner",
        "20号院 业主",
        "resident",
        "居民（房改购房业主）",
        "广安门北街20号院",
        START_MINE,
        person="guanganmen_owner",
    ),
)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


# Logins that the voting and funds demos create (gongzhi/<app>/demo.py), printed after the table above
# when they exist: (username, role, where, what to look at first).
APP_DEMO_LOGINS: tuple[tuple[str, str, str, str], ...] = (
    ("jinsong_counter", "社区计票复核员", "劲松北社区", "业主大会表决：纸质选票复核"),
    ("taiyang_committee", "业委会委员", "上海市 太阳都市花园后期", "业主大会表决（分楼组）；维修资金续筹"),
    ("taiyang_community", "居委会", "太阳都市居民区", "业主大会表决：参与情况"),
    ("taiyang_owner", "业主（居民）", "太阳都市花园后期", "我的表决（手机页）；我的账单"),
    ("taiyang_finance", "物业财务", "上海豫城物业 · 太阳都市花园后期", "续筹周复盘：收款与银行流水导入"),
    ("tuanjie_committee", "业委会委员", "团结公寓", "联名申请临时业主大会"),
    ("tuanjie_community", "居委会", "团结湖社区", "联名进度与临时业主大会"),
    ("tuanjie_owner", "业主（居民）", "团结公寓", "联名申请（手机页）"),
)


def logins_table(
    address: str,
    *,
    where: dict[str, str] | None = None,
    max_failures: int = 5,
    lockout_minutes: int = 15,
    app_logins: frozenset[str] = frozenset(),
) -> str:
    """The demo logins as a plain-text table for the terminal, in Chinese. ``where`` overrides the
    scope column per username (the resident's own home, the building a 楼组长 leads); ``app_logins`` are
    the usernames of APP_DEMO_LOGINS that exist."""
    where = where or {}
    header = ("账号", "密码", "角色", "范围", "登录后先看")
    rows = [(u.username, DEMO_PASSWORD, u.role_label, where.get(u.username, u.where), u.start) for u in DEMO_USERS]
    rows += [(name, DEMO_PASSWORD, *rest) for name, *rest in APP_DEMO_LOGINS if name in app_logins]
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    lines = [
        f"共治演示系统：{address}",
        f"所有演示账号的密码都是 {DEMO_PASSWORD}（仅用于演示，切勿用于正式环境）",
        "",
    ]
    for row in [header, *rows]:
        lines.append("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1])
    lines.append("")
    lines.append(f"在同一地址连续输错某账号的密码 {max_failures} 次，需等待 {lockout_minutes} 分钟才能再试该账号。")
    return "\n".join(lines)
