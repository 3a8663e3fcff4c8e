"""Bank statements (银行流水): reading the .xlsx or .csv a bank gives for the fund's account and checking
every row. No database here: rows become ``StatementRow`` values or ``RowError`` messages naming the
row as Excel shows it, the column and the reason in Chinese. Matching to bills is the service's work.

A payer is asked (on the payment notice) to write the bill's 缴款识别码 (``XC<campaign>-<unit>``) in
the transfer's memo; that is how a row finds its bill.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from gongzhi.core import tabular
from gongzhi.core.tabular import RowError

MAX_FILE_BYTES = 40 * 1024 * 1024
MAX_UNZIPPED_BYTES = 400 * 1024 * 1024
MAX_ROWS = 200_000
HEADER_SEARCH_ROWS = 10
MAX_PAYER = 100  # the columns of UnmatchedRow
MAX_MEMO = 200
MAX_FILE_NAME = 200
CODE_RE = re.compile(r"XC(\d{1,9})-(\d{1,12})", re.IGNORECASE)


class StatementFileError(Exception):
    """The upload cannot be read at all (shown on the form)."""


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column("ref", "交易流水号", True, ("流水号", "银行流水号", "交易参考号", "凭证号")),
    Column("date", "交易日期", True, ("记账日期", "日期", "交易时间")),
    Column("amount", "金额", True, ("贷方金额", "收入金额", "交易金额", "入账金额")),
    Column("payer", "付款人", False, ("对方户名", "付款人名称", "对方名称")),
    Column("memo", "附言", False, ("摘要", "用途", "备注", "交易附言")),
)
HEADERS = [c.header for c in COLUMNS]


def _norm(value: Any) -> str:
    return re.sub(r"[\s*＊:：（）()]", "", unicodedata.normalize("NFKC", str(value or "")))


LOOKUP = {_norm(name): c.key for c in COLUMNS for name in (c.header, *c.aliases)}
HEADER_OF = {c.key: c.header for c in COLUMNS}


@dataclass(frozen=True)
class StatementRow:
    row: int
    ref: str
    paid_on: dt.date
    amount_fen: int
    payer: str
    memo: str

    @property
    def code(self) -> tuple[int, int] | None:
        """(campaign id, unit id) from the 缴款识别码 in the memo, if there is one."""
        found = CODE_RE.search(self.memo)
        return (int(found.group(1)), int(found.group(2))) if found else None


def bill_code(campaign_id: int, unit_id: int) -> str:
    return f"XC{campaign_id}-{unit_id}"


def read_table(content: bytes, file_name: str) -> list[tuple[int, tuple]]:
    """The rows of the file as (row number as Excel shows it, cell values)."""
    try:
        return tabular.read_table(
            content,
            file_name,
            max_bytes=MAX_FILE_BYTES,
            max_unzipped_bytes=MAX_UNZIPPED_BYTES,
            too_big="文件超过 40 MB，请按日期分成几个文件导入。",
            unreadable="无法读取这个文件。请上传银行导出的 .xlsx 或 .csv 文件。",
        )
    except tabular.TabularFileError as exc:
        raise StatementFileError(str(exc)) from exc


def _blank(values: tuple) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _find_header(rows: list[tuple[int, tuple]]) -> tuple[int, dict[str, int]]:
    for number, values in rows[:HEADER_SEARCH_ROWS]:
        keys = [LOOKUP.get(_norm(v)) for v in values]
        if "ref" not in keys:
            continue
        index: dict[str, int] = {}
        for pos, key in enumerate(keys):
            if key is not None and key not in index:
                index[key] = pos
        missing = [c.header for c in COLUMNS if c.required and c.key not in index]
        if missing:
            raise StatementFileError(
                f"第{number}行表头缺少这些列：{'、'.join(missing)}。表头应为：{'、'.join(HEADERS)}。"
            )
        return number, index
    raise StatementFileError(
        f"找不到表头（前{HEADER_SEARCH_ROWS}行中没有“交易流水号”）。表头应为：{'、'.join(HEADERS)}。"
    )


_ODD_SPACE = re.compile(r"\s\s|[^\S ]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        plain = value.strip()
        if unicodedata.is_normalized("NFKC", plain) and not _ODD_SPACE.search(plain):
            return plain  # the common case: nothing to normalise
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()


def parse_amount(value: Any) -> int:
    """Yuan with at most two decimals (a number or text like ¥1,234.50) as fen; must be positive."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("金额为空")
    if isinstance(value, bool):
        raise ValueError("金额应为数字")
    if isinstance(value, float):
        # Excel stores 907.5 as a binary float; its shortest repr is the number the bank printed.
        value = repr(value)
    text = _text(value).replace(",", "").replace("¥", "").replace("￥", "").replace("元", "")
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"“{_text(value)[:20]}”不是金额") from exc
    if not amount.is_finite():
        raise ValueError("金额应为数字")
    if amount <= 0:
        raise ValueError("金额应大于0（只导入收款）")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("金额最多两位小数")
    if amount >= Decimal("100000000"):
        raise ValueError("金额过大")
    return int(amount * 100)


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日",
    "%Y%m%d",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
)


