"""The Excel roster's format (台账表格): its columns, their help, the choice words and the example rows.

See ``gongzhi.registry.roster`` for what a roster row means. No database access."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from gongzhi.core.tabular import (  # noqa: F401 - the cell readers every import shares, used here too
    MAX_UNZIPPED_BYTES,
    CellError,
    RowError,
    cell_text,
    is_blank,
    parse_phone,
    plain_text,
    shown,
)

SHEET_DATA = "房屋与业主"
SHEET_HELP = "填写说明"
MAX_ROWS = 20000  # one import; larger rosters go in several files (one per building group)
MAX_FILE_BYTES = 10 * 1024 * 1024
HEADER_SEARCH_ROWS = 5  # a title row or two above the header is tolerated

# Labels as the template shows them, mapped to the stored values (registry.choices).
USE_LABELS = {"住宅": "residential", "商业": "commercial", "办公": "office", "车位": "parking"}
# 业主类型: a person, or an organisation by its kind (OrganisationKind values; the labels are those
# of registry.choices, written out here because the file's words must not follow the UI language).
OWNER_KIND_LABELS = {"个人": "person", "产权单位": "rights_unit", "开发建设单位": "developer", "其他单位": "other"}
# Read but never offered: 单位 is the one organisation value of the earlier template (its kind
# unknown: a new organisation is registered as 其他单位, an existing one keeps its kind); 开发商 is
# what most people call the developer.
LEGACY_ORGANISATION = "organisation"
OWNER_KIND_ALIASES = {"单位": LEGACY_ORGANISATION, "开发商": "developer"}
ORGANISATION_KINDS = frozenset(v for v in OWNER_KIND_LABELS.values() if v != "person")
RESIDENCY_LABELS = {"业主自住": "owner_occupier", "租户": "tenant", "家庭成员": "family", "空": ""}
USE_NAMES = {v: k for k, v in USE_LABELS.items()}
OWNER_KIND_NAMES = {v: k for k, v in OWNER_KIND_LABELS.items()}  # also OrganisationKind value -> its word
RESIDENCY_NAMES = {v: k for k, v in RESIDENCY_LABELS.items()}

TWO_PLACES = Decimal("0.01")
MAX_AREA = Decimal("99999999.99")  # Unit.*_area: max_digits=10, decimal_places=2


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    required: bool
    help: str
    example: str
    text: bool = False  # formatted as text in the template, so Excel keeps 0101, 1-1 and 18-digit IDs intact


COLUMNS: tuple[Column, ...] = (
    Column("estate", "小区", 14, True, "必须与导入时选择的小区名称完全一致。", "甲小区", text=True),
    Column(
        "building",
        "楼栋",
        10,
        True,
        "楼栋名称，如 1号楼。与台账中已有楼栋名称相同就归入该楼栋，否则新建楼栋。",
        "1号楼",
        text=True,
    ),
    Column(
        "entrance", "单元", 8, False, "单元名称，如 2单元。没有单元的楼栋（平房、底商、车库）留空。", "2单元", text=True
    ),
    Column("number", "房号", 8, True, "如 301。同一楼栋（单元）内房号不能重复。", "301", text=True),
    Column("floor", "楼层", 6, False, "整数；地下层填负数，如 -1。", "3"),
    Column("use", "用途", 8, True, "从下拉列表选择：住宅、商业、办公、车位。", "住宅"),
    Column(
        "registered_area",
        "登记面积",
        10,
        False,
        "不动产登记簿上的建筑面积，单位平方米，最多两位小数，如 60.5。",
        "60.50",
    ),
    Column("surveyed_area", "实测面积", 10, False, "实测面积，单位平方米，最多两位小数。", ""),
    Column(
        "contract_area",
        "合同面积",
        10,
        False,
        "购房合同面积，单位平方米，最多两位小数。三项面积至少填一项；计算面积按 登记→实测→合同 的顺序取第一项已填的"
        "（最高法建筑物区分所有权解释第八条），系统自动记录面积来源，不用填写。",
        "",
    ),
    Column(
        "owner_kind",
        "业主类型",
        12,
        False,
        "从下拉列表选择：个人、产权单位（单位自管房、公房等的产权单位）、开发建设单位（开发商，填它尚未售出的房屋）、"
        "其他单位。留空按个人处理。同一个单位名称只能对应一种类型；台账中已有同名单位的，类型必须与台账一致。"
        "旧模板中的“单位”仍可使用：新单位按“其他单位”登记，台账中已有的同名单位沿用台账中的类型。",
        "个人",
    ),
    Column(
        "name",
        "业主姓名/单位名称",
        16,
        False,
        "此行对应的人或单位。租户、家庭成员也填在这一列（见居住类型）。没有登记业主的房屋可以留空。",
        "张三",
        text=True,
    ),
    Column(
        "phone", "业主手机号", 14, False, "11 位手机号，或带区号的固定电话，如 010-66001234。", "13800001234", text=True
    ),
    Column(
        "id_number",
        "业主身份证号",
        20,
        False,
        "18 位居民身份证号（单位填统一社会信用代码）。台账按身份证号识别同一个人；"
        "一人有多套房时请填身份证号或手机号，否则会被当作不同的人。",
        "110101195001011239",
        text=True,
    ),
    Column("share", "共有份额", 8, False, "按份共有时填写，如 1/2 或 50%；单独所有或共同共有留空。", "1/2", text=True),
    Column(
        "residency",
        "居住类型",
        10,
        False,
        "业主自住：此行的人是业主，住在这里；空（或留空）：此行的人是业主，不住在这里；"
        "租户、家庭成员：此行的人住在这里，但不是业主。",
        "业主自住",
    ),
    Column("note", "备注", 24, False, "房屋的备注，最多 200 字。", "", text=True),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = tuple(c.header for c in COLUMNS)
REQUIRED_HEADER_KEYS = ("estate", "building", "number", "use")
AREA_KEYS = ("registered_area", "surveyed_area", "contract_area")
UNIT_FACT_KEYS = ("floor", "use", *AREA_KEYS, "note")

GENERAL_HELP = (
    "每一行是一套房屋和一位业主（或住户）。一套房有几位共有人，就写几行，房号相同。",
    "同一套房写了多行时，楼层、用途、面积、备注只需在第一行填写；如果多行都填，必须相同。",
    "没有业主信息的房屋也可以写一行，业主姓名等列留空。",
    "上传后系统先检查每一行：只要有一处错误，就不会导入任何数据，并列出出错的行号、列名和原因。改正后重新上传整个文件即可。",
    "台账中已有的房屋：表格中的信息必须与台账一致；台账中空着的楼层、面积、备注会用表格补上；"
    "已登记的业主不能通过导入更换（产权变更请在房屋页面办理）。",
    "台账中已有的人按身份证号识别；已登记的姓名、手机号与表格不一致时会报错，不会覆盖。",
    "表头为红色的列必须填写；面积三项至少填一项。请不要改动第一行的表头文字。",
    "业主类型为“开发建设单位”、且没有其他业主的房屋，导入时自动标记为“开发商未售出”：开发建设单位未出售或未交付的"
    "房屋在业主大会表决时合计只算一人，面积照常计入（最高法建筑物区分所有权解释第九条）。已经卖出的房屋请填买受人，"
    "不要填开发建设单位。",
)
EXAMPLE_ROWS = (
    (
        "甲小区",
        "1号楼",
        "2单元",
        "301",
        3,
        "住宅",
        "60.50",
        "",
        "",
        "个人",
        "张三",
        "13800001234",
        "",
        "1/2",
        "业主自住",
        "",
    ),
    ("甲小区", "1号楼", "2单元", "301", "", "", "", "", "", "个人", "李四", "13900005678", "", "1/2", "空", ""),
    ("甲小区", "1号楼", "2单元", "302", 3, "住宅", "", "75.25", "", "个人", "赵六", "13600001111", "", "", "空", ""),
    ("甲小区", "1号楼", "2单元", "302", "", "", "", "", "", "个人", "王五", "13700009999", "", "", "租户", ""),
    ("甲小区", "底商", "", "S1", 1, "商业", "", "", "120", "产权单位", "某产权单位", "010-66001234", "", "", "空", ""),
    ("甲小区", "底商", "", "S2", 1, "商业", "", "", "85.5", "开发建设单位", "某开发公司", "", "", "", "", ""),
)


class RosterFileError(Exception):
    """The upload is not a workbook we can read at all (shown on the upload form)."""
