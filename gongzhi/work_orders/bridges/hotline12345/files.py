"""12345 hotline files (12345工单文件): reading the cases a street office downloads from the 12345
system (.xlsx, or .csv in UTF-8 or GBK), checking each row, and writing the handling feedback
(办结反馈) workbook that goes back.

No database access here: rows become ``CaseRow`` values or ``RowError`` messages naming the row as
Excel shows it and the column. Matching categories and estates is done by the caller with the
lookups it passes in (see ``services.py`` beside it).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from gongzhi.core import tabular
from gongzhi.core.exports import append_row
from gongzhi.core.tabular import MAX_UNZIPPED_BYTES, CellError, RowError, TabularFileError, cell_text, parse_phone

SH = ZoneInfo("Asia/Shanghai")
MAX_ROWS = 5000
MAX_FILE_BYTES = 10 * 1024 * 1024
HEADER_SEARCH_ROWS = 5


class HotlineFileError(TabularFileError):
    """The upload cannot be read at all (shown on the upload form)."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: str
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("case", "工单编号", True, "12345系统的工单编号，同一编号只导入一次", ("12345工单编号", "工单号", "编号")),
    Column("received", "受理时间", True, "如 2026-11-20 09:15；不能晚于现在", ("来电时间", "派单时间")),
    Column("content", "诉求内容", True, "来电人反映的问题，最多2000字", ("反映内容", "来电内容")),
    Column("caller", "来电人", False, "来电人姓名，最多50字", ("来电人姓名", "联系人", "姓名")),
    Column("phone", "联系电话", False, "11位手机号或带区号的固定电话", ("来电号码", "电话", "手机号")),
    Column(
        "address",
        "诉求地址/小区",
        True,
        "以小区名称开头，如“劲松一区5号楼2单元”；页面上选定了小区时可只写楼门号",
        ("诉求地址", "小区", "地址", "小区名称", "事发地址"),
    ),
    Column(
        "category",
        "问题分类",
        True,
        "本系统的诉求类别，如“跑冒滴漏、管道漏水”或“水电气暖/跑冒滴漏、管道漏水”",
        ("诉求分类", "问题类别", "分类"),
    ),
    Column(
        "deadline",
        "办理时限",
        False,
        "办结期限，如 2026-11-27 18:00；不填按类别默认时限（紧急2小时、水电气暖24小时、一般7天、复杂15天）",
        ("办结时限", "截止时间", "办理期限"),
    ),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
HEADERS = [c.header for c in COLUMNS]


def _norm_header(value: Any) -> str:
    return re.sub(r"[\s*＊:：（）()]", "", unicodedata.normalize("NFKC", str(value or "")))


HEADER_LOOKUP = {_norm_header(name): c.key for c in COLUMNS for name in (c.header, *c.aliases)}


@dataclass(frozen=True)
class CaseRow:
    """One checked row of the file."""

    row: int
    case: str
    received: dt.datetime | None
    content: str
    caller: str
    phone: str
    address: str
    category_text: str
    deadline: dt.datetime | None


# ---------------------------------------------------------------------------------------------
# Reading the file


def read_table(content: bytes, file_name: str) -> list[tuple[int, tuple]]:
    """The rows of the file as (row number as Excel shows it, cell values)."""
    try:
        return tabular.read_table(
            content,
            file_name,
            max_bytes=MAX_FILE_BYTES,
            max_unzipped_bytes=MAX_UNZIPPED_BYTES,
            too_big="文件超过 10 MB，请按日期分成几个文件导入。",
            unreadable="无法读取这个文件。请上传用 Excel 或 WPS 保存的 .xlsx 文件，或 .csv 文件。",
        )
    except tabular.TabularFileError as exc:
        raise HotlineFileError(str(exc)) from exc


