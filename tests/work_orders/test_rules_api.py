"""The routing-table and time-limit API: list, create, update, deactivate, preview; who may (403 for
read-only staff, 404 for outsiders), refusals naming the input field, 409 for a second active rule."""

from __future__ import annotations

import pytest

from gongzhi.core.models import AuditLog
from gongzhi.governance import services as gov
from gongzhi.registry import services as reg
from gongzhi.work_orders.models import RoutingRule, SlaPolicy
from gongzhi.work_orders.permissions import can_edit_routing, can_edit_sla
from gongzhi.work_orders.routing import services as sr
from tests.api.conftest import assert_error, call
from tests.personas import ESTATE_A_HIDDEN, ESTATE_A_READ_ONLY, ESTATE_A_WRITERS

EDITORS = ESTATE_A_WRITERS
READ_ONLY = ESTATE_A_READ_ONLY
OUTSIDERS = ESTATE_A_HIDDEN


def _state():
    return (
        list(
            RoutingRule.all_objects.order_by("pk").values_list("category_id", "company_id", "department_id", "active")
        ),
        list(SlaPolicy.objects.order_by("pk").values_list("tier", "category_id", "accept_minutes", "arrive_minutes")),
        AuditLog.objects.count(),
    )


# --- Routing rules --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", EDITORS)
def test_editors_create_update_and_deactivate_a_rule(wo, persona):
    client = wo.client_for(persona)
    response = call(
        client,
        "POST",
        "/routing-rules",
        {"estate_id": wo.estate_a.pk, "category_id": wo.leak.pk, "department_id": wo.housing.pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["body_kind"], body["department_id"], body["body_name"]) == (
        "department",
        wo.housing.pk,
        "西城区住房城市建设委员会",
    )
    assert body["category_label"] == str(wo.leak) and body["active"] is True
    rule_id = body["id"]
    response = call(client, "PATCH", f"/routing-rules/{rule_id}", {"rights_unit_id": wo.rights_unit.pk})
    assert response.status_code == 200
    assert (response.json()["body_kind"], response.json()["department_id"]) == ("rights_unit", None)
    response = call(client, "POST", f"/routing-rules/{rule_id}/deactivate", {})
    assert response.status_code == 200 and response.json()["active"] is False
    # the list shows active rules; include_inactive the stopped ones too
    assert call(client, "GET", f"/routing-rules?estate_id={wo.estate_a.pk}").json()["total"] == 0
    listed = call(client, "GET", f"/routing-rules?estate_id={wo.estate_a.pk}&include_inactive=true").json()
    assert [r["id"] for r in listed["items"]] == [rule_id]
    assert AuditLog.objects.filter(object_type="work_orders.routingrule").count() == 3


def test_an_estate_default_rule_and_the_list_scoped_to_the_caller(wo):
    sr.routing_rule_create(estate=wo.estate_a, category=None, company=wo.company_b, actor=None)
    sr.routing_rule_create(estate=wo.estate_b, category=wo.leak, company=wo.company_b, actor=None)
    items = call(wo.client_for("community_staff"), "GET", "/routing-rules").json()["items"]
    assert [(r["estate_name"], r["category_id"], r["category_label"]) for r in items] == [
        ("甲小区", None, "全部类别（本小区默认）")
    ]
    assert call(wo.client_for("street_officer"), "GET", "/routing-rules").json()["total"] == 2
    assert call(wo.client_for("property_manager_b"), "GET", "/routing-rules").json()["total"] == 1
    assert call(wo.client_for("resident"), "GET", "/routing-rules").json()["total"] == 0
    assert_error(call(wo.client_for("outsider"), "GET", f"/routing-rules?estate_id={wo.estate_a.pk}"), 404, "not_found")


@pytest.mark.parametrize(("persona", "status"), [*((p, 403) for p in READ_ONLY), *((p, 404) for p in OUTSIDERS)])
def test_others_get_403_or_404_and_nothing_changes(wo, persona, status):
    rule = sr.routing_rule_create(estate=wo.estate_a, category=wo.leak, department=wo.housing, actor=None)
    before = _state()
    client = wo.client_for(persona)
    code = can_edit_routing.code if status == 403 else "not_found"
    body = {"estate_id": wo.estate_a.pk, "category_id": wo.noise.pk, "company_id": wo.company_a.pk}
    assert_error(call(client, "POST", "/routing-rules", body), status, code)
    assert_error(call(client, "PATCH", f"/routing-rules/{rule.pk}", {"company_id": wo.company_a.pk}), status, code)
    assert_error(call(client, "POST", f"/routing-rules/{rule.pk}/deactivate", {}), status, code)
    assert _state() == before


def test_refusals_name_the_input_field(wo):
    client = wo.client_for("street_officer")
    sr.routing_rule_create(estate=wo.estate_a, category=wo.leak, department=wo.housing, actor=None)
    other_district = reg.place_create(kind="district", name="东城区", parent=wo.city, actor=None)
    elsewhere = gov.department_create(kind="housing", name="东城区住建委", place=other_district, actor=None)
    before = _state()
    base = {"estate_id": wo.estate_a.pk, "category_id": wo.noise.pk}
    error = assert_error(call(client, "POST", "/routing-rules", base), 400, "validation_error")
    assert error["fields"] == {"responsible": "责任单位：请在物业企业、产权单位、职能部门中选择且只选择一个"}
    both = {**base, "company_id": wo.company_a.pk, "department_id": wo.housing.pk}
    assert_error(call(client, "POST", "/routing-rules", both), 400, "validation_error")
    # (a department of another district is not even visible to the street: the administrator tries)
    error = assert_error(
        call(wo.client_for("admin"), "POST", "/routing-rules", {**base, "department_id": elsewhere.pk}),
        400,
        "validation_error",
    )
    assert error["fields"] == {"department_id": "职能部门：东城区住建委不属于甲小区所在的区"}
    error = assert_error(
        call(
            client, "POST", "/routing-rules", {**base, "estate_id": wo.estate_b.pk, "rights_unit_id": wo.rights_unit.pk}
        ),
        400,
        "validation_error",
    )
    assert error["fields"] == {"rights_unit_id": "产权单位：某产权单位在乙小区没有登记，也没有产权房屋"}
    error = assert_error(
        call(client, "POST", "/routing-rules", {**base, "category_id": 999999, "company_id": wo.company_a.pk}),
        400,
        "validation_error",
    )
    assert error["fields"] == {"category_id": "诉求类别：不存在"}
    error = assert_error(
        call(client, "POST", "/routing-rules", {**base, "estate_id": wo.community_a.pk, "company_id": wo.company_a.pk}),
        400,
        "validation_error",
    )
    assert error["fields"] == {"estate_id": "小区：请选择一个小区"}
    error = assert_error(
        call(client, "POST", "/routing-rules", {**base, "category_id": wo.leak.pk, "company_id": wo.company_a.pk}),
        409,
        "routing_rule_exists",
    )
    assert error["fields"] == {"category_id": f"诉求类别：甲小区的“{wo.leak}”已有启用的派单规则，请修改或停用原规则"}
    error = assert_error(call(client, "POST", "/routing-rules", {**base, "color": "red"}), 400, "validation_error")
    assert "color" in error["fields"]
    assert _state() == before


def test_the_preview_is_for_staff_of_the_estate(wo):
    SlaPolicy.objects.create(tier="basic", category=None, accept_minutes=3, arrive_minutes=10)
    query = f"/routing-preview?estate_id={wo.estate_a.pk}&category_id={wo.leak.pk}"
    body = call(wo.client_for("party_worker"), "GET", query).json()
    assert (body["body_kind"], body["body_id"], body["body_name"]) == ("company", wo.company_a.pk, "甲物业有限公司")
    assert (body["accept_minutes"], body["arrive_minutes"], body["resolve_minutes"]) == (3, 10, 24 * 60)
    assert body["source"] == "物业服务企业（合同）" and body["service_tier"] == "basic"
    assert body["accept_by"].startswith("2026-11-23T02:03:00")  # 10:03 in Beijing, in UTC
    body = call(wo.client_for("admin"), "GET", query + "&priority=emergency").json()
    assert body["resolve_minutes"] == 120
    assert_error(call(wo.client_for("resident"), "GET", query), 404, "not_found")
    assert_error(call(wo.client_for("outsider"), "GET", query), 404, "not_found")
    assert_error(call(wo.client_for("admin"), "GET", query + "&priority=urgent"), 400, "validation_error")


# --- Time limits ----------------------------------------------------------------------------------


def test_time_limits_are_listed_to_everyone_logged_in(wo):
    SlaPolicy.objects.create(tier="livable", category=wo.leak, accept_minutes=3, arrive_minutes=10)
    items = call(wo.client_for("resident"), "GET", "/sla-policies").json()
    assert items == [
        {
            "id": SlaPolicy.objects.get().pk,
            "tier": "livable",
            "tier_label": "宜居型",
            "category_id": wo.leak.pk,
            "category_label": str(wo.leak),
            "accept_minutes": 3,
            "arrive_minutes": 10,
            "resolve_minutes": None,
            "working_hours_only": None,
        }
    ]


def test_admin_creates_and_patches_time_limits(wo):
    client = wo.client_for("admin")
    response = call(client, "POST", "/sla-policies", {"tier": "basic", "accept_minutes": 3, "arrive_minutes": 10})
    assert response.status_code == 201
    policy_id = response.json()["id"]
    assert response.json()["category_label"] == "所有类别"
    # only the fields sent change; null clears a clock
    response = call(client, "PATCH", f"/sla-policies/{policy_id}", {"arrive_minutes": 15, "working_hours_only": True})
    assert response.status_code == 200
    assert (response.json()["accept_minutes"], response.json()["arrive_minutes"]) == (3, 15)
    response = call(client, "PATCH", f"/sla-policies/{policy_id}", {"accept_minutes": None, "arrive_minutes": 60})
    assert response.status_code == 200
    assert (response.json()["accept_minutes"], response.json()["working_hours_only"]) == (None, True)
    # the accept limit it now inherits (30 minutes) is longer than an on-site limit of 15: refused
    error = assert_error(
        call(client, "PATCH", f"/sla-policies/{policy_id}", {"arrive_minutes": 15}), 400, "validation_error"
    )
    assert error["fields"] == {"arrive_minutes": "到场时限：实际为15分钟（含沿用的设置），短于受理时限30分钟"}
    assert AuditLog.objects.filter(object_type="work_orders.slapolicy").count() == 3


def test_time_limit_refusals(wo):
    client = wo.client_for("admin")
    policy = SlaPolicy.objects.create(tier="basic", category=None, accept_minutes=3)
    before = _state()
    error = assert_error(call(client, "POST", "/sla-policies", {"accept_minutes": 0}), 400, "validation_error")
    assert set(error["fields"]) == {"accept_minutes"}
    error = assert_error(
        call(client, "POST", "/sla-policies", {"accept_minutes": 30, "arrive_minutes": 10}), 400, "validation_error"
    )
    assert error["fields"] == {"arrive_minutes": "到场时限：10分钟短于受理时限30分钟"}
    error = assert_error(call(client, "POST", "/sla-policies", {}), 400, "validation_error")
    assert error["fields"] == {"accept_minutes": "受理时限：受理、到场、办结时限至少填写一项"}
    error = assert_error(
        call(client, "POST", "/sla-policies", {"tier": "gold", "accept_minutes": 3}), 400, "validation_error"
    )
    assert set(error["fields"]) == {"tier"}
    error = assert_error(
        call(client, "POST", "/sla-policies", {"tier": "basic", "accept_minutes": 5}), 409, "sla_policy_exists"
    )
    assert error["fields"] == {"category_id": "诉求类别：“保障型 × 所有类别”已有时限标准，请直接修改"}
    error = assert_error(
        call(client, "PATCH", f"/sla-policies/{policy.pk}", {"accept_minutes": 3}), 400, "validation_error"
    )
    assert error["fields"] == {"accept_minutes": "时限：与原设置相同，没有修改"}
    assert_error(call(client, "PATCH", "/sla-policies/999999", {"accept_minutes": 3}), 404, "not_found")
    assert _state() == before


@pytest.mark.parametrize("persona", ["street_officer", "community_staff", *READ_ONLY, "resident", "no_role"])
def test_only_admin_and_district_officers_change_time_limits(wo, persona):
    policy = SlaPolicy.objects.create(tier="basic", category=None, accept_minutes=3)
    before = _state()
    client = wo.client_for(persona)
    code = can_edit_sla.code  # the permission's own code (the generic "forbidden" before issue 10)
    assert_error(call(client, "POST", "/sla-policies", {"tier": "livable", "accept_minutes": 3}), 403, code)
    assert_error(call(client, "PATCH", f"/sla-policies/{policy.pk}", {"accept_minutes": 4}), 403, code)
    assert _state() == before
