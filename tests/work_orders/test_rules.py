"""Pure rules of work orders: deadlines, the ladder, rates (no database)."""

import datetime as dt
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.work_orders import rules

SH = ZoneInfo("Asia/Shanghai")
CAL = rules.WorkingCalendar()


def sh(*args):
    return dt.datetime(*args, tzinfo=SH)


def test_clock_time_deadline_is_exact_across_midnight():
    # given an emergency filed at 23:10 (DOMAIN_RULES.md §G 28: 2 hours)
    start = sh(2026, 11, 23, 23, 10, 7, 123)
    # when / then
    assert rules.deadline(start, 120, False, CAL) == sh(2026, 11, 24, 1, 10, 7, 123)


def test_working_hours_deadline_skips_the_night_and_the_weekend():
    # given a Friday 17:00 order with 60 working minutes to accept
    friday = sh(2026, 11, 27, 17, 0)
    # then 30 minutes run on Friday and 30 on Monday from 08:30
    assert rules.deadline(friday, 60, True, CAL) == sh(2026, 11, 30, 9, 0)


def test_working_hours_deadline_from_before_opening_and_ending_exactly_at_closing():
    assert rules.deadline(sh(2026, 11, 23, 6, 0), 540, True, CAL) == sh(2026, 11, 23, 17, 30)
    assert rules.deadline(sh(2026, 11, 23, 6, 0), 541, True, CAL) == sh(2026, 11, 24, 8, 31)


def test_holidays_and_swapped_workdays_are_honoured():
    cal = rules.WorkingCalendar(holidays=frozenset({dt.date(2026, 10, 1)}), workdays=frozenset({dt.date(2026, 10, 10)}))
    # 2026-10-01 is a Thursday holiday; 2026-10-10 a Saturday worked instead (调休)
    assert rules.deadline(sh(2026, 9, 30, 17, 0), 60, True, cal) == sh(2026, 10, 2, 9, 0)
    assert rules.deadline(sh(2026, 10, 9, 17, 30), 30, True, cal) == sh(2026, 10, 10, 9, 0)


def test_the_answer_keeps_the_zone_of_the_start_and_the_same_instant():
    start = sh(2026, 11, 23, 9, 0).astimezone(dt.UTC)
    result = rules.deadline(start, 30, True, CAL)
    assert result.tzinfo == dt.UTC
    assert result == sh(2026, 11, 23, 9, 30)


def test_naive_datetimes_and_bad_minutes_are_refused():
    with pytest.raises(ValueError, match="时区"):
        rules.deadline(dt.datetime(2026, 11, 23, 9, 0), 30, False, CAL)
    with pytest.raises(ValueError):
        rules.deadline(sh(2026, 11, 23, 9, 0), -1, False, CAL)
    with pytest.raises(ValueError):
        rules.deadline(sh(2026, 11, 23, 9, 0), 0, True, CAL)


def test_calendar_from_setting():
    cal = rules.WorkingCalendar.from_setting(
        {
            "tz": "Asia/Shanghai",
            "weekdays": [0, 1, 2, 3, 4, 5],
            "start": "09:00",
            "end": "18:00",
            "holidays": ["2026-10-01"],
        }
    )
    assert cal.is_workday(dt.date(2026, 11, 28))  # a Saturday
    assert not cal.is_workday(dt.date(2026, 10, 1))
    assert cal.start == dt.time(9, 0)
    with pytest.raises(ValueError):
        rules.WorkingCalendar(start=dt.time(18, 0), end=dt.time(9, 0))


moments = st.datetimes(min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 12, 31), timezones=st.just(SH))
zones = st.sampled_from([SH, dt.UTC, ZoneInfo("Europe/Berlin")])


@settings(max_examples=300)
@given(start=moments, minutes=st.integers(1, 60 * 24 * 20), extra=st.integers(0, 5000), zone=zones)
def test_working_hours_deadline_is_monotone_in_minutes_and_lands_in_working_time(start, minutes, extra, zone):
    start = start.astimezone(zone)
    first = rules.deadline(start, minutes, True, CAL)
    later = rules.deadline(start, minutes + extra, True, CAL)
    assert start < first <= later
    assert CAL.is_working_time(first)
    # exact: the working time between start and the deadline is the limit, to the microsecond
    assert rules.working_time_between(start, first, CAL) == dt.timedelta(minutes=minutes)