_ISO_DAY = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})")


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return _parse_date_text(_text(value))


@functools.lru_cache(maxsize=4096)
def _parse_date_text(text: str) -> dt.date:
    """A statement has few distinct days: each text is parsed once."""
    if not text:
        raise ValueError("日期为空")
    plain = _ISO_DAY.fullmatch(text)
    if plain:
        try:
            return dt.date(int(plain.group(1)), int(plain.group(2)), int(plain.group(3)))
        except ValueError:
            raise ValueError(f"“{text[:20]}”不是日期（应为 2023-02-10）") from None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar day, no time zone
        except ValueError:
            continue
    raise ValueError(f"“{text[:20]}”不是日期（应为 2023-02-10）")


def check_rows(rows: list[tuple[int, tuple]], today: dt.date) -> tuple[list[StatementRow], list[RowError]]:
    """Every data row checked: the good rows, and every problem with row, column and reason."""
    header_row, index = _find_header(rows)
    good: list[StatementRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    data = [(n, v) for n, v in rows if n > header_row and not _blank(v)]
    if len(data) > MAX_ROWS:
        raise StatementFileError(f"一次最多导入 {MAX_ROWS} 行，请按日期分成几个文件。")

    def cell(values: tuple, key: str) -> Any:
        pos = index.get(key)
        return values[pos] if pos is not None and pos < len(values) else None

    for number, values in data:
        row_errors: list[RowError] = []
        ref = _text(cell(values, "ref"))
        if not ref:
            row_errors.append(RowError(number, HEADER_OF["ref"], "流水号为空"))
        elif len(ref) > 64:
            row_errors.append(RowError(number, HEADER_OF["ref"], "流水号超过64个字符"))
        elif ref in seen:
            row_errors.append(RowError(number, HEADER_OF["ref"], f"流水号与第{seen[ref]}行重复"))
        else:
            seen[ref] = number
        try:
            paid_on = parse_date(cell(values, "date"))
            if paid_on > today:
                raise ValueError("日期晚于今天")
        except ValueError as exc:
            row_errors.append(RowError(number, HEADER_OF["date"], str(exc)))
            paid_on = None
        try:
            amount = parse_amount(cell(values, "amount"))
        except ValueError as exc:
            row_errors.append(RowError(number, HEADER_OF["amount"], str(exc)))
            amount = None
        payer, memo = _text(cell(values, "payer")), _text(cell(values, "memo"))
        for key, text, limit in (("payer", payer, MAX_PAYER), ("memo", memo, MAX_MEMO)):
            if len(text) > limit:  # kept whole or refused, never cut
                row_errors.append(RowError(number, HEADER_OF[key], f"超过{limit}个字符"))
        if row_errors:
            errors.extend(row_errors)
            continue
        good.append(StatementRow(row=number, ref=ref, paid_on=paid_on, amount_fen=amount, payer=payer, memo=memo))
    if not data and not errors:
        raise StatementFileError("文件中没有流水记录（表头下面是空的）。")
    return good, errors
