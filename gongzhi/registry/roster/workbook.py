"""Writing and opening roster workbooks (台账表格): the template and export workbooks with their help sheet
and drop-down lists, and reading the data rows of an uploaded one. No database access."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
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
from gongzhi.registry.roster.columns import (
    AREA_KEYS,
    COLUMN_BY_KEY,
    COLUMNS,
    EXAMPLE_ROWS,
    GENERAL_HELP,
    HEADERS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    OWNER_KIND_LABELS,
    REQUIRED_HEADER_KEYS,
    RESIDENCY_LABELS,
    SHEET_DATA,
    SHEET_HELP,
    USE_LABELS,
    Column,
    RosterFileError,
)

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
