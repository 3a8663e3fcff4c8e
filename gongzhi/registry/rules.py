"""Pure registry rules: no Django, no I/O."""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal

# Values of AreaSource, in the order of SPC-BDO art. 8 (DOMAIN_RULES.md §C 11).
AREA_PRIORITY = ("registered", "surveyed", "contract")


def choose_area(
    registered: Decimal | None, surveyed: Decimal | None, contract: Decimal | None
) -> tuple[Decimal | None, str]:
    """The unit's area for counting, and its source: the register's, else surveyed, else contract.

    DOMAIN_RULES.md §C 11 (SPC-BDO art. 8). Returns (None, "") when no area is known.
    """
    for value, source in zip((registered, surveyed, contract), AREA_PRIORITY, strict=True):
        if value is not None:
            return value, source
    return None, ""


def age_on(birth_date: dt.date | None, today: dt.date) -> int | None:
    if birth_date is None:
        return None
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_senior(birth_date: dt.date | None, today: dt.date, threshold: int = 60) -> bool:
    """老年人: aged 60 or more (60周岁以上 includes 60, DOMAIN_RULES.md §A 1)."""
    age = age_on(birth_date, today)
    return age is not None and age >= threshold


def birth_date_from_id(id_number: str) -> dt.date | None:
    """The birth date written in an 18-digit resident ID number (公民身份号码 digits 7–14)."""
    if len(id_number) != 18 or not id_number[:17].isdigit():
        return None
    try:
        return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_valid(id_number: str) -> bool:
    """GB 11643-1999 check digit of an 18-digit resident ID number."""
    value = id_number.strip().upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17] and birth_date_from_id(value) is not None


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


# --- Keyset paging (issue 14 §4) ------------------------------------------------------------------

COUNT_CAP = 10_000
"""Lists count their rows exactly up to this many and say "10,000+" beyond: an exact count of a
city's million people costs a scan of them all on every page."""


def encode_cursor(values: list | tuple) -> str:
    """The ``after`` cursor of a list: the sort key of the last row shown, opaque to the caller."""
    raw = json.dumps(list(values), ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str, kinds: tuple[type, ...]) -> list | None:
    """The sort key an ``after`` cursor carries, checked against the key's types (str or int per
    part); ``None`` for anything that is not a cursor this list handed out."""
    if len(text) > 1000:  # a cursor of ours is a few hundred characters at most
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError, RecursionError):
        return None
    if not isinstance(values, list) or len(values) != len(kinds):
        return None
    for value, kind in zip(values, kinds, strict=True):
        if type(value) is not kind or (kind is int and not 0 < value < 2**63) or (kind is str and len(value) > 255):
            return None
    return values


def count_label(count: int, more: bool) -> str:
    """How a list says its size: exact, or "10,000+" when there are more than were counted."""
    return f"{COUNT_CAP:,}+" if more else f"{count:,}"
