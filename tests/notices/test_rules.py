"""The posting periods of notices, exactly at their boundaries (DOMAIN_RULES.md §E 19–21, §F 24, §A 1)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.notices import rules
from gongzhi.work_orders.rules import WorkingCalendar

D = dt.date
CAL = WorkingCalendar(
    holidays=frozenset({D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7)}),
    workdays=frozenset({D(2026, 10, 10)}),  # 调休: a Saturday worked
)


def _check(purpose, posted, start=None, end=None, event=None):
    return rules.check_posting(
        purpose,
        posted_on=posted,
        start=start or posted,
        end=end or posted + dt.timedelta(days=60),
        event_on=event,
        is_workday=CAL.is_workday,
    )


class TestAssemblyNotice:
    """§E 19: notice of an assembly ≥ 15 days before it (以上 includes the boundary, §A 1)."""

    def test_exactly_15_days_is_in_time(self):
        assert rules.assembly_notice_in_time(D(2026, 3, 1), D(2026, 3, 16))
        assert _check("assembly_notice", D(2026, 3, 1), event=D(2026, 3, 16)) is None

    def test_14_days_is_refused_naming_the_meeting_date(self):
        assert not rules.assembly_notice_in_time(D(2026, 3, 1), D(2026, 3, 15))
        breach = _check("assembly_notice", D(2026, 3, 1), event=D(2026, 3, 15))
        assert breach.field == "event_on" and breach.code == "notices.too_late_for_assembly"
        assert "会议日期" in breach.message and "2026-03-16" in breach.message

    def test_across_a_month_end(self):
        assert rules.earliest_assembly_day(D(2026, 2, 20)) == D(2026, 3, 7)

    @given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 1, 1)), st.integers(0, 40))
    def test_in_time_iff_at_least_15_days(self, posted, gap):
        assert rules.assembly_notice_in_time(posted, posted + dt.timedelta(days=gap)) == (gap >= 15)


class TestDecisionWithinThreeDays:
    """§E 19–20: decisions (assembly, owners' committee) posted within 3 days (以内 includes the 3rd)."""

    @pytest.mark.parametrize("purpose", ["assembly_decision", "committee_decision"])
    def test_the_3rd_day_is_in_time_the_4th_is_not(self, purpose):
        decided = D(2026, 5, 29)
        assert _check(purpose, D(2026, 6, 1), event=decided) is None  # the 3rd day
        breach = _check(purpose, D(2026, 6, 2), event=decided)  # the 4th
        assert breach.field == "event_on" and breach.code == "notices.decision_posted_late"
        assert "2026-06-01" in breach.message

    def test_same_day_is_in_time(self):
        assert rules.decision_posted_in_time(D(2026, 5, 29), D(2026, 5, 29))

    def test_a_decision_made_after_posting_is_not(self):
        assert not rules.decision_posted_in_time(D(2026, 5, 30), D(2026, 5, 29))


class TestManagementCommitteeTenWorkingDays:
    """§E 21: a 物管会 decision is posted 10 working days (on the official calendar, holidays and 调休)."""

    def test_plain_fortnight(self):
        # Monday 2026-03-02: the 10th working day is Friday 2026-03-13
        assert rules.nth_working_day(D(2026, 3, 2), 10, CAL.is_workday) == D(2026, 3, 13)
        assert _check("mc_decision", D(2026, 3, 2), end=D(2026, 3, 13)) is None  # exactly the 10th
        breach = _check("mc_decision", D(2026, 3, 2), end=D(2026, 3, 12))  # the 9th
        assert breach.field == "ends_on" and breach.code == "notices.period_too_short"
        assert "2026-03-13" in breach.message

    def test_over_national_day_with_a_worked_saturday(self):
        # Mon 09-28, Tue 09-29, Wed 09-30 (3); 10-01..10-07 off except weekends/holidays: Thu 10-08,
        # Fri 10-09, Sat 10-10 (调休) (6); Mon 10-12 .. Thu 10-15 (10)
        assert rules.nth_working_day(D(2026, 9, 28), 10, CAL.is_workday) == D(2026, 10, 15)
        assert rules.working_days(D(2026, 9, 28), D(2026, 10, 15), CAL.is_workday) == 10

    def test_a_start_on_a_weekend_counts_from_the_next_working_day(self):
        assert rules.nth_working_day(D(2026, 3, 7), 1, CAL.is_workday) == D(2026, 3, 9)


class TestAuditThirtyDays:
    """§F 24 (SH art. 67): audit reports posted for 30 days, both ends counted."""

    def test_exactly_30_days(self):
        assert rules.posting_days(D(2026, 4, 1), D(2026, 4, 30)) == 30
        assert _check("audit_report", D(2026, 4, 1), end=D(2026, 4, 30)) is None

    def test_29_days_is_refused(self):
        breach = _check("audit_report", D(2026, 4, 1), end=D(2026, 4, 29))
        assert breach.field == "ends_on" and "2026-04-30" in breach.message


class TestDisclosuresDue:
    """§F 24 (SH art. 66): public revenue quarterly, the fund half-yearly; a reminder when due."""

    def test_quarterly(self):
        assert rules.next_disclosure_due(D(2026, 1, 15), rules.PUBLIC_REVENUE_MONTHS) == D(2026, 4, 15)
        assert not rules.disclosure_due(D(2026, 1, 15), 3, D(2026, 4, 14))
        assert rules.disclosure_due(D(2026, 1, 15), 3, D(2026, 4, 15))

    def test_half_yearly_clamps_to_month_end(self):
        assert rules.next_disclosure_due(D(2026, 8, 31), rules.FUND_MONTHS) == D(2027, 2, 28)
        assert rules.add_months(D(2027, 8, 31), 6) == D(2028, 2, 29)

    def test_never_published_is_due(self):
        assert rules.disclosure_due(None, 6, D(2026, 1, 1))

    def test_general_notices_have_no_rule(self):
        assert _check("general", D(2026, 1, 1), end=D(2026, 1, 1)) is None
