"""The three rates by period and level (DOMAIN_RULES.md §G 26: 响应率、解决率、满意率), exact.

Periods are Asia/Shanghai local dates with both ends included; rates are Fractions, shown rounded to
2 places (§A 3). Rows come from the user's visible orders only, grouped in a constant number of queries.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.accounts import services as account_services
from gongzhi.accounts.models import User
from gongzhi.governance import services as gov
from gongzhi.registry import services as reg
from gongzhi.work_orders import selectors
from gongzhi.work_orders.reports import selectors as reports
from tests.work_orders.test_reports_world import at, build_orders, make_order
from tests.world import PASSWORD

TODAY = dt.date(2026, 11, 23)


def period(**params) -> reports.Period:
    return reports.parse_period(params, TODAY)


def fresh(world, persona: str) -> User:
    return User.objects.get(pk=world.users[persona].pk)  # no cached scope


def table(world, persona: str, level: str, **params) -> reports.RateTable:
    return reports.rate_table(fresh(world, persona), level, period(**params))


def by_label(t: reports.RateTable) -> dict[str, reports.Rates]:
    return {row.label: row.rates for row in t.rows}


# --- periods -------------------------------------------------------------------------------------------


def test_periods_name_whole_local_days():
    assert (period().start, period().end) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert (period(period="last_month").start, period(period="last_month").end) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
    )
    q = period(period="quarter", year="2026", quarter="1")
    assert (q.start, q.end, q.label) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31), "2026年第1季度")
    y = period(period="year", year="2025")
    assert (y.start, y.end, y.label) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31), "2025年")
    c = period(period="custom", start="2026-02-27", end="2026-03-01")
    assert (c.days, c.label) == (3, "2026年02月27日至2026年03月01日")
    # January's "last month" is December of the year before
    january = reports.parse_period({"period": "last_month"}, dt.date(2027, 1, 5))
    assert (january.start, january.end) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    # the default quarter is the current one
    assert period(period="quarter").start == dt.date(2026, 10, 1)


def test_period_bounds_are_beijing_midnights():
    begin, stop = period(period="custom", start="2026-11-01", end="2026-11-22").bounds()
    assert begin == at(1, 0)
    assert stop == at(23, 0)  # the first instant after the last day: excluded
    assert begin.utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"period": "week"}, "period", "统计期间应为本月、上月、季度、年度或自定义"),
        ({"period": "quarter", "quarter": "5"}, "quarter", "季度应为 1–4 之间的整数"),
        ({"period": "year", "year": "二〇二六"}, "year", "年份应为 2000–2100 之间的整数"),
        ({"period": "custom", "end": "2026-11-01"}, "start", "自定义期间请填写开始日期"),
        ({"period": "custom", "start": "2026-11-31", "end": "2026-12-01"}, "start", "开始日期应为日期（YYYY-MM-DD）"),
        ({"period": "custom", "start": "2026-11-02", "end": "2026-11-01"}, "end", "结束日期不能早于开始日期"),
        ({"period": "custom", "start": "2020-01-01", "end": "2026-11-01"}, "end", "自定义期间最长 5 年"),
    ],
)
def test_bad_periods_name_the_field_in_chinese(params, field, message):
    with pytest.raises(ValidationError) as exc:
        period(**params)
    assert exc.value.message_dict == {field: [message]}


def test_bad_level_names_the_field():
    with pytest.raises(ValidationError) as exc:
        reports.parse_level("district")
    assert exc.value.message_dict == {"level": ["统计层级应为小区、社区、街道或物业企业"]}


# --- boundaries ------------------------------------------------------------------------------------------


def test_an_order_at_2359_on_the_last_day_counts_and_one_at_midnight_after_does_not(wo):
    # DOMAIN_RULES.md §G 26 rates are over orders received in the period; §A 1: both ends included.
    make_order(wo, at(22, 23, 59, 59))
    make_order(wo, at(23, 0, 0, 0))
    make_order(wo, at(1, 0, 0, 0))
    make_order(wo, at(31, 23, 59, 59, month=10))
    custom = by_label(table(wo, "street_officer", "estate", period="custom", start="2026-11-01", end="2026-11-22"))
    assert custom["甲小区"].received == 2  # Nov 1 00:00 and Nov 22 23:59:59
    assert by_label(table(wo, "street_officer", "estate", period="last_month"))["甲小区"].received == 1
    assert by_label(table(wo, "street_officer", "estate"))["甲小区"].received == 3


# --- exact rates per level ---------------------------------------------------------------------------------


def test_estate_rates_are_exact_fractions(wo):
    # DOMAIN_RULES.md §G 26: 响应率 = accepted in time / received; 解决率 = resolved / received;
    # 满意率 = satisfied (rating ≥ 4) / rated. The withdrawn a4 and October's a5 are not received.
    build_orders(wo)
    t = table(wo, "street_officer", "estate")
    rows = {row.label: row for row in t.rows}
    a = rows["甲小区"].rates
    assert (a.received, a.accepted_in_time, a.resolved, a.rated, a.satisfied) == (3, 2, 2, 2, 1)
    assert (a.response, a.resolution, a.satisfaction) == (Fraction(2, 3), Fraction(2, 3), Fraction(1, 2))
    assert rows["甲小区"].response_percent == Decimal("66.67")
    assert rows["甲小区"].satisfaction_percent == Decimal("50.00")
    assert rows["甲小区"].context == "广安门外街道 / 甲社区"
    b = rows["乙小区"].rates
    assert (b.received, b.accepted_in_time, b.resolved, b.rated, b.satisfied) == (1, 1, 1, 1, 1)
    assert rows["乙小区"].resolution_percent == Decimal("100.00")
    total = t.total.rates
    assert (total.received, total.accepted_in_time, total.resolved, total.rated, total.satisfied) == (4, 3, 3, 3, 2)
    assert t.total.satisfaction_percent == Decimal("66.67")


def test_rows_agree_with_the_one_definition_in_selectors_rates(wo):
    build_orders(wo)
    t = table(wo, "street_officer", "estate")
    for row in t.rows:
        orders = reports.received_orders(fresh(wo, "street_officer"), t.period).filter(estate_id=int(row.key))
        assert selectors.rates(orders) == row.rates


def test_community_street_and_company_levels(wo):
    build_orders(wo)
    communities = table(wo, "street_officer", "community")
    assert [(r.label, r.context, r.rates.received) for r in communities.rows] == [
        ("甲社区", "广安门外街道", 3),
        ("乙社区", "广安门外街道", 1),
    ]
    streets = table(wo, "street_officer", "street")
    assert [(r.label, r.rates.received, r.rates.satisfied, r.rates.rated) for r in streets.rows] == [
        ("广安门外街道", 4, 2, 3)
    ]
    assert streets.rows[0].rates.response == Fraction(3, 4)
    companies = by_label(table(wo, "street_officer", "company"))
    assert set(companies) == {"甲物业有限公司", "乙物业有限公司"}
    assert companies["甲物业有限公司"].accepted_in_time == 2
    assert companies["乙物业有限公司"].satisfaction == Fraction(1, 1)


def test_orders_of_no_company_get_their_own_row(wo):
    build_orders(wo)
    order = make_order(wo, at(12))
    from gongzhi.work_orders import services

    services.work_order_transfer(
        work_order=order, department=wo.housing, reason="违建归住建委", actor=wo.users["community_staff"]
    )
    rows = {r.key: r for r in table(wo, "street_officer", "company").rows}
    assert rows["none"].label == "非物业承办（职能部门、产权单位等）"
    assert rows["none"].rates.received == 1


def test_empty_rates_are_none_not_zero(wo):
    build_orders(wo)
    rows = by_label(table(wo, "street_officer", "estate", period="last_month"))
    assert rows["甲小区"].received == 1 and rows["甲小区"].response == Fraction(0, 1)
    assert rows["甲小区"].satisfaction is None  # nothing rated: no satisfaction rate, not 0 %


# --- who sees which rows ------------------------------------------------------------------------------------


def test_a_company_sees_only_its_estates(wo):
    build_orders(wo)
    assert set(by_label(table(wo, "property_manager", "estate"))) == {"甲小区"}
    assert set(by_label(table(wo, "property_manager_b", "estate"))) == {"乙小区"}  # never estate A
    assert set(by_label(table(wo, "property_manager_b", "company"))) == {"乙物业有限公司"}
    assert set(by_label(table(wo, "community_staff_b", "community"))) == {"乙社区"}
    # the street row of company B's manager counts only what B may see
    street = table(wo, "property_manager_b", "street").rows
    assert [(r.label, r.rates.received) for r in street] == [("广安门外街道", 1)]


def test_ledger_links_only_where_the_user_may_open_the_ledger(wo):
    build_orders(wo)
    rows = table(wo, "street_officer", "estate").rows
    assert {r.label: r.ledger_estate_id for r in rows} == {"甲小区": wo.estate_a.pk, "乙小区": wo.estate_b.pk}
    # the resident's own order is all a resident sees; residents get no ledger
    resident_rows = table(wo, "resident", "estate").rows
    assert [(r.label, r.ledger_estate_id) for r in resident_rows] == [("甲小区", None)]


# --- query counts -------------------------------------------------------------------------------------------


def _queries(world, level: str) -> int:
    user = fresh(world, "street_officer")
    with CaptureQueriesContext(connection) as ctx:
        reports.rate_table(user, level, period())
    return len(ctx.captured_queries)


@pytest.mark.parametrize("level", ["estate", "community", "street", "company"])
def test_query_count_does_not_grow_with_the_number_of_estates(wo, level, query_baseline):
    build_orders(wo)
    before = _queries(wo, level)
    for n in range(4):
        community = reg.place_create(kind="community", name=f"新社区{n}", parent=wo.street, actor=None)
        estate = reg.place_create(kind="estate", name=f"新小区{n}", parent=community, actor=None)
        company = gov.company_create(name=f"新物业{n}", place=wo.district, actor=None)
        gov.contract_create(
            company=company,
            estate=estate,
            start=dt.date(2024, 1, 1),
            fee_residential_fen=100,
            service_tier="basic",
            actor=None,
        )
        u = account_services.user_create(username=f"r{n}", password=PASSWORD, actor=None)
        wo.users[f"r{n}"] = u
        from gongzhi.work_orders import services

        services.work_order_submit(
            channel="hotline",
            category=wo.leak,
            estate=estate,
            description="楼道灯不亮",
            reporter_name="张女士",
            reporter_phone="13800001234",
            actor=wo.users["street_officer"],
        )
    assert len(table(wo, "street_officer", level).rows) >= (6 if level in ("estate", "community", "company") else 1)
    assert _queries(wo, level) == before
    query_baseline.check(f"selector rate_table street_officer by {level}", before)


# --- charts -------------------------------------------------------------------------------------------------


def test_monthly_trend_has_twelve_months_ending_now(wo):
    build_orders(wo)
    trend = reports.monthly_trend(fresh(wo, "street_officer"), TODAY)
    assert [m["month"] for m in trend][0] == "2025年12月"
    assert trend[-1] == {
        "month": "2026年11月",
        "received": 4,
        "response": "75.00",
        "resolution": "75.00",
        "satisfaction": "66.67",
    }
    assert trend[-2] == {
        "month": "2026年10月",
        "received": 1,
        "response": "0.00",
        "resolution": "0.00",
        "satisfaction": None,
    }
    assert all(m["received"] == 0 and m["response"] is None for m in trend[:-2])


def test_category_breakdown_stacks_states_per_top_category(wo):
    build_orders(wo)
    data = reports.category_breakdown(fresh(wo, "street_officer"), period())
    assert data["categories"] == ["水电气暖", "环境卫生", "邻里纠纷"]
    series = {s["label"]: s["data"] for s in data["series"]}
    # a1, a4 (withdrawn) and b1 are leaks; a2 garbage; a3 noise
    assert series == {"已受理": [0, 0, 1], "已评价": [2, 1, 0], "已撤销": [1, 0, 0]}
    assert reports.category_breakdown(fresh(wo, "property_manager_b"), period())["categories"] == ["水电气暖"]


def test_the_ledger_is_one_query_however_many_items(wo):
    build_orders(wo)
    for n in range(5):
        make_order(wo, at(6 + n), category=wo.garbage if n % 2 else wo.noise)
    user = fresh(wo, "committee_member")
    reports.scope_of(user)  # the user's scope is computed once per request, before the ledger
    with CaptureQueriesContext(connection) as ctx:
        book = reports.problem_ledger(user, wo.estate_a, period(), at(23))
        rendered = [
            (i.place, str(i.order.responsible), i.order.category.name)
            for g in book.groups
            for s in g.subs
            for i in s.items
        ]
    assert len(rendered) == 8 and book.item_count == 8
    assert len(ctx.captured_queries) == 1
