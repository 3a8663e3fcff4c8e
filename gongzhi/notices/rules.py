"""Posting periods of notices (公告公示期限), exactly: pure date arithmetic, no Django.

DOMAIN_RULES.md §E 19–21, §F 24 and §L 40. Periods count calendar days unless a rule says working
days; both ends of a posting period are posting days (a notice posted on the 1st and taken down at
the end of the 10th has been up 10 days). 以上/以内 include the boundary (§A 1).

- §E 19: an assembly meets at least 15 days after its notice was posted: ``meeting - posted >= 15``.
- §E 19–20: an assembly's or an owners' committee's decision is posted within 3 days of being made:
  the decision day + 3 is the last day it may be posted.
- §E 21: a property management committee's (物管会) decision stays up 10 working days.
- §F 24 (Shanghai): audit reports stay up 30 days; public revenue is published quarterly and the
  maintenance fund half-yearly.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

ASSEMBLY_NOTICE_DAYS = 15  # §E 19
DECISION_POST_DAYS = 3  # §E 19, §E 20
MC_DECISION_WORKING_DAYS = 10  # §E 21
AUDIT_DAYS = 30  # §F 24 (SH art. 67)
PUBLIC_REVENUE_MONTHS = 3  # §F 24 (SH art. 66): quarterly
FUND_MONTHS = 6  # §F 24 (SH art. 66): half-yearly
MAX_WORKING_DAY_SEARCH = 3 * 366


@dataclass(frozen=True)
class Breach:
    """Why a posting does not meet its rule: which field, a Chinese sentence, and the rule's error code."""

    field: str
    message: str
    code: str


def earliest_assembly_day(posted_on: dt.date) -> dt.date:
    """§E 19: the first day an assembly noticed on ``posted_on`` may meet (15 days later)."""
    return posted_on + dt.timedelta(days=ASSEMBLY_NOTICE_DAYS)


def assembly_notice_in_time(posted_on: dt.date, meeting_on: dt.date) -> bool:
    """§E 19: ``meeting_on`` is at least 15 days after ``posted_on`` (exactly 15 is in time)."""
    return meeting_on >= earliest_assembly_day(posted_on)


def last_day_to_post_decision(decided_on: dt.date) -> dt.date:
    """§E 19–20: a decision is posted within 3 days: the 3rd day after it was made is the last."""
    return decided_on + dt.timedelta(days=DECISION_POST_DAYS)


def decision_posted_in_time(decided_on: dt.date, posted_on: dt.date) -> bool:
    return decided_on <= posted_on <= last_day_to_post_decision(decided_on)


def posting_days(start: dt.date, end: dt.date) -> int:
    """Calendar days a notice is up from ``start`` to ``end``, both included (0 when end < start)."""
    return max((end - start).days + 1, 0)


def nth_working_day(start: dt.date, n: int, is_workday: Callable[[dt.date], bool]) -> dt.date:
    """The ``n``-th working day counting ``start`` itself when it is one (§E 21: 10 working days)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    day, seen = start, 0
    for _ in range(MAX_WORKING_DAY_SEARCH):
        if is_workday(day):
            seen += 1
            if seen == n:
                return day
        day += dt.timedelta(days=1)
    raise ValueError("工作日历中找不到足够的工作日")


def working_days(start: dt.date, end: dt.date, is_workday: Callable[[dt.date], bool]) -> int:
    """Working days from ``start`` to ``end``, both included."""
    count, day = 0, start
    while day <= end:
        count += is_workday(day)
        day += dt.timedelta(days=1)
    return count


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the month's last day (08-31 + 6 months = 02-28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_disclosure_due(last_posted_on: dt.date, months: int) -> dt.date:
    """§F 24: when the next publication is due, ``months`` after the last one (3 revenue, 6 fund)."""
    return add_months(last_posted_on, months)


def disclosure_due(last_posted_on: dt.date | None, months: int, today: dt.date) -> bool:
    """§F 24: a reminder is due when nothing was ever published or the period has run out."""
    return last_posted_on is None or today >= next_disclosure_due(last_posted_on, months)


def check_posting(
    purpose: str,
    *,
    posted_on: dt.date,
    start: dt.date,
    end: dt.date,
    event_on: dt.date | None,
    is_workday: Callable[[dt.date], bool],
) -> Breach | None:
    """The first rule a posting breaks, or None. ``purpose`` is a ``choices.Purpose`` value (a str)."""
    if purpose == "assembly_notice" and event_on is not None and not assembly_notice_in_time(posted_on, event_on):
        first = earliest_assembly_day(posted_on)
        return Breach(
            "event_on",
            f"会议日期：业主大会会议应于通知公告15日后召开（今天发布，最早 {first.isoformat()}）",
            "notices.too_late_for_assembly",
        )
    if purpose in {"assembly_decision", "committee_decision"} and event_on is not None:
        if not decision_posted_in_time(event_on, posted_on):
            last = last_day_to_post_decision(event_on)
            return Breach(
                "event_on",
                f"决定作出日期：决定应自作出之日起3日内公告（最晚 {last.isoformat()}），已超过期限",
                "notices.decision_posted_late",
            )
    if purpose == "mc_decision":
        if event_on is not None and event_on > posted_on:
            return Breach("event_on", "决定作出日期：不能晚于发布日", "notices.decision_posted_late")
        tenth = nth_working_day(start, MC_DECISION_WORKING_DAYS, is_workday)
        if end < tenth:
            return Breach(
                "ends_on",
                f"结束日期：物管会决定应公示10个工作日，结束日期不能早于 {tenth.isoformat()}",
                "notices.period_too_short",
            )
    if purpose == "audit_report" and posting_days(start, end) < AUDIT_DAYS:
        last = start + dt.timedelta(days=AUDIT_DAYS - 1)
        return Breach(
            "ends_on", f"结束日期：审计报告应公示30日，结束日期不能早于 {last.isoformat()}", "notices.period_too_short"
        )
    return None
