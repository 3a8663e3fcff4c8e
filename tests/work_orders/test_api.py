"""The work-order JSON API: list, intake, detail, every action, for every persona group; refused
requests change nothing, and a company's staff never see another company's estates' orders."""

from __future__ import annotations

import pytest

from gongzhi.core.models import AuditLog
from gongzhi.work_orders.errors import WorkOrdersError
from gongzhi.work_orders.models import WorkOrder, WorkOrderEvent
from gongzhi.work_orders.permissions import (
    can_dispatch,
    can_escalate,
    can_handle,
    can_speak_for_reporter,
    can_submit_for,
)
from tests.api.conftest import assert_error, bearer, call, token_for
from tests.personas import ESTATE_A_HIDDEN
from tests.work_orders.conftest import submit

# Who handles (or supervises) estate A's orders, who only sees them, who sees nothing of them.
# (property_staff is the world's employee of company A, the technician the work-order tests' own.)
HANDLERS = ["property_manager", "property_staff", "technician", "community_staff", "street_officer", "admin"]
SEE_ONLY = ["department_officer", "committee_member", "party_worker", "rights_unit", "grid_worker", "resident"]
NOT_SEEN = [*ESTATE_A_HIDDEN, "technician_b", "tenant"]
CALL_TAKERS = ["property_manager", "property_staff", "technician", "community_staff", "street_officer", "admin"]
NOT_CALL_TAKERS = ["department_officer", "committee_member", "party_worker", "rights_unit", "grid_worker"]


def _state():
    return (
        WorkOrder.objects.count(),
        list(WorkOrder.objects.order_by("pk").values_list("status", "assignee_id", "escalation_level", "company_id")),
        WorkOrderEvent.objects.count(),
        AuditLog.objects.count(),
    )


def _create_body(world, **extra):
    body = {
        "category_id": world.leak.pk,
        "estate_id": world.estate_a.pk,
        "building_id": world.building_a1.pk,
        "location": "1单元101厨房",
        "description": "厨房水管漏水，已经流到楼下",
    }
    body.update(extra)
    return body


# --- Categories -----------------------------------------------------------------------------------


def test_categories_list_the_active_tree(wo):
    # Given a logged-in resident; when they ask for the categories
    body = call(wo.client_for("resident"), "GET", "/work-orders/categories").json()
    # Then top categories have no parent and sub-categories name their parent
    leak = next(c for c in body if c["code"] == "utilities-water-leak")
    parent = next(c for c in body if c["id"] == leak["parent_id"])
    assert parent["parent_id"] is None
    assert leak["label"] == f"{parent['name']}/{leak['name']}"


def test_anonymous_gets_401_everywhere(wo):
    order = submit(wo)
    client = wo.client_for("anonymous")
    for method, path in [
        ("GET", "/work-orders/categories"),
        ("GET", "/work-orders"),
        ("GET", f"/work-orders/{order.pk}"),
    ]:
        assert_error(call(client, method, path), 401, "not_authenticated")
    before = _state()
    assert_error(call(client, "POST", "/work-orders", _create_body(wo)), 401, "not_authenticated")
    assert_error(call(client, "POST", f"/work-orders/{order.pk}/accept", {}), 401, "not_authenticated")
    assert _state() == before


# --- List and detail ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", [*HANDLERS, *SEE_ONLY])
def test_those_who_see_estate_a_orders_get_list_and_detail(wo, persona):
    # Given an order a resident of estate A reported
    order = submit(wo)
    client = wo.client_for(persona)
    # When the persona lists and opens it; then it is there, with its timeline
    listed = call(client, "GET", "/work-orders").json()
    assert order.pk in [row["id"] for row in listed["items"]]
    detail = call(client, "GET", f"/work-orders/{order.pk}")
    assert detail.status_code == 200, detail.content
    body = detail.json()
    assert body["number"] == order.number
    assert [e["kind"] for e in body["timeline"]] == ["submitted", "routed"]
    assert body["timeline"][0]["label"] == "诉求已提交"