@settings(max_examples=300)
@given(start=moments, shift=st.integers(0, 60 * 24 * 30), minutes=st.integers(1, 60 * 24 * 10), working=st.booleans())
def test_deadline_is_monotone_in_the_start(start, shift, minutes, working):
    later_start = start + dt.timedelta(minutes=shift)
    assert rules.deadline(start, minutes, working, CAL) <= rules.deadline(later_start, minutes, working, CAL)


def test_sla_limits_take_each_clock_from_the_most_specific_row():
    rows = [
        rules.SlaRow(tier="livable", category=None, accept=3, arrive=10),  # the 劲松 tier
        rules.SlaRow(tier=None, category="utilities", resolve=24 * 60),  # DOMAIN_RULES.md §G 28
        rules.SlaRow(tier=None, category=None, accept=30, arrive=24 * 60, resolve=7 * 24 * 60),
    ]
    leak = ["utilities-water-leak", "utilities"]
    assert rules.sla_limits(rows, tier="livable", category_chain=leak) == rules.SlaLimits(3, 10, 1440, False)
    assert rules.sla_limits(rows, tier="basic", category_chain=leak) == rules.SlaLimits(30, 1440, 1440, False)
    general = rules.sla_limits(rows, tier="basic", category_chain=["sanitation"])
    assert general.resolve == 7 * 24 * 60
    urgent = rules.sla_limits(rows, tier="basic", category_chain=["sanitation"], emergency=True, emergency_resolve=120)
    assert urgent.resolve == 120
    with pytest.raises(ValueError, match="缺少时限"):
        rules.sla_limits(rows[:2], tier="basic", category_chain=["sanitation"])


def test_the_ladder_has_four_rungs_and_a_top():
    assert [rules.next_rung(level) for level in rules.LADDER] == [1, 2, 3, None]
    with pytest.raises(ValueError):
        rules.next_rung(4)


def test_rates_are_exact_fractions():
    assert rules.response_rate(2, 3) == Fraction(2, 3)
    assert rules.resolution_rate(0, 0) is None  # nothing received is not 0 %
    assert rules.satisfaction_rate(7, 8) == Fraction(7, 8)
    assert rules.as_percent(Fraction(2, 3)) == rules.as_percent(Fraction(6667, 10000))
    assert str(rules.as_percent(Fraction(1, 8))) == "12.50"  # DOMAIN_RULES.md §A 3
    with pytest.raises(ValueError):
        rules.rate(4, 3)


def test_satisfied_includes_the_mark_and_within_days_includes_the_boundary():
    # DOMAIN_RULES.md §A 1: 以上 / 以内 include the boundary
    assert rules.is_satisfied(4, 4) and not rules.is_satisfied(3, 4)
    since = sh(2026, 11, 23, 10, 0)
    assert rules.within_days(since, since + dt.timedelta(days=7), 7)
    assert not rules.within_days(since, since + dt.timedelta(days=7, microseconds=1), 7)


@pytest.mark.parametrize(
    ("where", "category", "description", "expected"),
    [
        (
            "甲小区 1号楼1单元101",
            "水管漏水",
            "厨房漏水，请尽快来修。",
            "甲小区 1号楼1单元101，水管漏水：厨房漏水，请尽快来修",
        ),
        ("劲松一区 ", "水管漏水", "请尽快来修。。", "劲松一区，水管漏水：请尽快来修"),
        ("", "水管漏水", "漏水！", "水管漏水：漏水"),
        ("甲小区", "路灯", "  灯不亮\n  好几天了 ", "甲小区，路灯：灯不亮 好几天了"),
        ("甲小区", "其他", "很" * 100, "甲小区，其他：" + "很" * 80 + "…"),
    ],
)
def test_notice_line_is_one_clean_sentence(where, category, description, expected):
    line = rules.notice_line(where, category, description)
    assert line == expected
    assert " ，" not in line and "。。" not in f"{line}。请于…前到场"
