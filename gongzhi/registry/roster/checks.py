"""Checking a roster (台账校验): each cell, each row on its own and against the other rows, turned into a
``RosterPlan`` (units, people, organisations and their links) plus ``RowError`` naming the Excel row and
column. No database access: checks against what the registry holds are in ``roster.reconcile``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl.utils import get_column_letter

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
from gongzhi.registry.roster.columns import (
    AREA_KEYS,
    COLUMN_BY_KEY,
    COLUMNS,
    HEADER_SEARCH_ROWS,
    LEGACY_ORGANISATION,
    MAX_AREA,
    MAX_ROWS,
    ORGANISATION_KINDS,
    OWNER_KIND_ALIASES,
    OWNER_KIND_LABELS,
    OWNER_KIND_NAMES,
    RESIDENCY_LABELS,
    TWO_PLACES,
    UNIT_FACT_KEYS,
    USE_LABELS,
    USE_NAMES,
)
from gongzhi.registry.roster.workbook import (
    Header,
    find_header,
)

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
