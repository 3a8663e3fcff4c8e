"""The Excel roster (台账表格): its columns, the template and export workbooks, and the row checks.

Street offices keep their rosters in Excel. One sheet, 房屋与业主, holds one row per pair of a unit
(专有部分) and a person or organisation linked to it; co-owners take several rows for the same unit.
``居住类型`` says how the row's party is linked to the unit:

- 业主自住: an owner who lives there (产权 + 居住);
- 空 or blank: an owner who does not live there, or a vacant unit (产权 only);
- 租户 / 家庭成员: someone who lives there but is not an owner (居住 only).

A row with no name records a unit with nobody on it yet.

``业主类型`` says who the row's party is: 个人, or an organisation of one of the kinds of
``registry.choices.OrganisationKind`` (产权单位, 开发建设单位, 其他单位). Files made with the earlier
template say only 单位; such an organisation has no kind in the plan (see ``PartyPlan.org_kind``).

This module has no database access: it builds workbooks and turns a workbook into a ``RosterPlan``
(units, people, organisations and their links) plus a list of ``RowError`` that name the Excel row
and column. Checks against what the registry already holds live in ``roster_services``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gongzhi.core.exports import keep_text
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
from gongzhi.registry import rules

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


# ---------------------------------------------------------------------------------------------
# Workbooks


def _header_font(column: Column) -> Font:
    return Font(bold=True, color="B3261E" if column.required else "1F2328")


def build_workbook(rows: Iterable[dict[str, Any]] = (), *, data_rows_hint: int = MAX_ROWS) -> bytes:
    """The roster workbook: the data sheet (with ``rows`` filled in) and the 填写说明 sheet.

    The empty template and the export share this builder, so an export can be imported again.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_DATA
    header_fill = PatternFill("solid", fgColor="F3F4F6")
    for idx, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=idx, value=column.header)
        cell.font = _header_font(column)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        note = ("必填。" if column.required else "") + column.help
        cell.comment = Comment(note, "共治", width=260, height=120)
        dimension = ws.column_dimensions[get_column_letter(idx)]
        dimension.width = column.width + 2
        if column.text:
            # The whole column is text, so Excel keeps what the user types: 0101 stays 0101, 1/2 does
            # not become a date and an 18-digit ID number does not become 1.10101E+17.
            dimension.number_format = "@"
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 22

    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007 - count is used after the loop
        for idx, column in enumerate(COLUMNS, start=1):
            value = row.get(column.key)
            if value is None or value == "":
                continue
            cell = keep_text(ws.cell(row=count + 1, column=idx, value=value))
            if column.text:
                cell.number_format = "@"
            elif column.key in AREA_KEYS:
                cell.number_format = "0.00"

    last = max(count + 1, data_rows_hint + 1)
    _add_validations(ws, last)
    _add_help_sheet(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _col_range(key: str, last_row: int) -> str:
    letter = get_column_letter([c.key for c in COLUMNS].index(key) + 1)
    return f"{letter}2:{letter}{last_row}"


def _list_validation(choices: Iterable[str], title: str) -> DataValidation:
    dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
    dv.errorTitle = title
    dv.error = f"请从下拉列表中选择：{'、'.join(choices)}"
    dv.promptTitle = title
    dv.prompt = "从下拉列表选择"
    dv.showErrorMessage = True
    return dv


def _add_validations(ws: Any, last_row: int) -> None:
    for key, choices in (
        ("use", USE_LABELS),
        ("owner_kind", OWNER_KIND_LABELS),
        ("residency", RESIDENCY_LABELS),
    ):
        dv = _list_validation(choices, COLUMN_BY_KEY[key].header)
        dv.add(_col_range(key, last_row))
        ws.add_data_validation(dv)
    area = DataValidation(type="decimal", operator="greaterThan", formula1="0", allow_blank=True)
    area.errorTitle = "面积"
    area.error = "面积应为大于 0 的数字（平方米），最多两位小数，如 60.5"
    area.showErrorMessage = True
    for key in AREA_KEYS:
        area.add(_col_range(key, last_row))
    ws.add_data_validation(area)
    floor = DataValidation(type="whole", operator="between", formula1="-20", formula2="300", allow_blank=True)
    floor.errorTitle = "楼层"
    floor.error = "楼层应为整数，地下层填负数，如 -1"
    floor.showErrorMessage = True
    floor.add(_col_range("floor", last_row))
    ws.add_data_validation(floor)


def _add_help_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(SHEET_HELP)
    bold = Font(bold=True)
    ws["A1"] = "台账导入填写说明"
    ws["A1"].font = Font(bold=True, size=14)
    r = 3
    for i, line in enumerate(GENERAL_HELP, start=1):
        ws.cell(row=r, column=1, value=f"{i}. {line}")
        r += 1
    r += 1
    for idx, text in enumerate(("列名", "是否必填", "填写说明", "示例"), start=1):
        ws.cell(row=r, column=idx, value=text).font = bold
    for column in COLUMNS:
        r += 1
        ws.cell(row=r, column=1, value=column.header).font = _header_font(column)
        ws.cell(row=r, column=2, value="必填" if column.required else "选填")
        ws.cell(row=r, column=3, value=column.help).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=r, column=4, value=column.example)
    r += 2
    ws.cell(
        row=r,
        column=1,
        value="示例：301 由张三、李四按份共有，张三自住；302 的业主赵六把房子租给了王五；底商 S1 属于一个产权单位；"
        "S2 是开发商还没卖出的商铺。"
        "（仅供参考，请在“房屋与业主”表中填写）",
    ).font = bold
    r += 1
    for idx, header in enumerate(HEADERS, start=1):
        ws.cell(row=r, column=idx, value=header).font = bold
    for example in EXAMPLE_ROWS:
        r += 1
        for idx, value in enumerate(example, start=1):
            keep_text(ws.cell(row=r, column=idx, value=value))
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 70
    ws.column_dimensions["D"].width = 20


