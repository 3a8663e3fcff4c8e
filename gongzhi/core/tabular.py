"""Reading an uploaded table (.xlsx, or .csv in UTF-8 or GBK) into numbered rows, for the apps that
import files (bank statements; the 12345 hotline reader could use it too). No database here.

Every failure is a ``TabularFileError`` with a Chinese message fit to show on the upload form; the
caller may re-raise it as its own error type.
"""

from __future__ import annotations

import csv
import io
import zipfile

from openpyxl import load_workbook

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
