"""Pure governance rules: committee composition (DOMAIN_RULES.md §E 20–21) and the three rates (§H).
No Django, no I/O: integers, dates and fractions only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

OWNERS_COMMITTEE = "owners_committee"
MANAGEMENT_COMMITTEE = "management_committee"


@dataclass(frozen=True)
class CompositionWarning:
    code: str
    message: str
    rule: str  # where the rule comes from, for the reader


@dataclass(frozen=True)
class CommitteeFacts:
    kind: str
    members: int
    owner_representatives: int
    chair_from_residents_committee: bool
    households: int
    term_start: dt.date | None
    term_end: dt.date | None
    owners_committee_filed_on: dt.date | None = None  # for a 物管会: when an owners' committee was filed


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - day 28 always exists


def committee_warnings(facts: CommitteeFacts, today: dt.date) -> list[CompositionWarning]:
    """Everything about a committee's make-up that breaks DOMAIN_RULES.md §E 20 or §E 21."""
    out: list[CompositionWarning] = []
    n = facts.members
    if facts.kind == OWNERS_COMMITTEE:
        rule = "北京市物业管理条例第39–49条"
        minimum = 3 if facts.households <= 100 else 5  # "3 where ≤ 100 households" (以下 includes 100)
        if n < minimum:
            out.append(CompositionWarning("too_few", f"委员 {n} 人，少于 {minimum} 人的下限", rule))
        if n % 2 == 0:
            out.append(CompositionWarning("even", f"委员 {n} 人，应为单数", rule))
        max_years = 5
    else:
        rule = "北京市物业管理条例第52–59条"
        if n < 7:
            out.append(CompositionWarning("too_few", f"委员 {n} 人，少于 7 人的下限", rule))
        if n % 2 == 0:
            out.append(CompositionWarning("even", f"委员 {n} 人，应为单数", rule))
        # owner representatives ≥ 1/2 of members (不少于二分之一 includes one half)
        if 2 * facts.owner_representatives < n:
            out.append(
                CompositionWarning(
                    "owner_reps", f"业主代表 {facts.owner_representatives} 人，不足委员总数 {n} 人的一半", rule
                )
            )
        if not facts.chair_from_residents_committee:
            out.append(CompositionWarning("chair", "主任应由居民委员会的人员担任", rule))
        if facts.owners_committee_filed_on is not None and today > facts.owners_committee_filed_on + dt.timedelta(
            days=30
        ):
            out.append(
                CompositionWarning(
                    "dissolve",
                    f"业主委员会已于 {facts.owners_committee_filed_on:%Y-%m-%d} 备案，物管会应在 30 日内解散",
                    rule,
                )
            )
        max_years = 3
    if facts.term_start and facts.term_end:
        if facts.term_end > add_years(facts.term_start, max_years):
            out.append(CompositionWarning("term_too_long", f"任期超过 {max_years} 年", rule))
        if facts.term_end < today:
            out.append(CompositionWarning("term_over", f"任期已于 {facts.term_end:%Y-%m-%d} 届满", rule))
        elif facts.kind == OWNERS_COMMITTEE and today >= add_months(facts.term_end, -6):
            out.append(
                CompositionWarning(
                    "renewal_due", f"任期 {facts.term_end:%Y-%m-%d} 届满，应在届满前 6 个月启动换届", rule
                )
            )
    elif facts.term_start is None or facts.term_end is None:
        out.append(CompositionWarning("term_missing", "未填写任期起止日期", rule))
    return out


@dataclass(frozen=True)
class Rate:
    """A rate shown as numerator / denominator and a percent (DOMAIN_RULES.md §A 3, §H 29)."""

    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        """Rounded to 2 places for people; decisions compare ``numerator``/``denominator`` exactly."""
        if self.denominator == 0:
            return None
        return (Decimal(100 * self.numerator) / Decimal(self.denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def meets(self, target_percent: int) -> bool:
        """At or above a target percent (以上 includes the boundary), by integer cross-multiplication."""
        return self.denominator > 0 and 100 * self.numerator >= target_percent * self.denominator

    def __str__(self) -> str:
        pct = self.percent
        return f"{self.numerator}/{self.denominator}（{'—' if pct is None else f'{pct}%'}）"
