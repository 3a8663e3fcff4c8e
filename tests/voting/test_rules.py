"""The pure tally (gongzhi.voting.rules): DOMAIN_RULES.md §A, §B 5–7, §C 12, §D 15–17, §E 18–19."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gongzhi.voting import rules

ORDINARY = [rules.RULES, rules.COVENANT, rules.COMMITTEE, rules.MANAGER, rules.FUND_USE, rules.OTHER]
SPECIAL = [rules.FUND_RAISE, rules.REBUILD, rules.COMMON_USE]


def cents(n: int) -> Decimal:
    return Decimal(n) / 100


def counts(total_a, total_h, part_a, part_h, agree_a, agree_h):
    return rules.Counts(
        total_area=cents(total_a),
        total_heads=total_h,
        participating_area=cents(part_a),
        participating_heads=part_h,
        agreeing_area=cents(agree_a),
        agreeing_heads=agree_h,
    )


def by_key(t: rules.Tally) -> dict[str, rules.Condition]:
    return {c.key: c for c in t.conditions}


# --- §D 17: the 劲松北 check ----------------------------------------------------------------------


def test_d17_jinsongbei_passes_ordinary_and_fails_fund_under_property_law():
    # given 1548 of 2763 households (56.03 %) holding 51.66 % of the area agree (§D 17)
    total_area = Decimal("150000.00")
    agree_area = Decimal("77490.00")  # 51.66 %
    c = rules.Counts(
        total_area=total_area,
        total_heads=2763,
        participating_area=agree_area,
        participating_heads=1548,
        agreeing_area=agree_area,
        agreeing_heads=1548,
    )
    assert rules.percent(1548, 2763) == Decimal("56.03")
    assert rules.percent(agree_area, total_area) == Decimal("51.66")
    # when tallied under Property Law art. 76 (§D 15)
    ordinary = rules.tally(rule_set=rules.PROPERTY_LAW, matter=rules.MANAGER, counts=c)
    fund = rules.tally(rule_set=rules.PROPERTY_LAW, matter=rules.FUND_RAISE, counts=c)
    rebuild = rules.tally(rule_set=rules.PROPERTY_LAW, matter=rules.REBUILD, counts=c)
    # then the ordinary matter passes ("双过半") and the fund and rebuilding fail (2/3 of all)
    assert ordinary.passed
    assert not fund.passed and not rebuild.passed
    heads = by_key(ordinary)["approval_heads"]
    assert heads.needed == 1382 and heads.margin == 166  # > 2763/2 needs 1382
    assert by_key(fund)["approval_heads"].needed == 1842  # ≥ 2/3 of 2763
    assert "不满足" in by_key(fund)["approval_heads"].why


# --- §A 1–2, exact thresholds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "inclusive", "den", "least"),
    [
        (Fraction(2, 3), True, 3, 2),  # 以上 includes the boundary (§A 1)
        (Fraction(2, 3), True, 4, 3),
        (Fraction(3, 4), True, 4, 3),
        (Fraction(1, 2), False, 4, 3),  # 过半数 excludes one half
        (Fraction(1, 2), False, 5, 3),
        (Fraction(1, 5), True, 10, 2),  # §E 18: 20 %
    ],
)
def test_least_meeting_numerator(threshold, inclusive, den, least):
    assert rules.least_meeting(den, threshold, inclusive) == least
    assert rules.meets(least, den, threshold, inclusive)
    assert not rules.meets(least - 1, den, threshold, inclusive)


@given(
    num=st.integers(0, 10**7),
    den=st.integers(1, 10**7),
    threshold=st.sampled_from([Fraction(2, 3), Fraction(3, 4), Fraction(1, 2), Fraction(1, 5)]),
    inclusive=st.booleans(),
)
def test_meets_agrees_with_exact_fractions(num, den, threshold, inclusive):
    # §A 2: the cross-multiplication is the exact comparison of fractions
    exact = Fraction(num, den) >= threshold if inclusive else Fraction(num, den) > threshold
    assert rules.meets(num, den, threshold, inclusive) == exact


def test_areas_finer_than_a_hundredth_are_refused_not_rounded():
    with pytest.raises(ValueError, match="两位小数"):
        counts(100, 1, 0, 0, 0, 0).__class__(
            total_area=Decimal("1.005"),
            total_heads=1,
            participating_area=Decimal("0"),
            participating_heads=0,
            agreeing_area=Decimal("0"),
            agreeing_heads=0,
        )


def test_counts_must_nest():
    with pytest.raises(ValueError):
        counts(100, 2, 100, 3, 0, 0)
    with pytest.raises(ValueError):
        counts(100, 2, 50, 1, 60, 1)


# --- Boundaries at 2/3, 3/4 and 1/2, one head or one hundredth of a m² either side (§B 5–7) ---------


@settings(max_examples=300)
@given(total_h=st.integers(1, 5000), total_a=st.integers(1, 10**8), matter=st.sampled_from(ORDINARY + SPECIAL))
def test_civil_code_quorum_boundary_on_heads_and_area(total_h, total_a, matter):
    # §B 5: participants hold ≥ 2/3 of the total area AND are ≥ 2/3 of the total heads
    need_h = rules.least_meeting(total_h, Fraction(2, 3), True)
    need_a = rules.least_meeting(total_a, Fraction(2, 3), True)
    assume(need_a <= total_a and need_h <= total_h)

    def quorum(part_a, part_h):
        t = rules.tally(rule_set=rules.CIVIL_CODE, matter=matter, counts=counts(total_a, total_h, part_a, part_h, 0, 0))
        return by_key(t)["quorum_area"].met, by_key(t)["quorum_heads"].met

    assert quorum(need_a, need_h) == (True, True)
    assert 3 * need_h >= 2 * total_h and 3 * (need_h - 1) < 2 * total_h
    if need_h >= 1:
        assert quorum(need_a, need_h - 1) == (True, False)  # one head short
    if need_a >= 1:
        assert quorum(need_a - 1, need_h) == (False, True)  # 0.01 m² short


@settings(max_examples=300)
@given(part_h=st.integers(1, 5000), part_a=st.integers(1, 10**8), special=st.booleans())
def test_civil_code_approval_boundary_on_heads_and_area(part_h, part_a, special):
    # §B 6: matters 6–8 need ≥ 3/4 of those taking part; §B 7: the others > 1/2
    matter = rules.FUND_RAISE if special else rules.FUND_USE
    threshold, inclusive = (Fraction(3, 4), True) if special else (Fraction(1, 2), False)
    need_h = rules.least_meeting(part_h, threshold, inclusive)
    need_a = rules.least_meeting(part_a, threshold, inclusive)
    assume(need_h <= part_h and need_a <= part_a)

    def tally(agree_a, agree_h):
        return rules.tally(
            rule_set=rules.CIVIL_CODE,
            matter=matter,
            counts=counts(part_a, part_h, part_a, part_h, agree_a, agree_h),  # everyone took part
        )

    at = tally(need_a, need_h)
    assert at.passed
    assert by_key(at)["approval_heads"].margin == 0 and by_key(at)["approval_area"].margin == 0
    one_head_short = tally(need_a, need_h - 1)
    assert not one_head_short.passed and not by_key(one_head_short)["approval_heads"].met
    assert by_key(one_head_short)["approval_heads"].margin == -1
    one_cent_short = tally(need_a - 1, need_h)
    assert not one_cent_short.passed
    assert by_key(one_cent_short)["approval_area"].margin == Decimal("-0.01")


@settings(max_examples=300)
@given(total_h=st.integers(1, 5000), total_a=st.integers(1, 10**8), special=st.booleans())
def test_property_law_boundary_on_total_heads_and_area(total_h, total_a, special):
    # §D 15: fund and rebuilding ≥ 2/3 of ALL area and heads; everything else > 1/2 of ALL ("双过半")
    matter = rules.FUND_USE if special else rules.MANAGER
    threshold, inclusive = (Fraction(2, 3), True) if special else (Fraction(1, 2), False)
    need_h = rules.least_meeting(total_h, threshold, inclusive)
    need_a = rules.least_meeting(total_a, threshold, inclusive)
    assume(need_h <= total_h and need_a <= total_a)

    def passed(agree_a, agree_h):
        c = counts(total_a, total_h, agree_a, agree_h, agree_a, agree_h)
        return rules.tally(rule_set=rules.PROPERTY_LAW, matter=matter, counts=c).passed

    assert passed(need_a, need_h)
    assert not passed(need_a, need_h - 1)
    assert not passed(need_a - 1, need_h)


def test_exact_half_is_not_a_majority():
    # §A 1: 过半数 is strictly more than half — 2 of 4 heads, 50.00 of 100.00 m² fail
    c = counts(10000, 4, 10000, 4, 5000, 2)
    t = rules.tally(rule_set=rules.CIVIL_CODE, matter=rules.MANAGER, counts=c)
    assert not t.passed
    assert by_key(t)["approval_heads"].needed == 3
    assert by_key(t)["approval_area"].needed == Decimal("50.01")


def test_exact_three_quarters_and_two_thirds_are_enough():
    # §A 1: 以上 includes the boundary
    c = counts(9000, 3, 6000, 2, 4500, 2)  # quorum: exactly 2/3 of area and heads
    t = rules.tally(rule_set=rules.CIVIL_CODE, matter=rules.REBUILD, counts=c)
    assert by_key(t)["quorum_area"].met and by_key(t)["quorum_heads"].met
    assert by_key(t)["approval_area"].met  # 45.00 / 60.00 = exactly 3/4
    assert t.passed


# --- Monotone in agreeing votes --------------------------------------------------------------------


@st.composite
def vote(draw):
    total_h = draw(st.integers(1, 300))
    part_h = draw(st.integers(0, total_h))
    agree_h = draw(st.integers(0, part_h))
    total_a = draw(st.integers(1, 10**7))
    part_a = draw(st.integers(0, total_a))
    agree_a = draw(st.integers(0, part_a))
    return total_a, total_h, part_a, part_h, agree_a, agree_h


@settings(max_examples=400)
@given(
    v=vote(),
    rule_set=st.sampled_from(rules.RULE_SETS),
    matter=st.sampled_from(rules.MATTERS),
    more_h=st.integers(0, 50),
    more_a=st.integers(0, 10**6),
)
def test_more_agreeing_votes_never_turn_a_pass_into_a_fail(v, rule_set, matter, more_h, more_a):
    # An abstaining or disagreeing participant who changes to agree never hurts the motion.
    total_a, total_h, part_a, part_h, agree_a, agree_h = v
    before = rules.tally(rule_set=rule_set, matter=matter, counts=counts(*v))
    after_h = min(part_h, agree_h + more_h)
    after_a = min(part_a, agree_a + more_a)
    after = rules.tally(
        rule_set=rule_set, matter=matter, counts=counts(total_a, total_h, part_a, part_h, after_a, after_h)
    )
    assert after.passed >= before.passed
    for b, a in zip(before.conditions, after.conditions, strict=True):
        assert a.met >= b.met
        assert a.margin >= b.margin


@settings(max_examples=300)
@given(v=vote(), matter=st.sampled_from(rules.MATTERS))
def test_new_agreeing_participants_never_hurt_under_either_rule_set(v, matter):
    # A non-voter who comes and agrees: participation and agreement both grow by one head and some area.
    total_a, total_h, part_a, part_h, agree_a, agree_h = v
    assume(part_h < total_h and part_a < total_a)
    for rule_set in rules.RULE_SETS:
        before = rules.tally(rule_set=rule_set, matter=matter, counts=counts(*v))
        grown = counts(total_a, total_h, part_a + 1, part_h + 1, agree_a + 1, agree_h + 1)
        assert rules.tally(rule_set=rule_set, matter=matter, counts=grown).passed >= before.passed


# --- The two rule sets side by side (§B 5–7 and §D 15) ----------------------------------------------


@settings(max_examples=400)
@given(v=vote(), matter=st.sampled_from(rules.MATTERS))
def test_property_law_and_civil_code_side_by_side(v, matter):
    old = rules.tally(rule_set=rules.PROPERTY_LAW, matter=matter, counts=counts(*v))
    new = rules.tally(rule_set=rules.CIVIL_CODE, matter=matter, counts=counts(*v))
    old_c, new_c = by_key(old), by_key(new)
    # the Property Law has no quorum; the Civil Code asks it first
    assert set(old_c) == {"approval_area", "approval_heads"}
    assert set(new_c) == {"quorum_area", "quorum_heads", "approval_area", "approval_heads"}
    # the old denominators are all owners, the new ones those taking part
    assert old_c["approval_heads"].denominator == v[1]
    assert new_c["approval_heads"].denominator == v[3]
    # ≥ 2/3 of everyone agreeing (old special rule) meets the new quorum and the new majority
    if old.passed and matter in rules.PROPERTY_LAW_SPECIAL:
        assert new.quorum_met
        if matter not in rules.CIVIL_CODE_SPECIAL:
            assert new.passed
    # a majority of everyone (old "双过半") is a majority of those taking part, once the quorum is met
    if old.passed and new.quorum_met and matter not in rules.CIVIL_CODE_SPECIAL:
        assert new.passed


def test_same_votes_differ_between_the_laws():
    # 70 % of everyone takes part, all of them agree on using the fund (matter 5)
    c = counts(10000, 10, 7000, 7, 7000, 7)
    # the Civil Code treats using the fund as ordinary (§B 7): quorum met, > 1/2 agree → passes
    assert rules.tally(rule_set=rules.CIVIL_CODE, matter=rules.FUND_USE, counts=c).passed
    # the Property Law needed ≥ 2/3 of all owners (§D 15): 70 % ≥ 66.67 % → passes too
    assert rules.tally(rule_set=rules.PROPERTY_LAW, matter=rules.FUND_USE, counts=c).passed
    # 60 % of everyone agreeing: the Civil Code fails on quorum, the Property Law on 2/3
    c = counts(10000, 10, 6000, 6, 6000, 6)
    new = rules.tally(rule_set=rules.CIVIL_CODE, matter=rules.FUND_USE, counts=c)
    assert not new.passed and not new.quorum_met
    assert rules.tally(rule_set=rules.PROPERTY_LAW, matter=rules.MANAGER, counts=c).passed
    assert not rules.tally(rule_set=rules.PROPERTY_LAW, matter=rules.FUND_USE, counts=c).passed
    # changing the use of common parts (matter 8) is 3/4 under the Civil Code, a majority before
    c = counts(10000, 10, 10000, 10, 7000, 7)
    assert not rules.tally(rule_set=rules.CIVIL_CODE, matter=rules.COMMON_USE, counts=c).passed
    assert rules.tally(rule_set=rules.PROPERTY_LAW, matter=rules.COMMON_USE, counts=c).passed


def test_beijing_matters_are_decided_like_ordinary_ones():
    # §B 9: the assembly alone decides them; the Civil Code's "other matters" majority applies
    c = counts(9000, 9, 6000, 6, 3001, 4)
    for matter in (rules.BJ_SERVICE_PRICE, rules.BJ_COMMON_INCOME, rules.BJ_ALLOWANCE, rules.BJ_AUDIT):
        t = rules.tally(rule_set=rules.CIVIL_CODE, matter=matter, counts=c)
        assert t.passed and by_key(t)["approval_area"].threshold == Fraction(1, 2)


def test_condition_says_why_with_numbers_and_margin():
    c = counts(100000, 100, 70000, 70, 40000, 40)
    t = rules.tally(rule_set=rules.CIVIL_CODE, matter=rules.MANAGER, counts=c)
    area = by_key(t)["approval_area"]
    assert area.met and area.needed == Decimal("350.01") and area.margin == Decimal("49.99")
    assert "多出 49.99㎡" in area.why and "满足" in area.why
    assert area.rule == "民法典第278条第2款（其他事项）"  # the law, never a section of our rules file


# --- §D 16 dates ------------------------------------------------------------------------------------


def test_dates_pick_the_law_and_flag_a_straddling_vote():
    d = dt.date
    assert rules.expected_rule_set(d(2019, 5, 1), d(2019, 6, 1)) == rules.PROPERTY_LAW
    assert rules.expected_rule_set(d(2021, 1, 1), d(2021, 2, 1)) == rules.CIVIL_CODE
    assert rules.expected_rule_set(d(2020, 12, 20), d(2021, 1, 10)) is None
    straddle = rules.date_flags(rules.CIVIL_CODE, d(2020, 12, 20), d(2021, 1, 10))
    assert straddle and "法律审核" in straddle[0]
    assert rules.date_flags(rules.CIVIL_CODE, d(2019, 5, 1), d(2019, 6, 1))
    assert rules.date_flags(rules.PROPERTY_LAW, d(2019, 5, 1), d(2019, 6, 1)) == ()
    assert rules.date_flags(rules.CIVIL_CODE, d(2021, 1, 1), d(2021, 1, 31)) == ()


# --- §C 12 heads -----------------------------------------------------------------------------------


def _u(uid, area, owners=(), developer=False):
    return rules.VoterUnit(
        uid, Decimal(area), rules.head_key(unit_id=uid, owner_keys=frozenset(owners), developer_unsold=developer)
    )


def test_heads_one_unit_one_head_developer_one_head_owner_of_several_one_head():
    units = [
        _u(1, "60.00", {"p:1"}),
        _u(2, "70.00", {"p:1"}),  # the same owner: one head with both areas
        _u(3, "80.00", {"p:2", "p:3"}),  # co-owners: one head
        _u(4, "90.00", developer=True),
        _u(5, "90.00", developer=True),  # every unsold unit of the developer: one head
        _u(6, "50.00"),  # no owner on record: its own head
    ]
    c, mixed = rules.count(units, {1: "agree", 2: "agree", 3: "disagree", 4: "agree"})
    assert c.total_heads == 4
    assert c.total_area == Decimal("440.00")
    assert c.participating_heads == 3 and c.participating_area == Decimal("300.00")
    assert c.agreeing_heads == 2 and c.agreeing_area == Decimal("220.00")
    assert mixed == []


def test_an_owner_whose_units_vote_differently_takes_part_but_does_not_agree():
    units = [_u(1, "60.00", {"p:1"}), _u(2, "70.00", {"p:1"})]
    c, mixed = rules.count(units, {1: "agree", 2: "disagree"})
    assert (c.participating_heads, c.agreeing_heads) == (1, 0)
    assert c.agreeing_area == Decimal("60.00")
    assert mixed == ["owners:p:1"]


@given(st.lists(st.tuples(st.integers(1, 5), st.sampled_from([None, "agree", "disagree", "abstain"])), max_size=40))
def test_count_nests_and_totals_every_unit(rows):
    units = [_u(i, "10.00", {f"p:{owner}"}) for i, (owner, _) in enumerate(rows)]
    choices = {i: c for i, (_, c) in enumerate(rows) if c is not None}
    c, _ = rules.count(units, choices)
    assert c.total_area == Decimal("10.00") * len(rows)
    assert c.total_heads == len({owner for owner, _ in rows})
    assert c.participating_area == Decimal("10.00") * len(choices)


# --- §E 18–19, §B 8 --------------------------------------------------------------------------------


def test_petition_needs_a_fifth_of_heads_inclusive():
    # §E 18: ≥ 20 % of owners by headcount
    assert rules.petition_needed(2763) == 553
    assert rules.petition_reached(553, 2763) and not rules.petition_reached(552, 2763)
    assert rules.petition_reached(2, 10) and not rules.petition_reached(1, 10)


def test_notice_of_fifteen_days_and_the_revocation_year():
    # §E 19: notice ≥ 15 days before; §B 8: one year to ask a court to revoke
    assert rules.notice_ok(dt.date(2026, 1, 1), dt.date(2026, 1, 16))
    assert not rules.notice_ok(dt.date(2026, 1, 1), dt.date(2026, 1, 15))
    assert rules.revocation_ends(dt.date(2026, 3, 1)) == dt.date(2027, 3, 1)
    assert rules.revocation_ends(dt.date(2024, 2, 29)) == dt.date(2025, 2, 28)
