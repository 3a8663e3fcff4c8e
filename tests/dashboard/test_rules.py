"""The three rates from per-estate facts (DOMAIN_RULES.md §H 29; exact arithmetic §A 2–3)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.dashboard import rules
from gongzhi.governance.rules import Rate

DEFAULT = {
    "property_coverage": {"numerator": "contract_or_self_managed", "basis": "estates"},
    "committee_formation": {"numerator": "owners_or_management_committee", "basis": "estates"},
    "party_coverage": {"numerator": "committee_with_party_org_or_members", "basis": "committees"},
}
TARGETS = {"2020": 30, "2021": 70, "2022": 90}


def configs(**override):
    raw = {k: dict(v) for k, v in DEFAULT.items()}
    for code, basis in override.items():
        raw[code]["basis"] = basis
    return rules.rate_configs(raw)


ESTATES = [
    rules.EstateFacts(1, households=100, has_property_service=True, has_committee=True),
    rules.EstateFacts(2, households=300, has_property_service=True, has_committee=False),
    rules.EstateFacts(3, households=50, has_property_service=False, has_committee=False),
]
COMMITTEES = [
    rules.CommitteePartyFacts(10, 1, has_party=True),
    rules.CommitteePartyFacts(11, 1, has_party=False),
]


def test_property_coverage_two_of_three_estates():
    # §H 29: estates with a contract or qualified self-management / all estates = 2/3 → 66.67 % (§A 3).
    config = configs()["property_coverage"]
    rate = rules.compute(config, ESTATES, COMMITTEES)
    assert rate == Rate(2, 3)
    assert rate.percent == Decimal("66.67")
    assert rules.split(config, ESTATES, COMMITTEES) == ([1, 2], [3])


def test_property_coverage_by_households():
    # basis "households": (100 + 300) / (100 + 300 + 50) = 400/450 = 88.89 %.
    config = configs(property_coverage="households")["property_coverage"]
    rate = rules.compute(config, ESTATES, COMMITTEES)
    assert rate == Rate(400, 450)
    assert rate.percent == Decimal("88.89")
    assert not rate.meets(90)  # 88.89 % is short of the 2022 target of 90 %


def test_committee_formation_one_of_three_estates_and_by_households():
    config = configs()["committee_formation"]
    assert rules.compute(config, ESTATES, COMMITTEES) == Rate(1, 3)
    assert rules.split(config, ESTATES, COMMITTEES) == ([1], [2, 3])
    households = configs(committee_formation="households")["committee_formation"]
    assert rules.compute(households, ESTATES, COMMITTEES) == Rate(100, 450)


def test_party_coverage_counts_committees_not_estates():
    # §H 29: committees with a Party organisation or Party members / active committees = 1/2.
    config = configs()["party_coverage"]
    assert rules.compute(config, ESTATES, COMMITTEES) == Rate(1, 2)
    assert rules.split(config, ESTATES, COMMITTEES) == ([10], [11])


def test_no_estates_gives_an_empty_rate():
    config = configs()["property_coverage"]
    rate = rules.compute(config, [], [])
    assert rate == Rate(0, 0) and rate.percent is None


def test_targets_each_year():
    # 2020–2022 plan: 30 → 70 → 90 %; 2/3 meets 30 % only.
    checks = rules.target_checks(Rate(2, 3), TARGETS)
    assert [(c.year, c.percent, c.met) for c in checks] == [
        ("2020", 30, True),
        ("2021", 70, False),
        ("2022", 90, False),
    ]
    assert all(c.met for c in rules.target_checks(Rate(9, 10), TARGETS))


@pytest.mark.parametrize(
    ("code", "key", "value"),
    [
        ("property_coverage", "basis", "committees"),
        ("property_coverage", "numerator", "contract_only"),
        ("party_coverage", "basis", "estates"),
        ("committee_formation", "basis", ""),
    ],
)
def test_unknown_settings_are_refused(code, key, value):
    raw = {k: dict(v) for k, v in DEFAULT.items()}
    raw[code][key] = value
    with pytest.raises(rules.RateConfigError, match=code):
        rules.rate_configs(raw)


def test_missing_rate_setting_is_refused():
    raw = {k: v for k, v in DEFAULT.items() if k != "party_coverage"}
    with pytest.raises(rules.RateConfigError, match="party_coverage"):
        rules.rate_configs(raw)


estate_facts = st.builds(
    rules.EstateFacts,
    estate_id=st.integers(1, 10**6),
    households=st.integers(0, 5000),
    has_property_service=st.booleans(),
    has_committee=st.booleans(),
)


@given(estates=st.lists(estate_facts, max_size=40), basis=st.sampled_from(["estates", "households"]))
def test_rate_is_between_zero_and_one_and_split_partitions(estates, basis):
    config = configs(property_coverage=basis)["property_coverage"]
    rate = rules.compute(config, estates, [])
    assert 0 <= rate.numerator <= rate.denominator
    counted, others = rules.split(config, estates, [])
    assert len(counted) + len(others) == len(estates)
    assert len(counted) == sum(1 for e in estates if e.has_property_service)
    if basis == "estates":
        assert rate == Rate(len(counted), len(estates))


@given(estates=st.lists(estate_facts, min_size=1, max_size=40))
def test_gaining_a_service_never_lowers_the_rate(estates):
    # Monotone: giving one more estate a property service cannot lower coverage (either basis).
    for basis in ("estates", "households"):
        config = configs(property_coverage=basis)["property_coverage"]
        before = rules.compute(config, estates, [])
        improved = [estates[0].__class__(e.estate_id, e.households, True, e.has_committee) for e in estates[:1]]
        after = rules.compute(config, improved + estates[1:], [])
        if before.denominator:
            assert Fraction(after.numerator, after.denominator) >= Fraction(before.numerator, before.denominator)
