"""Turnout and tally conditions say each number once (issue 20: "turnout pages repeat every number
twice"): the counts, the least needed and the margin appear one time each, then the law."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from gongzhi.voting import rules


def _tally():
    cents = Decimal("0.01")
    c = rules.Counts(
        total_area=Decimal(100000) * cents,
        total_heads=100,
        participating_area=Decimal(70000) * cents,
        participating_heads=70,
        agreeing_area=Decimal(40000) * cents,
        agreeing_heads=40,
    )
    return rules.tally(rule_set=rules.CIVIL_CODE, matter=rules.MANAGER, counts=c)


@pytest.mark.parametrize("index", range(4))
def test_each_condition_says_each_number_once(index):
    condition = _tally().conditions[index]
    html = render_to_string("voting/_conditions.html", {"conditions": [condition]})
    text = re.sub(r"<[^>]+>", " ", html)
    margin = f"多出 {condition.margin}" if condition.met else f"还差 {-condition.margin}"
    for said in (
        f"{condition.numerator} / {condition.denominator}",
        f"{condition.percent}%",
        f"至少需要 {condition.needed}",
        margin,
    ):
        assert text.count(said) == 1, (said, text)
    assert "依据：民法典第278条第2款" in text and "§" not in text
