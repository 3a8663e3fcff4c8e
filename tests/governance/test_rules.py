"""Pure governance rules: committee composition (DOMAIN_RULES.md §E 20–21) and Rate (§A 2–3, §H 29)."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from gongzhi.governance.rules import (
    MANAGEMENT_COMMITTEE,
    OWNERS_COMMITTEE,
    CommitteeFacts,
    Rate,
    add_months,
    add_years,
    committee_warnings,
)

TODAY = dt.date(2025, 6, 1)
START = dt.date(2024, 1, 1)


def owners_committee(members=5, households=200, term_start=START, term_end=dt.date(2028, 12, 31), **kw):
    return CommitteeFacts(
        kind=OWNERS_COMMITTEE,
        members=members,
        owner_representatives=kw.pop("owner_representatives", members),
        chair_from_residents_committee=kw.pop("chair_from_residents_committee", False),
        households=households,
        term_start=term_start,
        term_end=term_end,
        **kw,
    )


def management_committee(members=7, owner_representatives=4, term_start=START, term_end=dt.date(2026, 12, 31), **kw):
    return CommitteeFacts(
        kind=MANAGEMENT_COMMITTEE,
        members=members,
        owner_representatives=owner_representatives,
        chair_from_residents_committee=kw.pop("chair_from_residents_committee", True),
        households=kw.pop("households", 300),
        term_start=term_start,
        term_end=term_end,
        **kw,
    )


def codes(facts, today=TODAY):
    return {w.code for w in committee_warnings(facts, today)}


# --- 业委会: DOMAIN_RULES.md §E 20 (≥ 5 members, odd; 3 where ≤ 100 households; term ≤ 5 years) ---


def test_owners_committee_of_five_is_fine():
    # Given 5 members in an estate of 200 households; then nothing to warn (§E 20: ≥ 5, odd).
    assert committee_warnings(owners_committee(members=5), TODAY) == []


def test_owners_committee_of_four_is_too_few_and_even():
    assert codes(owners_committee(members=4)) == {"too_few", "even"}


def test_owners_committee_of_six_is_even():
    # 6 ≥ 5 but not odd (§E 20).
    assert codes(owners_committee(members=6)) == {"even"}


def test_owners_committee_of_three_allowed_up_to_100_households():
    # "3 where ≤ 100 households": 以下 includes the boundary (§A 1), so 100 households allow 3, 101 do not.
    assert codes(owners_committee(members=3, households=100)) == set()
    assert codes(owners_committee(members=3, households=101)) == {"too_few"}
    assert codes(owners_committee(members=2, households=50)) == {"too_few", "even"}


def test_warnings_cite_the_rule():
    (warning,) = committee_warnings(owners_committee(members=6), TODAY)
    assert warning.rule == "北京市物业管理条例第39–49条"  # the law, not our rules file's section
    assert "6" in warning.message


def test_owners_committee_term_up_to_five_years():
    # §E 20: term ≤ 5 years — exactly 5 years is allowed, one day more is not.
    assert "term_too_long" not in codes(owners_committee(term_start=START, term_end=dt.date(2029, 1, 1)))
    assert "term_too_long" in codes(owners_committee(term_start=START, term_end=dt.date(2029, 1, 2)))


def test_owners_committee_renewal_starts_six_months_before_the_term_ends():
    # §E 20: renewal starts 6 months before the term ends.
    facts = owners_committee(term_end=dt.date(2025, 12, 1))
    assert "renewal_due" not in codes(facts, today=dt.date(2025, 5, 31))
    assert "renewal_due" in codes(facts, today=dt.date(2025, 6, 1))


def test_term_over_and_missing():
    assert "term_over" in codes(owners_committee(term_end=dt.date(2025, 5, 31)))
    assert "term_over" not in codes(owners_committee(term_end=TODAY))  # the last day still counts
    assert codes(owners_committee(term_start=None, term_end=None)) == {"term_missing"}


# --- 物管会: DOMAIN_RULES.md §E 21 (≥ 7, odd, owner reps ≥ 1/2, chair from the RC, term ≤ 3 years) ---


def test_management_committee_of_seven_with_four_owner_reps_is_fine():
    assert committee_warnings(management_committee(members=7, owner_representatives=4), TODAY) == []


def test_management_committee_needs_seven_members():
    assert codes(management_committee(members=6, owner_representatives=3)) == {"too_few", "even"}
    assert codes(management_committee(members=5, owner_representatives=3)) == {"too_few"}
    assert codes(management_committee(members=9, owner_representatives=5)) == set()


def test_owner_representatives_exactly_half_is_enough_one_fewer_warns():
    # §E 21 "owner representatives ≥ 1/2": 4 of 8 is exactly half (allowed; 8 is even, warned apart),
    # 3 of 8 is one fewer; with 7 members, 4 is enough and 3 is not (2·3 < 7).
    assert codes(management_committee(members=8, owner_representatives=4)) == {"even"}
    assert codes(management_committee(members=8, owner_representatives=3)) == {"even", "owner_reps"}
    assert codes(management_committee(members=7, owner_representatives=3)) == {"owner_reps"}


def test_management_committee_chair_from_residents_committee():
    assert codes(management_committee(chair_from_residents_committee=False)) == {"chair"}


def test_management_committee_term_up_to_three_years():
    assert "term_too_long" not in codes(management_committee(term_start=START, term_end=dt.date(2027, 1, 1)))
    assert "term_too_long" in codes(management_committee(term_start=START, term_end=dt.date(2027, 1, 2)))
    # a 5-year term is fine for an owners' committee but not for a 物管会
    assert "term_too_long" in codes(management_committee(term_start=START, term_end=dt.date(2029, 1, 1)))
    # no renewal warning for a 物管会: it is dissolved, not renewed
    assert "renewal_due" not in codes(management_committee(term_end=dt.date(2025, 7, 1)))


def test_management_committee_dissolved_within_30_days_of_an_owners_committee_filing():
    # §E 21: dissolved within 30 days after an owners' committee is filed.
    filed = dt.date(2025, 5, 1)
    assert "dissolve" not in codes(management_committee(owners_committee_filed_on=filed), today=dt.date(2025, 5, 31))
    assert "dissolve" in codes(management_committee(owners_committee_filed_on=filed), today=dt.date(2025, 6, 1))


def test_term_arithmetic_on_29_february():
    assert add_years(dt.date(2024, 2, 29), 3) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2025, 8, 31), -6) == dt.date(2025, 2, 28)


@given(members=st.integers(0, 40), households=st.integers(0, 2000))
def test_owners_committee_size_rule_for_any_size(members, households):
    found = codes(owners_committee(members=members, households=households))
    minimum = 3 if households <= 100 else 5
    assert ("too_few" in found) == (members < minimum)
    assert ("even" in found) == (members % 2 == 0)


@given(data=st.data())
def test_management_committee_owner_rep_rule_for_any_size(data):
    members = data.draw(st.integers(1, 41))
    reps = data.draw(st.integers(0, members))
    found = codes(management_committee(members=members, owner_representatives=reps))
    assert ("owner_reps" in found) == (Fraction(reps, members) < Fraction(1, 2))


# --- Rate: DOMAIN_RULES.md §A 2–3 and §H 29 ---


def test_two_of_three_shows_fraction_and_rounded_percent():
    # §A 3: 2/3 is displayed as 66.67 %; decisions use the exact fraction.
    rate = Rate(2, 3)
    assert rate.percent == Decimal("66.67")
    assert str(rate) == "2/3（66.67%）"
    assert not rate.meets(67)  # 66.666… < 67 even though a careless rounding would say 66.67 ≥ 66.67
    assert rate.meets(66)


def test_target_boundary_is_met():
    # §H 29 targets 30 → 70 → 90 %, 以上 includes the boundary (§A 1): 9/10 meets 90 %, 8/10 does not.
    assert Rate(9, 10).meets(90)
    assert not Rate(8, 10).meets(90)
    assert Rate(3, 10).meets(30) and not Rate(2, 10).meets(30)


def test_empty_rate_has_no_percent_and_meets_nothing():
    assert Rate(0, 0).percent is None
    assert not Rate(0, 0).meets(0)
    assert str(Rate(0, 0)) == "0/0（—）"


@given(data=st.data())
def test_rate_meets_is_exact_cross_multiplication(data):
    denominator = data.draw(st.integers(1, 10_000))
    numerator = data.draw(st.integers(0, denominator))
    target = data.draw(st.integers(0, 100))
    rate = Rate(numerator, denominator)
    assert rate.meets(target) == (Fraction(numerator, denominator) >= Fraction(target, 100))
    assert Decimal(0) <= rate.percent <= Decimal(100)
    assert abs(rate.percent - Decimal(100 * numerator) / Decimal(denominator)) <= Decimal("0.005")
