"""The rates and problem-ledger API: GET /work-order-rates, GET /estates/{estate_id}/problem-ledger.

DOMAIN_RULES.md §G 26: each rate with its numerator, denominator, exact fraction and 2-place percent.
"""

from __future__ import annotations

import pytest

from gongzhi.core.models import AuditLog
from gongzhi.work_orders.errors import WorkOrdersError
from gongzhi.work_orders.models import WorkOrder
from tests.api.conftest import assert_error, bearer, call, token_for
from tests.work_orders.test_reports_world import build_orders


def ledger_path(world, estate=None) -> str:
    return f"/estates/{(estate or world.estate_a).pk}/problem-ledger"


def test_rates_shape_and_exact_values(wo):
    build_orders(wo)
    response = call(wo.client_for("street_officer"), "GET", "/work-order-rates")
    assert response.status_code == 200
    body = response.json()
    assert body["level"] == "estate" and body["level_label"] == "小区"
    assert body["period"] == {"kind": "this_month", "label": "2026年11月", "start": "2026-11-01", "end": "2026-11-30"}
    a = next(r for r in body["rows"] if r["label"] == "甲小区")
    assert a == {
        "level": "estate",
        "key": str(wo.estate_a.pk),
        "label": "甲小区",
        "context": "广安门外街道 / 甲社区",
        "received": 3,
        "accepted_in_time": 2,
        "resolved": 2,
        "rated": 2,
        "satisfied": 1,
        "response": {"numerator": 2, "denominator": 3, "exact": "2/3", "percent": "66.67"},
        "resolution": {"numerator": 2, "denominator": 3, "exact": "2/3", "percent": "66.67"},
        "satisfaction": {"numerator": 1, "denominator": 2, "exact": "1/2", "percent": "50.00"},
        "ledger_estate_id": wo.estate_a.pk,
    }
    assert body["total"]["received"] == 4
    assert body["total"]["response"] == {"numerator": 3, "denominator": 4, "exact": "3/4", "percent": "75.00"}


def test_rates_by_level_and_period_with_a_token(wo):
    build_orders(wo)
    headers = bearer(token_for(wo.users["property_manager_b"]))
    client = wo.client_for("anonymous")
    body = call(client, "GET", "/work-order-rates?level=company", **headers).json()
    assert [r["label"] for r in body["rows"]] == ["乙物业有限公司"]  # company B never sees estate A
    body = call(client, "GET", "/work-order-rates?period=last_month", **headers).json()
    assert body["rows"] == [] and body["total"]["satisfaction"]["percent"] is None
    street = call(
        wo.client_for("street_officer"),
        "GET",
        "/work-order-rates?period=custom&start=2026-10-01&end=2026-11-30&level=street",
    )
    row = street.json()["rows"][0]
    assert (row["label"], row["received"], row["response"]["exact"]) == ("广安门外街道", 5, "3/5")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=week", "period"),
        ("level=district", "level"),
        ("period=quarter&quarter=5", "quarter"),
        ("period=custom&start=2026-11-05", "end"),
        ("period=custom&start=2026-11-05&end=2026-11-01", "end"),
        ("period=custom&start=2026-13-01&end=2026-11-01", "start"),
    ],
)
def test_bad_rate_queries_are_400_naming_the_field(wo, query, field):
    error = assert_error(
        call(wo.client_for("street_officer"), "GET", f"/work-order-rates?{query}"), 400, "validation_error"
    )
    assert field in error["fields"], error


def test_rates_refuse_anonymous_and_residents(wo):
    build_orders(wo)
    before = (WorkOrder.objects.count(), AuditLog.objects.count())
    assert_error(call(wo.client_for("anonymous"), "GET", "/work-order-rates"), 401, "not_authenticated")
    for persona in ("resident", "no_role"):
        assert_error(call(wo.client_for(persona), "GET", "/work-order-rates"), 403, WorkOrdersError.STAFF_ONLY)
    assert (WorkOrder.objects.count(), AuditLog.objects.count()) == before


def test_ledger_shape(wo):
    o = build_orders(wo)
    response = call(wo.client_for("committee_member"), "GET", ledger_path(wo))
    assert response.status_code == 200
    body = response.json()
    assert (body["estate_id"], body["estate_name"], body["period"]["label"]) == (wo.estate_a.pk, "甲小区", "2026年11月")
    assert (body["top_count"], body["sub_count"], body["item_count"]) == (3, 3, 3)
    assert (body["done_count"], body["open_count"], body["overdue_count"]) == (2, 1, 1)
    assert [(g["name"], g["count"], g["done"]) for g in body["groups"]] == [
        ("水电气暖", 1, 1),
        ("环境卫生", 1, 1),
        ("邻里纠纷", 1, 0),
    ]
    item = body["groups"][2]["subs"][0]["items"][0]
    assert body["groups"][2]["subs"][0]["name"] == "噪音扰民"
    assert item["number"] == o.a3.number
    assert (item["status"], item["status_label"], item["overdue"], item["late"]) == ("accepted", "已受理", True, True)
    assert item["responsible"] == "甲物业有限公司" and item["place"] == "1号楼1单元"
    assert item["submitted_at"].startswith("2026-11-04T")


def test_ledger_for_last_month(wo):
    o = build_orders(wo)
    body = call(wo.client_for("street_officer"), "GET", f"{ledger_path(wo)}?period=last_month").json()
    assert body["item_count"] == 1 and body["groups"][0]["subs"][0]["items"][0]["number"] == o.a5.number


@pytest.mark.parametrize("persona", ["resident", "tenant", "outsider", "no_role", "property_manager_b"])
def test_ledger_is_404_for_whoever_may_not_read_the_estate(wo, persona):
    build_orders(wo)
    assert_error(call(wo.client_for(persona), "GET", ledger_path(wo)), 404, "not_found")


def test_ledger_of_no_estate_is_404_and_bad_period_400(wo):
    client = wo.client_for("street_officer")
    assert_error(call(client, "GET", ledger_path(wo, wo.community_a)), 404, "not_found")
    assert_error(call(client, "GET", "/estates/999999/problem-ledger"), 404, "not_found")
    error = assert_error(call(client, "GET", f"{ledger_path(wo)}?period=year&year=1990"), 400, "validation_error")
    assert "year" in error["fields"]
    assert_error(call(wo.client_for("anonymous"), "GET", ledger_path(wo)), 401, "not_authenticated")