@pytest.mark.parametrize("persona", NOT_SEEN)
def test_outsiders_get_404_and_an_empty_list(wo, persona):
    order = submit(wo)
    client = wo.client_for(persona)
    assert order.pk not in [row["id"] for row in call(client, "GET", "/work-orders").json()["items"]]
    error = assert_error(call(client, "GET", f"/work-orders/{order.pk}"), 404, "not_found")
    assert "不存在或无权查看" in error["message"]


def test_a_company_sees_only_the_orders_of_the_estates_it_serves(wo):
    # Given an order in estate A (company A) and one in estate B (company B)
    order_a = submit(wo)
    order_b = submit(wo, estate=wo.estate_b, reporter="outsider", location="1号楼101")
    # Then each company's manager lists only its own estate's order
    seen_a = {r["id"] for r in call(wo.client_for("property_manager"), "GET", "/work-orders").json()["items"]}
    seen_b = {r["id"] for r in call(wo.client_for("property_manager_b"), "GET", "/work-orders").json()["items"]}
    assert seen_a == {order_a.pk}
    assert seen_b == {order_b.pk}
    # and cannot open the other's
    assert_error(call(wo.client_for("property_manager"), "GET", f"/work-orders/{order_b.pk}"), 404, "not_found")
    assert_error(call(wo.client_for("property_manager_b"), "GET", f"/work-orders/{order_a.pk}"), 404, "not_found")


def test_list_filters_status_estate_category_and_overdue(wo):
    leak = submit(wo)
    garbage = submit(wo, category=wo.garbage, description="垃圾桶满了没人清")
    other = submit(wo, estate=wo.estate_b, reporter="outsider", location="1号楼101")
    client = wo.client_for("street_officer")

    def ids(query):
        return {r["id"] for r in call(client, "GET", f"/work-orders?{query}").json()["items"]}

    assert ids(f"estate={wo.estate_a.pk}") == {leak.pk, garbage.pk}
    assert ids(f"category={wo.garbage.pk}") == {garbage.pk}
    assert ids(f"category={wo.leak.parent_id}") == {leak.pk, other.pk}  # a top category includes its children
    assert ids("status=submitted") == {leak.pk, garbage.pk, other.pk}
    assert ids("status=accepted") == set()
    assert ids("overdue=true") == set()
    # When the accept clocks run out
    wo.clock.shift(60 * 60 * 24 * 3)
    client = wo.client_for("street_officer")  # the first session timed out while the clock ran
    assert ids("overdue=true") == {leak.pk, garbage.pk, other.pk}
    assert ids("overdue=false") == set()
    row = call(client, "GET", f"/work-orders?estate={wo.estate_a.pk}&limit=1").json()
    assert row["total"] == 2 and len(row["items"]) == 1 and row["items"][0]["overdue"] is True


def test_bad_filter_names_the_field(wo):
    error = assert_error(
        call(wo.client_for("street_officer"), "GET", "/work-orders?status=nope"), 400, "validation_error"
    )
    assert "status" in error["fields"]


def test_list_queries_are_pinned(wo, query_baseline):
    for i in range(8):
        submit(wo, description=f"第{i}处漏水")
    client = wo.client_for("property_manager")
    key = token_for(wo.users["property_manager"])
    with query_baseline("api GET /work-orders property_manager, token, 8 orders"):
        body = call(client, "GET", "/work-orders?limit=50", **bearer(key)).json()
    assert body["total"] == 8


def test_a_resident_sees_their_own_orders_only(wo):
    mine = submit(wo)
    theirs = submit(wo, reporter="tenant", description="楼道灯不亮")
    seen = {r["id"] for r in call(wo.client_for("resident"), "GET", "/work-orders").json()["items"]}
    assert seen == {mine.pk}
    assert theirs.pk not in seen