# ---------------------------------------------------------------------------------------------
# Reading


def _normalise_header(value: Any) -> str:
    text = str(value or "")
    return re.sub(r"[\s*＊:：]", "", text)


HEADER_LOOKUP = {_normalise_header(c.header): c.key for c in COLUMNS}


def open_workbook(content: bytes) -> Any:
    """The workbook in ``content``; ``RosterFileError`` with a Chinese message when it cannot be read."""
    if not content:
        raise RosterFileError("文件是空的，请重新选择文件。")
    if len(content) > MAX_FILE_BYTES:
        raise RosterFileError("文件超过 10 MB，请分成几个文件导入（例如每个楼栋一个文件）。")
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise RosterFileError("这是旧版 Excel（.xls）文件。请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再上传。")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise RosterFileError("文件内容过大，请分成几个文件导入。")
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except RosterFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not an .xlsx
        raise RosterFileError(
            "无法读取这个文件。请上传用 Excel 或 WPS 保存的 .xlsx 文件（建议从本页下载模板填写）。"
        ) from exc


def _pick_sheet(wb: Any) -> Any:
    if SHEET_DATA in wb.sheetnames:
        return wb[SHEET_DATA]
    return wb.worksheets[0]


@dataclass
class Header:
    row: int  # Excel row number of the header
    index: dict[str, int]  # column key -> 0-based position


def find_header(first_rows: list[tuple[int, tuple]]) -> tuple[Header | None, list[RowError]]:
    """Find the header row among the first few rows and map the known headers to their positions."""
    best: tuple[int, tuple] | None = None
    for row_number, values in first_rows:
        keys = {HEADER_LOOKUP.get(_normalise_header(v)) for v in values}
        if "number" in keys and ("building" in keys or "estate" in keys):
            best = (row_number, values)
            break
    if best is None:
        return None, [
            RowError(
                1,
                "表头",
                "找不到表头。第一行应为：" + "、".join(HEADERS) + "。请下载本页的模板，把数据粘贴进去后再上传。",
            )
        ]
    row_number, values = best
    index: dict[str, int] = {}
    errors: list[RowError] = []
    for pos, value in enumerate(values):
        key = HEADER_LOOKUP.get(_normalise_header(value))
        if key is None:
            continue
        if key in index:
            errors.append(RowError(row_number, COLUMN_BY_KEY[key].header, "表头中这一列出现了两次，请删除多余的一列。"))
            continue
        index[key] = pos
    for key in REQUIRED_HEADER_KEYS:
        if key not in index:
            errors.append(RowError(row_number, COLUMN_BY_KEY[key].header, "缺少这一列。请使用本页下载的模板。"))
    if not any(k in index for k in AREA_KEYS):
        errors.append(RowError(row_number, "登记面积", "缺少面积列（登记面积、实测面积、合同面积至少要有一列）。"))
    return Header(row_number, index), errors


