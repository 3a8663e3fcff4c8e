"""Pure money rules (no database): bills, the largest-remainder split, §F 23 and §F 24, rates, the ladder."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.funds import rules

AREAS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2, allow_nan=False)


# --- bills ---------------------------------------------------------------------------------------


def test_bill_is_area_times_rate_rounded_half_up_to_the_fen():
    assert rules.bill_fen(Decimal("60.50"), 15) == 908  # 907.5 → 908 (四舍五入)
    assert rules.bill_fen(Decimal("60.50"), 14) == 847  # exact
    assert rules.bill_fen(Decimal("88.01"), 3) == 264  # 264.03 → 264
    assert rules.bill_fen(Decimal("75.25"), 150, months=12) == 135450


def test_bill_refuses_floats_and_negatives():
    with pytest.raises(TypeError):
        rules.bill_fen(60.5, 15)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        rules.bill_fen(Decimal("-1"), 15)


@given(st.lists(AREAS, min_size=1, max_size=60), st.integers(min_value=0, max_value=100_000), st.integers(1, 24))
def test_bills_are_within_half_a_fen_and_sum_exactly_to_the_total(areas, rate_fen, months):
    bills, total = rules.bills_total(areas, rate_fen, months)
    assert total == sum(bills)
    for area, bill in zip(areas, bills, strict=True):
        exact = Fraction(area) * rate_fen * months
        assert abs(Fraction(bill) - exact) <= Fraction(1, 2)
    # the total is never more than half a fen per unit away from the exact product of the whole area
    assert abs(Fraction(total) - Fraction(sum(areas)) * rate_fen * months) <= Fraction(len(areas), 2)


# --- apportionment (§F 25, 民法典 art. 283) ---------------------------------------------------------


def test_split_by_area_largest_remainder_example():
    # 100 fen among three equal areas: 33.33 each, the leftover fen goes to the first (tie → position)
    assert rules.split_by_area(100, [Decimal("1"), Decimal("1"), Decimal("1")]) == [34, 33, 33]
    # ties in remainder go to the larger area first
    assert rules.split_by_area(1, [Decimal("1"), Decimal("3")]) == [0, 1]
    assert rules.split_by_area(0, [Decimal("5")]) == [0]


def test_split_refuses_nothing_to_split_by():
    with pytest.raises(ValueError):
        rules.split_by_area(100, [])
    with pytest.raises(ValueError):
        rules.split_by_area(100, [Decimal("0"), Decimal("0")])
    with pytest.raises(ValueError):
        rules.split_by_area(-1, [Decimal("1")])


@given(st.integers(min_value=0, max_value=10**12), st.lists(AREAS, min_size=1, max_size=40))
def test_split_sums_exactly_and_each_share_is_within_one_fen_of_its_exact_part(total, areas):
    shares = rules.split_by_area(total, areas)
    assert sum(shares) == total
    whole = sum(Fraction(a) for a in areas)
    for area, share in zip(areas, shares, strict=True):
        exact = Fraction(total) * Fraction(area) / whole
        assert exact - 1 < share < exact + 1
    # deterministic
    assert rules.split_by_area(total, areas) == shares


@given(st.integers(min_value=0, max_value=10**9), st.lists(AREAS, min_size=2, max_size=20))
def test_a_larger_area_never_pays_less(total, areas):
    shares = rules.split_by_area(total, areas)
    for i in range(len(areas)):
        for j in range(len(areas)):
            if areas[i] > areas[j]:
                assert shares[i] >= shares[j]


# --- §F 23: replenishment below 30 % of the first-phase amount ---------------------------------------


def test_replenishment_due_strictly_below_thirty_percent():
    assert not rules.replenishment_due(30_000, 100_000)  # exactly 30 %: not below
    assert rules.replenishment_due(29_999, 100_000)
    assert not rules.replenishment_due(0, 0)  # nothing recorded: nothing to compare


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=1, max_value=10**12))
def test_replenishment_threshold_matches_exact_fraction(balance, first):
    assert rules.replenishment_due(balance, first) == (Fraction(balance, first) < Fraction(3, 10))


# --- §F 24: half of public revenue to the fund while below 30 % -----------------------------------------


def test_half_of_revenue_rule():
    assert rules.revenue_to_fund_required(1001, True) == 501  # rounded up to the fen
    assert rules.revenue_to_fund_required(1000, False) == 0
    assert rules.revenue_to_fund_required(-50, True) == 0
    assert rules.revenue_rule_met(500, 1000, True)
    assert not rules.revenue_rule_met(499, 1000, True)
    assert rules.revenue_rule_met(0, 1000, False)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10**12))
def test_required_amount_is_the_least_that_meets_the_rule(net, to_fund):
    need = rules.revenue_to_fund_required(net, True)
    assert rules.revenue_rule_met(need, net, True)
    if need > 0:
        assert not rules.revenue_rule_met(need - 1, net, True)
    assert rules.revenue_rule_met(to_fund, net, True) == (2 * to_fund >= net)


# --- rates ------------------------------------------------------------------------------------------


def test_rates_are_exact_fractions_by_count_and_by_amount():
    assert rules.rate(211, 300) == Fraction(211, 300)
    assert rules.rate(0, 0) is None
    assert rules.percent_text(Fraction(211, 300)) == "70.3%"
    assert rules.percent_text(None) == "—"
    assert rules.percent_number(Fraction(2, 3)) == "66.67"
    assert rules.reaches(210, 300, 70) and not rules.reaches(209, 300, 70)


# --- the ladder (五步递进法) ------------------------------------------------------------------------------

D = dt.date
STEPS = [
    rules.Step(1, D(2023, 2, 10)),
    rules.Step(2, D(2023, 2, 17)),
    rules.Step(3, D(2023, 2, 24)),
    rules.Step(4, D(2023, 3, 3), unpaid_below_percent=10),
    rules.Step(5, D(2023, 3, 17)),
]


def test_due_step_climbs_by_date_and_waits_for_the_condition():
    assert rules.due_step(STEPS, D(2023, 2, 9), 100, 100) == 0
    assert rules.due_step(STEPS, D(2023, 2, 10), 100, 100) == 1
    assert rules.due_step(STEPS, D(2023, 2, 24), 30, 100) == 3
    # step 4 only once fewer than 10 % remain (the seed's "未交款业主不到10%"); step 5 waits behind it
    assert rules.due_step(STEPS, D(2023, 3, 20), 10, 100) == 3
    assert rules.due_step(STEPS, D(2023, 3, 20), 9, 100) == 5


def test_each_step_is_entered_once_in_order():
    assert rules.steps_to_enter(1, 3) == [2, 3]
    assert rules.steps_to_enter(3, 3) == []


def test_quarters_and_review_due():
    assert rules.quarter_of(D(2026, 5, 17)) == (D(2026, 4, 1), D(2026, 6, 30))
    assert rules.quarter_of(D(2026, 12, 31)) == (D(2026, 10, 1), D(2026, 12, 31))
    assert not rules.review_overdue(D(2026, 3, 31), D(2026, 1, 1), D(2026, 7, 30), 91, 30)
    assert rules.review_overdue(D(2026, 3, 31), D(2026, 1, 1), D(2026, 7, 31), 91, 30)