def test_reporter_phone_masked_for_roles_without_whole_numbers(wo):
    order = submit(
        wo, reporter=None, actor=wo.users["property_manager"], channel="hotline", reporter_phone="13812345678"
    )
    masked = call(wo.client_for("committee_member"), "GET", f"/work-orders/{order.pk}").json()
    whole = call(wo.client_for("property_manager"), "GET", f"/work-orders/{order.pk}").json()
    assert masked["reporter_phone"] != "13812345678" and masked["reporter_phone"].startswith("138")
    assert whole["reporter_phone"] == "13812345678"


# --- Intake ---------------------------------------------------------------------------------------


def test_a_resident_reports_through_the_resident_app(wo):
    response = call(wo.client_for("resident"), "POST", "/work-orders", _create_body(wo))
    assert response.status_code == 201, response.content
    body = response.json()
    order = WorkOrder.objects.get(pk=body["id"])
    assert order.channel == "resident_app" and body["channel"] == "resident_app"
    assert order.reporter == wo.users["resident"]
    assert body["responsible"] == "甲物业有限公司"
    assert body["status"] == "submitted" and body["accept_by"]


@pytest.mark.parametrize("persona", CALL_TAKERS)
def test_staff_enter_a_phone_call_as_hotline(wo, persona):
    body = _create_body(wo, reporter_name="张大爷", reporter_phone="13600001111", priority="high")
    response = call(wo.client_for(persona), "POST", "/work-orders", body)
    assert response.status_code == 201, response.content
    order = WorkOrder.objects.get(pk=response.json()["id"])
    assert (order.channel, order.reporter_id, order.reporter_name, order.priority) == (
        "hotline",
        None,
        "张大爷",
        "high",
    )


@pytest.mark.parametrize("persona", NOT_CALL_TAKERS)
def test_read_only_roles_may_not_submit_and_nothing_changes(wo, persona):
    before = _state()
    # refused by the intake's permission, with its code (was the generic "forbidden" before issue 10)
    assert_error(call(wo.client_for(persona), "POST", "/work-orders", _create_body(wo)), 403, can_submit_for.code)
    assert _state() == before


@pytest.mark.parametrize("persona", [*ESTATE_A_HIDDEN, "technician_b"])
def test_outsiders_cannot_submit_for_estate_a_and_nothing_changes(wo, persona):
    before = _state()
    error = assert_error(call(wo.client_for(persona), "POST", "/work-orders", _create_body(wo)), 404, "not_found")
    assert "estate_id" in error["fields"]
    assert _state() == before


def test_property_manager_b_enters_calls_for_estate_b_only(wo):
    client = wo.client_for("property_manager_b")
    ok = call(client, "POST", "/work-orders", _create_body(wo, estate_id=wo.estate_b.pk, building_id=None))
    assert ok.status_code == 201, ok.content
    assert ok.json()["company_id"] == wo.company_b.pk


def test_bad_intake_names_the_field_and_changes_nothing(wo):
    client = wo.client_for("resident")
    before = _state()
    error = assert_error(
        call(client, "POST", "/work-orders", _create_body(wo, description="   ")), 400, "validation_error"
    )
    assert "description" in error["fields"]
    error = assert_error(
        call(client, "POST", "/work-orders", _create_body(wo, category_id=999999)), 400, "validation_error"
    )
    assert error["fields"] == {"category_id": "诉求类别不存在或已停用"}
    error = assert_error(
        call(client, "POST", "/work-orders", _create_body(wo, building_id=wo.building_b1.pk)), 404, "not_found"
    )
    assert "building_id" in error["fields"]
    body = _create_body(wo, estate_id=wo.community_a.pk)
    assert_error(call(wo.client_for("community_staff"), "POST", "/work-orders", body), 400, "validation_error")
    assert _state() == before


# --- Actions --------------------------------------------------------------------------------------


def _post(world, persona, order, action, body=None):
    return call(
        world.client_for(persona), "POST", f"/work-orders/{order.pk}/{action}", body if body is not None else {}
    )


@pytest.mark.parametrize("persona", HANDLERS)
def test_handlers_accept(wo, persona):
    order = submit(wo)
    response = _post(wo, persona, order, "accept")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
    assert response.json()["timeline"][-1]["kind"] == "accepted"