def iter_sheet_rows(content: bytes) -> tuple[Iterator[tuple[int, tuple]], int | None]:
    """The data sheet's rows as (Excel row number, values), and the sheet's size as the file records
    it (trailing empty rows count; None when the file does not say)."""
    wb = open_workbook(content)
    ws = _pick_sheet(wb)
    recorded = ws.max_row
    # Some programs write a wrong size into the file; read every row whatever it claims.
    ws.reset_dimensions()

    def rows() -> Iterator[tuple[int, tuple]]:
        try:
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                yield number, tuple(values)
        finally:
            wb.close()

    return rows(), recorded


# ---------------------------------------------------------------------------------------------
# Cells


_AREA_UNITS = re.compile(r"(m2|㎡|平方米|平米|平方|平)$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_area(value: Any) -> Decimal | None:
    """An area in m² as an exact Decimal with at most two places (DOMAIN_RULES.md §A 2).

    Accepts numbers and text such as "60.5", "60.50㎡" or "１２０"; rejects words ("六十").
    openpyxl hands numeric cells over as Python floats; ``repr`` gives back the shortest decimal
    text naming that same double — the text Excel wrote in the file — and the Decimal is built
    from that text, so no float arithmetic touches the area.
    """
    if is_blank(value):
        return None
    from_float = False
    if isinstance(value, bool) or isinstance(value, dt.datetime | dt.date | dt.time):
        raise CellError(f"面积应为数字（平方米），如 60.5，不能填“{shown(value)}”。")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError("面积应为数字（平方米），如 60.5。")
        number = Decimal(repr(value))
        from_float = True
    elif isinstance(value, Decimal):
        number = value
    else:
        text = _AREA_UNITS.sub("", plain_text(str(value)))
        if _GROUPED.match(text):
            text = text.replace(",", "")
        if not _NUMBER.match(text):
            raise CellError(f"面积应为数字（平方米），如 60.5，不能填“{shown(value)}”。")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the pattern above admits only numbers
            raise CellError(f"面积应为数字（平方米），如 60.5，不能填“{shown(value)}”。") from exc
    if number <= 0:
        raise CellError(f"面积必须大于 0，填的是“{shown(value)}”。")
    rounded = number.quantize(TWO_PLACES)
    if rounded != number:
        # A value computed by an Excel formula can carry binary noise (60.550000000000004).
        if not (from_float and abs(rounded - number) < Decimal("1e-9")):
            raise CellError(f"面积最多保留两位小数，填的是“{shown(value)}”。")
    if rounded > MAX_AREA:
        raise CellError(f"面积过大：“{shown(value)}”平方米，请核对。")
    return rounded


_FLOOR_TEXT = re.compile(r"^(-?\d+)(层|楼|f)?$", re.IGNORECASE)
_BASEMENT_TEXT = re.compile(r"^(b|地下)(\d+)(层|楼|f)?$", re.IGNORECASE)


def parse_floor(value: Any) -> int | None:
    """A floor number: 3, "3层", "-1", "B1" and "地下1层" (= -1)."""
    if is_blank(value):
        return None
    problem = CellError(f"楼层应为整数，地下层填负数（如 -1），不能填“{shown(value)}”。")
    if isinstance(value, bool):
        raise problem
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise problem
        number = int(value)
    elif isinstance(value, str):
        text = plain_text(value)
        if match := _FLOOR_TEXT.match(text):
            number = int(match.group(1))
        elif match := _BASEMENT_TEXT.match(text):
            number = -int(match.group(2))
        else:
            raise problem
    else:
        raise problem
    if not -20 <= number <= 300:
        raise CellError(f"楼层 {number} 超出范围（-20 到 300），请核对。")
    return number


def parse_choice(value: Any, labels: dict[str, str], what: str, aliases: dict[str, str] | None = None) -> str | None:
    """A value picked from a drop-down list (or one of its ``aliases``, accepted but not offered); None when blank."""
    if is_blank(value):
        return None
    text = plain_text(str(value))
    if text in labels:
        return labels[text]
    if aliases and text in aliases:
        return aliases[text]
    raise CellError(f"{what}只能是 {'、'.join(labels)} 之一，填的是“{shown(value)}”。")


def parse_id_number(value: Any) -> str:
    """An 18-digit resident ID number (GB 11643 check digit)."""
    if is_blank(value):
        return ""
    if isinstance(value, float):
        raise CellError(
            "身份证号被 Excel 存成了数字，后几位已经丢失。请把这一列设为“文本”格式，重新输入完整的 18 位号码。"
        )
    if isinstance(value, dt.datetime | dt.date | dt.time | bool):
        raise CellError(f"身份证号格式不正确：“{shown(value)}”。")
    id_number = plain_text(str(value)).upper()
    if len(id_number) != 18:
        raise CellError(f"身份证号应为 18 位，“{shown(value)}”是 {len(id_number)} 位。")
    if not rules.id_number_valid(id_number):
        raise CellError(f"身份证号“{shown(value)}”校验不通过（可能有数字抄错），请核对。")
    return id_number


_CREDIT_CODE = re.compile(r"^[0-9A-Z]{18}$")


def parse_credit_code(value: Any) -> str:
    """A unified social credit code (统一社会信用代码) of an organisation owner."""
    if is_blank(value):
        return ""
    if isinstance(value, float):
        raise CellError("统一社会信用代码被 Excel 存成了数字。请把这一列设为“文本”格式后重新输入。")
    code = plain_text(str(value)).upper()
    if not _CREDIT_CODE.match(code):
        raise CellError(f"单位的这一列应填 18 位统一社会信用代码（数字或大写字母），填的是“{shown(value)}”。")
    return code


_FRACTION = re.compile(r"^(\d+)/(\d+)$")
_PERCENT = re.compile(r"^(\d+(\.\d+)?)%$")


def parse_share(value: Any) -> str:
    """A co-ownership share (按份共有的份额): "1/2", "50%" or "0.5"."""
    if is_blank(value):
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        raise CellError("共有份额被 Excel 识别成了日期（输入 1/2 时常见）。请把这一列设为“文本”格式后重新输入 1/2。")
    problem = CellError(f"共有份额应写成 1/2 或 50% 的形式，填的是“{shown(value)}”。")
    if isinstance(value, bool):
        raise problem
    if isinstance(value, int | float):
        share = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not 0 < share <= 1:
            raise problem
        return str(share.normalize())
    text = plain_text(str(value)).replace("／", "/").replace("％", "%")
    if match := _FRACTION.match(text):
        numerator, denominator = int(match.group(1)), int(match.group(2))
        if not 0 < numerator <= denominator:
            raise problem
        return text
    if match := _PERCENT.match(text):
        if not 0 < Decimal(match.group(1)) <= 100:
            raise problem
        return text
    if _NUMBER.match(text) and 0 < Decimal(text) <= 1:
        return text
    raise problem


# ---------------------------------------------------------------------------------------------
# Rows


@dataclass
class RosterRow:
    """One data row, checked cell by cell. ``kind`` is None when the row names nobody."""

    row: int
    building: str = ""
    entrance: str = ""
    number: str = ""
    floor: int | None = None
    use: str | None = None
    registered_area: Decimal | None = None
    surveyed_area: Decimal | None = None
    contract_area: Decimal | None = None
    note: str = ""
    kind: str | None = None  # OwnerKind value
    org_kind: str = ""  # OrganisationKind value of an organisation; "" when the file says only 单位
    name: str = ""
    phone: str = ""
    id_number: str = ""  # an ID number for a person, a credit code for an organisation
    share: str = ""
    residency: str = ""  # ResidencyKind value, "" = does not live there

    @property
    def unit_key(self) -> tuple[str, str, str]:
        return (self.building, self.entrance, self.number)

    @property
    def is_owner(self) -> bool:
        return self.kind is not None and self.residency in ("", "owner_occupier")


def unit_label(key: tuple[str, str, str]) -> str:
    """3号楼2单元301 — the way people write it."""
    return "".join(key)


def _read(values: tuple, header: Header, key: str) -> Any:
    pos = header.index.get(key)
    if pos is None or pos >= len(values):
        return None
    return values[pos]


def check_row(row_number: int, values: tuple, header: Header, estate_name: str) -> tuple[RosterRow, list[RowError]]:
    """Check every cell of one row on its own; cross-row checks come later."""
    errors: list[RowError] = []
    row = RosterRow(row=row_number)

    def cell(key: str, parse: Callable[[Any], Any]) -> Any:
        try:
            return parse(_read(values, header, key))
        except CellError as exc:
            errors.append(RowError(row_number, COLUMN_BY_KEY[key].header, str(exc)))
            return None

    def text(key: str, max_length: int, *, required: bool = False) -> str:
        value = cell(key, lambda v: cell_text(v, max_length=max_length))
        if value == "" and required:
            errors.append(RowError(row_number, COLUMN_BY_KEY[key].header, "必填，不能为空。"))
        return value or ""

    estate = text("estate", 100, required=True)
    if estate and estate != estate_name.strip():
        errors.append(
            RowError(row_number, "小区", f"小区应为“{estate_name}”（导入时选择的小区），这一行填的是“{estate}”。")
        )
    row.building = text("building", 100, required=True)
    row.entrance = text("entrance", 100)
    row.number = text("number", 30, required=True)
    row.floor = cell("floor", parse_floor)
    row.use = cell("use", lambda v: parse_choice(v, USE_LABELS, "用途"))
    row.registered_area = cell("registered_area", parse_area)
    row.surveyed_area = cell("surveyed_area", parse_area)
    row.contract_area = cell("contract_area", parse_area)
    row.note = text("note", 200)

    kind = cell("owner_kind", lambda v: parse_choice(v, OWNER_KIND_LABELS, "业主类型", OWNER_KIND_ALIASES))
    residency = cell("residency", lambda v: parse_choice(v, RESIDENCY_LABELS, "居住类型"))
    row.residency = residency or ""
    organisation = kind in ORGANISATION_KINDS or kind == LEGACY_ORGANISATION
    row.name = text("name", 120 if organisation else 50)
    row.phone = cell("phone", parse_phone) or ""
    row.id_number = cell("id_number", parse_credit_code if organisation else parse_id_number) or ""
    row.share = cell("share", parse_share) or ""

    if row.name:
        row.kind = "organisation" if organisation else "person"
        row.org_kind = kind if kind in ORGANISATION_KINDS else ""
        if organisation and row.residency:
            errors.append(RowError(row_number, "居住类型", "单位不能居住，单位业主的居住类型请选“空”或留空。"))
        if row.share and not row.is_owner:
            errors.append(RowError(row_number, "共有份额", "租户、家庭成员不是业主，不能填写共有份额。"))
    else:
        for key, filled in (
            ("owner_kind", kind is not None),
            ("phone", bool(row.phone)),
            ("id_number", bool(row.id_number)),
            ("share", bool(row.share)),
            ("residency", bool(row.residency)),
        ):
            if filled:
                errors.append(
                    RowError(
                        row_number, COLUMN_BY_KEY[key].header, "这一行没有填业主姓名/单位名称，请补上姓名或清空此格。"
                    )
                )
    return row, errors


# ---------------------------------------------------------------------------------------------
# The plan: rows grouped into units and parties, checked across rows


@dataclass
class PartyPlan:
    """A person or organisation as the file names it; one per identity however many rows name it."""

    key: tuple
    kind: str  # OwnerKind value
    name: str
    phone: str = ""
    id_number: str = ""  # ID number, or credit code for an organisation
    first_row: int = 0
    org_kind: str = ""  # OrganisationKind value; "" while every row says only 单位 (the earlier template)
    kind_row: int = 0  # the row that first gave org_kind
    rows: list[int] = field(default_factory=list)


@dataclass
class UnitPlan:
    """A unit as the file describes it, with its owners and residents (row, party key, detail)."""

    key: tuple[str, str, str]
    first_row: int
    rows: list[int] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # UNIT_FACT_KEYS given in the file
    fact_rows: dict[str, int] = field(default_factory=dict)  # the row each fact was first given on
    owners: list[tuple[int, tuple, str]] = field(default_factory=list)  # (row, party key, share)
    residents: list[tuple[int, tuple, str]] = field(default_factory=list)  # (row, party key, kind)
    had_errors: bool = False  # some row of this unit has a bad cell

    @property
    def label(self) -> str:
        return unit_label(self.key)

    def fact(self, key: str) -> Any:
        return self.facts.get(key)


@dataclass
class RosterPlan:
    units: dict[tuple[str, str, str], UnitPlan] = field(default_factory=dict)
    parties: dict[tuple, PartyPlan] = field(default_factory=dict)
    row_count: int = 0
    letters: dict[str, str] = field(default_factory=dict)  # column header -> its letter in this file


def errors_as_dicts(errors: Iterable[RowError], letters: dict[str, str]) -> list[dict[str, Any]]:
    """Errors in row and column order, each with the cell as Excel names it ("G4") where known."""
    out = []
    for error in sorted(errors, key=error_sort_key):
        item = error.as_dict()
        letter = letters.get(error.column)
        item["cell"] = f"{letter}{error.row}" if letter and error.row else ""
        out.append(item)
    return out


def _fact_shown(key: str, value: Any) -> str:
    if key == "use":
        return USE_NAMES.get(value, str(value))
    if value is None or value == "":
        return "（空）"
    return str(value)


class PlanBuilder:
    """Folds checked rows into a ``RosterPlan``, reporting rows that contradict earlier ones."""

    def __init__(self) -> None:
        self.plan = RosterPlan()
        self.errors: list[RowError] = []
        self._by_name_phone: dict[tuple[str, str], tuple] = {}

    def add(self, row: RosterRow, *, valid: bool = True) -> None:
        """Fold one row in. A row with cell errors still lends its good unit facts (so its unit is not
        also reported as missing a use or an area), but names no party."""
        self.plan.row_count += 1
        if not (row.building and row.number):
            return
        unit = self._unit(row)
        if not valid:
            unit.had_errors = True
            return
        if row.kind is None:
            return
        party = self._party(row)
        if party is None:
            return
        if any(key == party.key for _, key, _ in unit.owners + unit.residents):
            self.errors.append(
                RowError(row.row, "业主姓名/单位名称", f"{row.name} 在 {unit.label} 已经写过一行，请删除重复的行。")
            )
            return
        if row.is_owner:
            unit.owners.append((row.row, party.key, row.share))
        if row.residency:
            unit.residents.append((row.row, party.key, row.residency))

    def _unit(self, row: RosterRow) -> UnitPlan:
        unit = self.plan.units.get(row.unit_key)
        if unit is None:
            unit = self.plan.units[row.unit_key] = UnitPlan(key=row.unit_key, first_row=row.row)
        unit.rows.append(row.row)
        for key in UNIT_FACT_KEYS:
            value = getattr(row, key)
            if value is None or value == "":
                continue
            if key not in unit.facts:
                unit.facts[key] = value
                unit.fact_rows[key] = row.row
            elif unit.facts[key] != value:
                first = unit.fact_rows[key]
                self.errors.append(
                    RowError(
                        row.row,
                        COLUMN_BY_KEY[key].header,
                        f"同一套房（{unit.label}）在第 {first} 行填的是 {_fact_shown(key, unit.facts[key])}，"
                        f"这一行是 {_fact_shown(key, value)}，前后不一致。",
                    )
                )
        return unit

    def _party(self, row: RosterRow) -> PartyPlan | None:
        if row.kind == "organisation":
            key: tuple = ("org", row.name)
        elif row.id_number:
            key = ("id", row.id_number)
        elif row.phone and (row.name, row.phone) in self._by_name_phone:
            key = self._by_name_phone[(row.name, row.phone)]
        elif row.phone:
            key = ("np", row.name, row.phone)
        else:
            # Nothing tells two people of the same name apart: each such row is its own person.
            key = ("row", row.row)
        party = self.plan.parties.get(key)
        if party is None:
            party = self.plan.parties[key] = PartyPlan(
                key=key,
                kind=row.kind,
                name=row.name,
                phone=row.phone,
                id_number=row.id_number,
                first_row=row.row,
                org_kind=row.org_kind,
                kind_row=row.row if row.org_kind else 0,
            )
            if row.kind == "person" and row.phone:
                self._by_name_phone.setdefault((row.name, row.phone), key)
            party.rows.append(row.row)
            return party
        party.rows.append(row.row)
        ok = True
        if party.name != row.name:
            self.errors.append(
                RowError(
                    row.row,
                    "业主姓名/单位名称",
                    f"身份证号与第 {party.first_row} 行相同，但姓名不同（第 {party.first_row} 行是“{party.name}”）。",
                )
            )
            ok = False
        if row.phone and party.phone and row.phone != party.phone:
            self.errors.append(
                RowError(
                    row.row,
                    "业主手机号",
                    f"{row.name} 在第 {party.first_row} 行的手机号是 {party.phone}，这一行是 {row.phone}，前后不一致。",
                )
            )
            ok = False
        if row.id_number and party.id_number and row.id_number != party.id_number:
            self.errors.append(
                RowError(
                    row.row,
                    "业主身份证号",
                    f"{row.name} 在第 {party.first_row} 行的统一社会信用代码与这一行不同，前后不一致。",
                )
            )
            ok = False
        if row.org_kind and party.org_kind and row.org_kind != party.org_kind:
            self.errors.append(
                RowError(
                    row.row,
                    "业主类型",
                    f"{row.name} 在第 {party.kind_row} 行的业主类型是 {OWNER_KIND_NAMES[party.org_kind]}，"
                    f"这一行是 {OWNER_KIND_NAMES[row.org_kind]}，前后不一致（同一个单位只能是一种类型）。",
                )
            )
            ok = False
        party.phone = party.phone or row.phone
        party.id_number = party.id_number or row.id_number
        if row.org_kind and not party.org_kind:
            party.org_kind, party.kind_row = row.org_kind, row.row
        return party if ok else None

    def finish(self) -> tuple[RosterPlan, list[RowError]]:
        for unit in self.plan.units.values():
            if unit.had_errors:
                continue  # its rows already carry errors; a missing fact may be one of them
            if unit.fact("use") is None:
                self.errors.append(
                    RowError(unit.first_row, "用途", f"{unit.label} 没有填用途，请选择 住宅、商业、办公 或 车位。")
                )
            if not any(unit.fact(k) is not None for k in AREA_KEYS):
                self.errors.append(
                    RowError(
                        unit.first_row,
                        "登记面积",
                        f"{unit.label} 没有面积：登记面积、实测面积、合同面积至少填一项。",
                    )
                )
        return self.plan, self.errors


def check_workbook(
    rows: Iterable[tuple[int, tuple]],
    *,
    estate_name: str,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 250,
) -> tuple[RosterPlan, list[RowError]]:
    """Check every row of the data sheet and fold them into a plan.

    Returns the plan and every error found (all rows are checked, not just up to the first error).
    """
    iterator = iter(rows)
    first: list[tuple[int, tuple]] = []
    for item in iterator:
        first.append(item)
        if len(first) >= HEADER_SEARCH_ROWS:
            break
    header, errors = find_header(first)
    if header is None or errors:
        return RosterPlan(), errors
    letters = {COLUMN_BY_KEY[key].header: get_column_letter(pos + 1) for key, pos in header.index.items()}

    def data() -> Iterator[tuple[int, tuple]]:
        for number, values in first:
            if number > header.row:
                yield number, values
        yield from iterator

    builder = PlanBuilder()
    checked = 0
    for number, values in data():
        if all(is_blank(v) for v in values):
            continue
        checked += 1
        if checked > MAX_ROWS:
            errors.append(RowError(number, "—", f"一次最多导入 {MAX_ROWS} 行，请把表格按楼栋分成几个文件分别导入。"))
            break
        row, row_errors = check_row(number, values, header, estate_name)
        errors.extend(row_errors)
        builder.add(row, valid=not row_errors)
        if progress and checked % progress_every == 0:
            progress(checked)
    if checked == 0 and not errors:
        errors.append(RowError(header.row + 1, "—", "表格中没有数据：表头下面没有填写任何一行。"))
    plan, plan_errors = builder.finish()
    plan.row_count = checked
    plan.letters = letters
    return plan, sorted(errors + plan_errors, key=error_sort_key)


_COLUMN_ORDER = {c.header: i for i, c in enumerate(COLUMNS)}


def error_sort_key(error: RowError) -> tuple[int, int, str]:
    return (error.row, _COLUMN_ORDER.get(error.column, -1), error.message)


# ---------------------------------------------------------------------------------------------
# Export rows


def natural_key(text: str) -> tuple:
    """Sort 2号楼 before 10号楼 and 101 before 1001."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text or ""))
