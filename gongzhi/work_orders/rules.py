"""Pure rules of work orders (工单规则): SLA deadlines, the escalation ladder, rates. No Django, no I/O.

Deadlines are exact on timezone-aware datetimes: arithmetic is done in UTC and working-hour windows
are built in the calendar's own zone, so a deadline is the same instant wherever it is shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

UTC = dt.UTC
MAX_CALENDAR_DAYS = 3 * 366  # a working-hours deadline further out than this means a broken calendar


@dataclass(frozen=True)
class WorkingCalendar:
    """When the clock runs for working-hours policies (工作时间): weekdays, daily window, holidays.

    ``holidays`` are days off that fall on weekdays; ``workdays`` are weekend days worked instead
    (调休), so the State Council's holiday schedule can be loaded as two sets of dates.
    """

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    start: dt.time = dt.time(8, 30)
    end: dt.time = dt.time(17, 30)
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("工作时间的开始应早于结束")
        if not self.weekdays and not self.workdays:
            raise ValueError("工作日不能为空")

    @classmethod
    def from_setting(cls, value: Mapping) -> WorkingCalendar:
        """Build from the ``WORK_ORDER_WORKING_HOURS`` setting ({"tz", "weekdays", "start", "end", …})."""
        return cls(
            tz=ZoneInfo(value.get("tz", "Asia/Shanghai")),
            weekdays=frozenset(value.get("weekdays", (0, 1, 2, 3, 4))),
            start=dt.time.fromisoformat(value.get("start", "08:30")),
            end=dt.time.fromisoformat(value.get("end", "17:30")),
            holidays=frozenset(dt.date.fromisoformat(d) for d in value.get("holidays", ())),
            workdays=frozenset(dt.date.fromisoformat(d) for d in value.get("workdays", ())),
        )

    def is_workday(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() in self.weekdays and day not in self.holidays

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The working window of ``day`` as UTC instants."""
        begin = dt.datetime.combine(day, self.start, tzinfo=self.tz).astimezone(UTC)
        end = dt.datetime.combine(day, self.end, tzinfo=self.tz).astimezone(UTC)
        return begin, end

    def is_working_time(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` lies in a working window (both ends included)."""
        _require_aware(moment)
        day = moment.astimezone(self.tz).date()
        if not self.is_workday(day):
            return False
        begin, end = self.window(day)
        return begin <= moment.astimezone(UTC) <= end


def _require_aware(moment: dt.datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("时间必须带时区")


def deadline(start: dt.datetime, minutes: int, working_hours: bool, calendar: WorkingCalendar) -> dt.datetime:
    """The instant ``minutes`` of clock time after ``start`` (工单时限).

    With ``working_hours`` only time inside the calendar's working windows counts: an order filed at
    17:00 on a Friday with 60 minutes to go is due at 09:00 on Monday. The answer keeps the zone of
    ``start``. A working-hours deadline always lies inside a working window (its end included).
    """
    _require_aware(start)
    if minutes < 0:
        raise ValueError("时限不能为负数")
    if not working_hours:
        return (start.astimezone(UTC) + dt.timedelta(minutes=minutes)).astimezone(start.tzinfo)
    if minutes == 0:
        raise ValueError("按工作时间计算的时限必须大于零")
    remaining = dt.timedelta(minutes=minutes)
    cursor = start.astimezone(UTC)
    day = start.astimezone(calendar.tz).date()
    for _ in range(MAX_CALENDAR_DAYS):
        if calendar.is_workday(day):
            begin, end = calendar.window(day)
            begin = max(begin, cursor)
            if begin < end:
                if remaining <= end - begin:
                    return (begin + remaining).astimezone(start.tzinfo)
                remaining -= end - begin
        day += dt.timedelta(days=1)
    raise ValueError("工作日历中找不到足够的工作时间")


def working_time_between(start: dt.datetime, stop: dt.datetime, calendar: WorkingCalendar) -> dt.timedelta:
    """How much working time lies between two instants (zero when ``stop`` is not after ``start``)."""
    _require_aware(start)
    _require_aware(stop)
    a, b = start.astimezone(UTC), stop.astimezone(UTC)
    total = dt.timedelta(0)
    day = start.astimezone(calendar.tz).date()
    last = stop.astimezone(calendar.tz).date()
    while day <= last:
        if calendar.is_workday(day):
            begin, end = calendar.window(day)
            lo, hi = max(begin, a), min(end, b)
            if lo < hi:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total


# --- SLA limits ----------------------------------------------------------------------------------

CLOCKS = ("accept", "arrive", "resolve")


@dataclass(frozen=True)
class SlaRow:
    """One policy row: a service tier (or any) × a category code (or any) setting some clocks."""

    tier: str | None
    category: str | None
    accept: int | None = None
    arrive: int | None = None
    resolve: int | None = None
    working_hours_only: bool | None = None


@dataclass(frozen=True)
class SlaLimits:
    accept: int
    arrive: int
    resolve: int
    working_hours_only: bool


def sla_limits(
    rows: Iterable[SlaRow],
    *,
    tier: str | None,
    category_chain: Sequence[str],
    emergency: bool = False,
    emergency_resolve: int | None = None,
) -> SlaLimits:
    """The limits for one order, each clock from the most specific row that sets it.

    ``category_chain`` is the order's category code followed by its ancestors' codes. Specificity:
    the nearest category first (then its parents, then "any category"); at equal category the
    estate's tier before "any tier"; at equal specificity the earlier row wins (so database policies
    listed before the settings' defaults override them). An emergency caps the resolve clock
    (DOMAIN_RULES.md §G 28: 2 hours).
    """
    rows = list(rows)
    ranks: list[tuple[str | None, str | None]] = []
    for code in [*category_chain, None]:
        if tier is not None:
            ranks.append((tier, code))
        ranks.append((None, code))
    ordered = [row for key in ranks for row in rows if (row.tier, row.category) == key]
    chosen: dict[str, int | bool] = {}
    for name in (*CLOCKS, "working_hours_only"):
        for row in ordered:
            value = getattr(row, name)
            if value is not None:
                chosen[name] = value
                break
    missing = [c for c in CLOCKS if c not in chosen]
    if missing:
        raise ValueError(f"缺少时限设置：{'、'.join(missing)}")
    resolve = int(chosen["resolve"])
    if emergency and emergency_resolve is not None:
        resolve = min(resolve, emergency_resolve)
    return SlaLimits(
        accept=int(chosen["accept"]),
        arrive=int(chosen["arrive"]),
        resolve=resolve,
        working_hours_only=bool(chosen.get("working_hours_only", False)),
    )


# --- The escalation ladder ("街道吹哨、部门报到") -----------------------------------------------------

PROPERTY = 0  # the responsible company (物业)
COMMITTEE_AND_COMMUNITY = 1  # the residents' committee and the owners' committee / 物管会
STREET = 2  # the street office blows the whistle (街道吹哨)
DEPARTMENT = 3  # the district department reports for duty (部门报到)
LADDER = (PROPERTY, COMMITTEE_AND_COMMUNITY, STREET, DEPARTMENT)
TOP = DEPARTMENT


def next_rung(level: int) -> int | None:
    """The rung above ``level``, or None at the top of the ladder."""
    if level not in LADDER:
        raise ValueError(f"未知的升级层级：{level}")
    return None if level == TOP else level + 1


# --- Rates (响应率、解决率、满意率, DOMAIN_RULES.md §G 26) ------------------------------------------


def rate(part: int, whole: int) -> Fraction | None:
    """An exact rate; None when there is nothing to measure (no orders is not 0 %)."""
    if part < 0 or whole < 0 or part > whole:
        raise ValueError("比率的分子应在 0 与分母之间")
    if whole == 0:
        return None
    return Fraction(part, whole)


def response_rate(accepted_in_time: int, received: int) -> Fraction | None:
    """响应率: orders accepted within the accept clock over orders received."""
    return rate(accepted_in_time, received)


def resolution_rate(resolved: int, received: int) -> Fraction | None:
    """解决率: orders resolved (and not reopened since) over orders received."""
    return rate(resolved, received)


def satisfaction_rate(satisfied: int, rated: int) -> Fraction | None:
    """满意率: ratings at or above the satisfied mark over orders rated."""
    return rate(satisfied, rated)


def is_satisfied(rating: int, min_rating: int) -> bool:
    return rating >= min_rating  # "以上" includes the mark (DOMAIN_RULES.md §A 1)


def as_percent(value: Fraction | None) -> Decimal | None:
    """A rate as a percentage rounded to 2 places for people to read (DOMAIN_RULES.md §A 3)."""
    if value is None:
        return None
    exact = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def within_days(since: dt.datetime, now: dt.datetime, days: int) -> bool:
    """``now`` is within ``days`` days of ``since`` (以内: the boundary instant included, §A 1)."""
    _require_aware(since)
    _require_aware(now)
    return since <= now <= since + dt.timedelta(days=days)


SENTENCE_ENDS = "。！？!?.；;，, \n\t…"


def notice_line(where: str, category: str, description: str, limit: int = 80) -> str:
    """One sentence of a notification (SMS, inbox): ``甲小区 1号楼1单元101，水管漏水：厨房水管漏水``.

    No dangling space or comma when a part is empty, and no end mark, so the caller appends its own
    sentence after "。" without doubling it (never "甲小区 ，…请尽快来修。。")."""
    text = " ".join(description.split())
    if len(text) > limit:
        text = text[:limit].rstrip(SENTENCE_ENDS) + "…"
    text = text.rstrip(SENTENCE_ENDS) if not text.endswith("…") else text
    head = "，".join(part for part in (where.strip(), category.strip()) if part)
    if head and text:
        return f"{head}：{text}"
    return head or text