def is_blank(values: Iterable[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def find_header(rows: list[tuple[int, tuple]]) -> tuple[int, dict[str, int]]:
    """The header row's number and column key -> position; ``HotlineFileError`` if it is missing or
    lacks a required column."""
    for number, values in rows[:HEADER_SEARCH_ROWS]:
        keys = [HEADER_LOOKUP.get(_norm_header(v)) for v in values]
        if "case" not in keys:
            continue
        index: dict[str, int] = {}
        for pos, key in enumerate(keys):
            if key is not None and key not in index:
                index[key] = pos
        missing = [c.header for c in COLUMNS if c.required and c.key not in index]
        if missing:
            raise HotlineFileError(
                f"第{number}行表头缺少这些列：{'、'.join(missing)}。表头应为：{'、'.join(HEADERS)}。"
            )
        return number, index
    raise HotlineFileError(f"找不到表头（前{HEADER_SEARCH_ROWS}行中没有“工单编号”）。表头应为：{'、'.join(HEADERS)}。")


# ---------------------------------------------------------------------------------------------
# Cells

_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y%m%d %H:%M",
)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y%m%d")


def parse_datetime(value: Any, *, end_of_day: bool = False) -> dt.datetime:
    """A Beijing time from an Excel date cell or text like 2026-11-20 09:15. A date alone means
    midnight, or the end of that day for a deadline."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(23, 59) if end_of_day else dt.time(0, 0))
    else:
        text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()
        text = text.replace("T", " ")
        moment = None
        for fmt in _DATETIME_FORMATS:
            try:
                moment = dt.datetime.strptime(text, fmt).replace(tzinfo=SH)
                break
            except ValueError:
                continue
        if moment is None:
            for fmt in _DATE_FORMATS:
                try:
                    day = dt.datetime.strptime(text, fmt).replace(tzinfo=SH).date()
                except ValueError:
                    continue
                moment = dt.datetime.combine(day, dt.time(23, 59) if end_of_day else dt.time(0, 0))
                break
        if moment is None:
            raise CellError(f"时间格式不正确：“{text}”。请写成 2026-11-20 09:15 这样的格式。")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SH)
    return moment


def _cell(values: tuple, index: dict[str, int], key: str) -> Any:
    pos = index.get(key)
    if pos is None or pos >= len(values):
        return None
    value = values[pos]
    if isinstance(value, str) and not value.strip():
        return None
    return value


def check_row(
    number: int, values: tuple, index: dict[str, int], now: dt.datetime
) -> tuple[CaseRow | None, list[RowError]]:
    """One data row as a ``CaseRow`` and its errors (row, column, reason); usable only without errors."""
    errors: list[RowError] = []

    def cell(key: str, parse: Callable[[Any], Any]) -> Any:
        column = COLUMN_BY_KEY[key]
        raw = _cell(values, index, key)
        if raw is None:
            if column.required:
                errors.append(RowError(number, column.header, "必填，不能为空。"))
            return None
        try:
            return parse(raw)
        except CellError as exc:
            errors.append(RowError(number, column.header, str(exc)))
            return None

    case = cell("case", lambda v: cell_text(v, max_length=64))
    received = cell("received", parse_datetime)
    content = cell("content", lambda v: cell_text(v, max_length=2000))
    caller = cell("caller", lambda v: cell_text(v, max_length=50)) or ""
    phone = cell("phone", parse_phone) or ""
    address = cell("address", lambda v: cell_text(v, max_length=200))
    category = cell("category", lambda v: cell_text(v, max_length=80))
    deadline = cell("deadline", lambda v: parse_datetime(v, end_of_day=True))
    if received is not None and received > now:
        errors.append(RowError(number, "受理时间", f"受理时间“{received:%Y-%m-%d %H:%M}”晚于现在，请核对。"))
    if received is not None and deadline is not None and deadline <= received:
        errors.append(RowError(number, "办理时限", "办理时限应晚于受理时间。"))
    # Returned even with errors, so the caller can still check the category and the estate of the row.
    return (
        CaseRow(
            row=number,
            case=case or "",
            received=received,
            content=content or "",
            caller=caller,
            phone=phone,
            address=address or "",
            category_text=category or "",
            deadline=deadline,
        ),
        errors,
    )


def split_category(text: str) -> list[str]:
    """“水电气暖/跑冒滴漏、管道漏水” → [水电气暖, 跑冒滴漏、管道漏水]; a single name stays one part."""
    return [p.strip() for p in re.split(r"[/／>＞]", text) if p.strip()]


# ---------------------------------------------------------------------------------------------
# The feedback workbook (办结反馈)

FEEDBACK_HEADERS = ("工单编号", "办理状态", "办结时间", "办理结果", "满意度", "是否超期", "回访记录")
FEEDBACK_WIDTHS = (22, 10, 18, 50, 12, 10, 50)


def build_feedback(rows: Iterable[tuple]) -> bytes:
    """The 办结反馈 workbook: one row per 12345 case with the seven columns the 12345 system takes."""
    wb = Workbook()
    ws = wb.active
    ws.title = "办结反馈"
    ws.append(list(FEEDBACK_HEADERS))
    fill = PatternFill("solid", fgColor="DDEBF7")
    for pos, width in enumerate(FEEDBACK_WIDTHS, start=1):
        cell = ws.cell(row=1, column=pos)
        cell.font = Font(bold=True)
        cell.fill = fill
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"
    for values in rows:
        append_row(ws, values)
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.column == 1:
                cell.number_format = "@"  # keep long case numbers as text
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def build_template() -> bytes:
    """An empty import file with the header row and one example, for offices without a 12345 export."""
    wb = Workbook()
    ws = wb.active
    ws.title = "12345工单"
    ws.append(HEADERS)
    ws.append(
        [
            "2026112000123",
            "2026-11-20 09:15",
            "5号楼2单元楼道灯不亮一周了",
            "张女士",
            "13800001234",
            "劲松一区5号楼2单元",
            "停电、公共照明",
            "",
        ]
    )
    for pos, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=pos)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        ws.column_dimensions[cell.column_letter].width = 20 if column.key != "content" else 40
        ws.cell(row=2, column=pos).number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