def _handler_attempts(world, order, into):
    return [
        ("accept", {}),
        ("assign", {"assignee_id": world.users["technician"].pk}),
        ("arrive", {}),
        ("resolve", {"note": "已更换水管"}),
        ("transfer", {"reason": "属于产权单位", "rights_unit_id": world.rights_unit.pk}),
        ("merge", {"into_id": into.pk}),
        ("escalate", {"reason": "物业不理"}),
    ]


@pytest.mark.parametrize("persona", SEE_ONLY)
def test_those_who_only_see_get_403_on_handling_and_nothing_changes(wo, persona):
    order = submit(wo)
    into = submit(wo, description="楼下也在漏")
    before = _state()
    for action, body in _handler_attempts(wo, order, into):
        # each refusal carries the permission's code (escalating is the supervisors' act, see test_permissions)
        code = {"escalate": can_escalate, "assign": can_dispatch, "transfer": can_dispatch, "merge": can_dispatch}.get(
            action, can_handle
        ).code
        assert_error(_post(wo, persona, order, action, body), 403, code)
    assert _state() == before


@pytest.mark.parametrize("persona", NOT_SEEN)
def test_outsiders_get_404_on_every_action_and_nothing_changes(wo, persona):
    order = submit(wo)
    into = submit(wo, description="楼下也在漏")
    before = _state()
    attempts = [
        *_handler_attempts(wo, order, into),
        ("confirm", {"rating": 5}),
        ("reopen", {"reason": "又漏了"}),
        ("cancel", {"reason": "不需要了"}),
    ]
    for action, body in attempts:
        assert_error(_post(wo, persona, order, action, body), 404, "not_found")
    assert _state() == before


def test_the_whole_lifecycle_through_the_api(wo):
    # Given a resident's report
    created = call(wo.client_for("resident"), "POST", "/work-orders", _create_body(wo)).json()
    order = WorkOrder.objects.get(pk=created["id"])
    technician = wo.users["technician"]
    # When the dispatcher accepts and assigns, the technician arrives and resolves
    assert _post(wo, "property_manager", order, "accept").json()["status"] == "accepted"
    assigned = _post(wo, "property_manager", order, "assign", {"assignee_id": technician.pk}).json()
    assert assigned["assignee_id"] == technician.pk and assigned["assignee_name"] == "technician"
    assert _post(wo, "technician", order, "arrive").json()["status"] == "on_site"
    assert _post(wo, "technician", order, "resolve", {"note": "已更换三通"}).json()["status"] == "resolved"
    # Then the dispatcher may not rate it for the reporter; a rating outside 1–5 names the field
    before = _state()
    assert_error(_post(wo, "property_manager", order, "confirm", {"rating": 5}), 403, can_speak_for_reporter.code)
    error = assert_error(_post(wo, "resident", order, "confirm", {"rating": 6}), 400, "validation_error")
    assert "rating" in error["fields"]
    assert _state() == before
    # and the resident rates it 5
    confirmed = _post(wo, "resident", order, "confirm", {"rating": 5, "comment": "很及时"}).json()
    assert (confirmed["status"], confirmed["rating"], confirmed["comment"]) == ("confirmed", 5, "很及时")
    # and reopens it when it leaks again
    reopened = _post(wo, "resident", order, "reopen", {"reason": "又漏了"}).json()
    assert (reopened["status"], reopened["reopen_count"]) == ("accepted", 1)
    kinds = [e["kind"] for e in reopened["timeline"]]
    assert kinds == ["submitted", "routed", "accepted", "assigned", "arrived", "resolved", "confirmed", "reopened"]


