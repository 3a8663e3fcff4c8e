"""Pure registry rules."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from gongzhi.core.masking import mask_id_number, mask_phone, phone_valid
from gongzhi.registry import rules

areas = st.none() | st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)


@given(areas, areas, areas)
def test_area_follows_register_then_survey_then_contract(registered, surveyed, contract):
    # DOMAIN_RULES.md §C 11 (SPC-BDO art. 8)
    area, source = rules.choose_area(registered, surveyed, contract)
    if registered is not None:
        assert (area, source) == (registered, "registered")
    elif surveyed is not None:
        assert (area, source) == (surveyed, "surveyed")
    elif contract is not None:
        assert (area, source) == (contract, "contract")
    else:
        assert (area, source) == (None, "")


def test_senior_is_60_or_more_inclusive():
    # DOMAIN_RULES.md §A 1: 以上 includes the boundary
    today = dt.date(2026, 11, 22)
    assert rules.is_senior(dt.date(1966, 11, 22), today)
    assert not rules.is_senior(dt.date(1966, 11, 23), today)
    assert not rules.is_senior(None, today)


@given(
    st.integers(min_value=110000, max_value=659999),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_id_check_digit_round_trips(region, birth, sequence):
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    full = first17 + rules.id_check_digit(first17)
    assert rules.id_number_valid(full)
    assert rules.birth_date_from_id(full) == birth
    wrong = first17 + ("0" if full[-1] != "0" else "1")
    assert not rules.id_number_valid(wrong)


def test_phone_validation():
    assert phone_valid("13800001234")
    assert phone_valid("010-66001234")
    assert not phone_valid("1380000123")
    assert not phone_valid("电话")
    # digits that str.isdigit() accepts but no exchange dials
    assert not phone_valid("1380000123²")
    assert not phone_valid("１３８００００１２３４")


def test_masking():
    # DOMAIN_RULES.md §I 31: 138****1234
    assert mask_phone("13812341234") == "138****1234"
    assert mask_id_number("110101195001011239") == "1****************9"
