"""Reading an uploaded table (.xlsx, or .csv in UTF-8 or GBK) into numbered rows, for the apps that
import files (the roster, bank statements, 12345 cases), and the cell readers they share. No database here.

Every failure is a ``TabularFileError`` with a Chinese message fit to show on the upload form; the
caller may re-raise it as its own error type.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from openpyxl import load_workbook

from gongzhi.core.masking import phone_valid

UNREADABLE = "无法读取这个文件。请上传 .xlsx 或 .csv 文件。"


class TabularFileError(Exception):
    """The upload cannot be read at all."""


def decode_text(content: bytes) -> str:
    """The text of a .csv as Excel saves it in China: UTF-8 (with or without BOM) or GBK/GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TabularFileError("无法识别文件的文字编码。请用 Excel 另存为“CSV UTF-8”或直接上传 .xlsx 文件。")


def read_table(
    content: bytes,
    file_name: str,
    *,
    max_bytes: int,
    max_unzipped_bytes: int,
    too_big: str,
    unreadable: str = UNREADABLE,
) -> list[tuple[int, tuple]]:
    """The rows of the first sheet (or the .csv) as (row number as Excel shows it, cell values).

    ``too_big`` is the message when ``content`` exceeds ``max_bytes``; an .xlsx that unzips to more
    than ``max_unzipped_bytes`` is refused before openpyxl reads it (zip bombs)."""
    if not content:
        raise TabularFileError("文件是空的，请重新选择文件。")
    if len(content) > max_bytes:
        raise TabularFileError(too_big)
    name = (file_name or "").lower()
    if name.endswith(".csv"):
        text = decode_text(content)
        return [(n, tuple(values)) for n, values in enumerate(csv.reader(io.StringIO(text)), start=1)]
    if not name.endswith(".xlsx"):
        raise TabularFileError("只能上传 .xlsx 或 .csv 文件。")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > max_unzipped_bytes:
                raise TabularFileError("文件内容过大，请分成几个文件导入。")
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except TabularFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not an .xlsx
        raise TabularFileError(unreadable) from exc
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        return [(n, tuple(values)) for n, values in enumerate(ws.iter_rows(values_only=True), start=1)]
    finally:
        wb.close()


# --- cells, as every import reads them --------------------------------------------------------------

MAX_UNZIPPED_BYTES = 200 * 1024 * 1024  # a small .xlsx that inflates past this is refused (zip bomb)


@dataclass(frozen=True, order=True)
class RowError:
    """One problem in the workbook: the row number as Excel shows it, the column header and a message."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class CellError(ValueError):
    """A cell's value cannot be used; the message is shown to the user as is."""


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def plain_text(value: str) -> str:
    """Full-width digits, letters and punctuation to ASCII (６０．５ → 60.5), spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


def shown(value: Any) -> str:
    """A cell value as the user typed it, for messages."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_text(value: Any, *, max_length: int) -> str:
    """A text cell (names, building, number, note). Numbers typed into it become their digits."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        raise CellError("被 Excel 识别成了日期。请把这一列设为“文本”格式后重新填写。")
    if isinstance(value, bool):
        raise CellError("应填文字，不能是 TRUE/FALSE。")
    if isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    else:
        text = str(value)
    text = re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip()
    if len(text) > max_length:
        raise CellError(f"太长了：最多 {max_length} 个字，现在是 {len(text)} 个字。")
    return text


def parse_phone(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date | dt.time | bool) or isinstance(value, float):
        raise CellError(f"手机号格式不正确：“{shown(value)}”。")
    phone = plain_text(str(value)).replace("—", "-").replace("－", "-")
    phone = re.sub(r"^(\+86|0086)", "", phone)
    if not phone_valid(phone) or len(phone) > 20:
        raise CellError(
            f"手机号格式不正确：“{shown(value)}”。应为 11 位手机号，或带区号的固定电话（如 010-66001234）。"
        )
    return phone