def test_wrong_state_and_wrong_assignee_name_the_field(wo):
    order = submit(wo)
    before = _state()
    # a wrong state is a conflict with the app's code (409; a 400 field error before issue 10)
    error = assert_error(_post(wo, "property_manager", order, "arrive"), 409, WorkOrdersError.WRONG_STATE)
    assert "待受理" in error["message"]
    _post(wo, "property_manager", order, "accept")
    before = _state()
    for stranger in ("technician_b", "committee_member"):
        body = {"assignee_id": wo.users[stranger].pk}
        error = assert_error(_post(wo, "property_manager", order, "assign", body), 400, "validation_error")
        assert error["fields"] == {"assignee_id": "该账号不是责任单位的工作人员"}
    assert _state() == before


def test_resident_cancels_their_own_order_and_another_resident_cannot(wo):
    order = submit(wo)
    assert_error(_post(wo, "tenant", order, "cancel", {"reason": "不需要了"}), 404, "not_found")
    error = assert_error(_post(wo, "resident", order, "cancel", {"reason": " "}), 400, "validation_error")
    assert "reason" in error["fields"]
    cancelled = _post(wo, "resident", order, "cancel", {"reason": "已自行修好"}).json()
    assert cancelled["status"] == "cancelled"


def test_transfer_to_company_b_moves_the_order_into_its_sight(wo):
    order = submit(wo)
    before = _state()
    body = {"reason": "x", "company_id": wo.company_b.pk, "department_id": wo.housing.pk}
    error = assert_error(_post(wo, "street_officer", order, "transfer", body), 400, "validation_error")
    assert "target" in error["fields"]
    assert _state() == before
    moved = _post(
        wo, "street_officer", order, "transfer", {"reason": "该楼由乙物业代管", "company_id": wo.company_b.pk}
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["company_id"] == wo.company_b.pk
    assert call(wo.client_for("property_manager_b"), "GET", f"/work-orders/{order.pk}").status_code == 200
    to_department = {"reason": "违建", "department_id": wo.housing.pk}
    assert _post(wo, "street_officer", order, "transfer", to_department).json()["department_id"] == wo.housing.pk


def test_transfer_to_an_organisation_that_is_not_a_rights_unit_is_refused(wo):
    from gongzhi.registry import services as reg

    other = reg.organisation_create(kind="other", name="某商户", place=wo.estate_a, actor=None)
    order = submit(wo)
    before = _state()
    body = {"reason": "x", "rights_unit_id": other.pk}
    error = assert_error(_post(wo, "street_officer", order, "transfer", body), 400, "validation_error")
    assert error["fields"] == {"rights_unit_id": "该单位不是产权单位"}
    assert _state() == before


def test_merge_folds_a_duplicate_and_refuses_another_estate(wo):
    order = submit(wo)
    into = submit(wo, reporter="tenant", description="楼上漏水到我家")
    elsewhere = submit(wo, estate=wo.estate_b, reporter="outsider", location="1号楼101")
    before = _state()
    error = assert_error(
        _post(wo, "street_officer", order, "merge", {"into_id": elsewhere.pk}), 400, "validation_error"
    )
    assert "into" in error["fields"]
    error = assert_error(_post(wo, "property_manager", order, "merge", {"into_id": elsewhere.pk}), 404, "not_found")
    assert "into_id" in error["fields"]
    assert _state() == before
    merged = _post(wo, "property_manager", order, "merge", {"into_id": into.pk}).json()
    assert (merged["status"], merged["merged_into_id"]) == ("cancelled", into.pk)


def test_street_blows_the_whistle_up_the_ladder(wo):
    order = submit(wo)
    levels = [
        _post(wo, "street_officer", order, "escalate", {"reason": "吹哨"}).json()["escalation_level"] for _ in range(3)
    ]
    assert levels == [1, 2, 3]
    before = _state()
    error = assert_error(
        _post(wo, "street_officer", order, "escalate", {"reason": "再吹"}), 409, WorkOrdersError.TOP_RUNG
    )
    assert "部门报到" in error["message"]
    assert _state() == before


def test_token_callers_act_like_their_owner(wo):
    order = submit(wo)
    key = token_for(wo.users["property_manager"])
    response = call(wo.client_for("anonymous"), "POST", f"/work-orders/{order.pk}/accept", {}, **bearer(key))
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
