"""Persona × service: each work-orders service refuses, by itself, whoever its permission refuses — with
the permission's code and reason, changing nothing — and lets the others act (tests/authz.py). Then the
order page and the API are shown to ask the same predicates: the page offers exactly the actions the
services allow, and a page POST and an API call answer what ``expected_status`` derives from them.

The escalation rule (decided once in gongzhi/work_orders/permissions.py) is spelled out and tried
through the page and the API: only community and street staff over the estate escalate; the responsible
company may not escalate its own order (before issue 10 the API let a property manager do it while the
page hid the button).
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from gongzhi.accounts import services as account_services
from gongzhi.core.models import AuditLog
from gongzhi.core.scoping import forget_scope, scope_of
from gongzhi.work_orders import services
from gongzhi.work_orders.bridges.hotline12345 import services as hotline_services
from gongzhi.work_orders.bridges.open311.services import open311_client_create
from gongzhi.work_orders.models import Open311Client, RoutingRule, SlaPolicy, WorkOrder, WorkOrderEvent
from gongzhi.work_orders.permissions import (
    can_cancel,
    can_dispatch,
    can_edit_routing,
    can_edit_sla,
    can_escalate,
    can_handle,
    can_import_hotline,
    can_register_open311,
    can_report,
    can_speak_for_reporter,
    can_submit_for,
    can_take_calls,
)
from gongzhi.work_orders.routing import services as sr
from tests.api.conftest import call
from tests.authz import ServiceCase, check_service_case, expected_status
from tests.personas import ALL
from tests.work_orders.conftest import submit
from tests.world import PASSWORD

TABLES = (WorkOrder, WorkOrderEvent, RoutingRule, SlaPolicy, Open311Client)


# --- Making the order each case acts on (inside the case's savepoint) -----------------------------


def _fresh(w, **kwargs) -> WorkOrder:
    w.case_order = submit(w, **kwargs)
    return w.case_order


def _accepted(w) -> WorkOrder:
    order = _fresh(w)
    services.work_order_accept(work_order=order, actor=None)
    return order


def _assigned(w) -> WorkOrder:
    order = _accepted(w)
    services.work_order_assign(work_order=order, assignee=w.users["technician"], actor=None)
    order.refresh_from_db()  # the service changed its own locked copy
    return order


def _on_site(w) -> WorkOrder:
    order = _accepted(w)
    services.work_order_arrive(work_order=order, actor=None)
    return order


def _resolved(w, **kwargs) -> WorkOrder:
    order = _fresh(w, **kwargs)
    services.work_order_accept(work_order=order, actor=None)
    services.work_order_arrive(work_order=order, actor=None)
    services.work_order_resolve(work_order=order, note="已更换水管", actor=None)
    return order


def _pair(w) -> None:
    w.case_into = submit(w, reporter="tenant", description="楼上漏水到我家")
    _fresh(w)


def _rule(w) -> None:
    w.case_rule = sr.routing_rule_create(estate=w.estate_a, category=w.leak, department=w.housing, actor=None)


def _policy(w) -> None:
    w.case_policy = SlaPolicy.objects.create(tier="basic", category=None, accept_minutes=3)


def _csv(w) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["工单编号", "受理时间", "诉求内容", "来电人", "联系电话", "诉求地址/小区", "问题分类", "办理时限"])
    writer.writerow(["KF20261120009", "2026-11-20 09:15", "水管漏水", "张女士", "13800001111", "甲小区1号楼", "跑冒滴漏、管道漏水", ""])  # fmt: skip
    return buffer.getvalue().encode()


def _order(w):
    return (w.case_order,)


CASES = [
    # intake
    ServiceCase(
        "work_order_create",
        can_submit_for,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.work_order_create(
            category=w.leak, estate=w.estate_a, description="厨房水管漏水", location="1号楼", actor=u
        ),
        tables=TABLES,
    ),
    ServiceCase(
        "work_order_submit (resident app)",
        can_report,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.work_order_submit(
            channel="resident_app", category=w.leak, estate=w.estate_a, description="漏水", reporter=u, actor=u
        ),
        tables=TABLES,
    ),
    ServiceCase(
        "work_order_submit (a call taken)",
        can_take_calls,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: services.work_order_submit(
            channel="hotline", category=w.leak, estate=w.estate_a, description="来电：漏水", actor=u
        ),
        tables=TABLES,
    ),
    # the lifecycle
    ServiceCase(
        "work_order_accept",
        can_handle,
        objects=_order,
        call=lambda w, u: services.work_order_accept(work_order=w.case_order, actor=u),
        tables=TABLES,
        setup=_fresh,
    ),
    ServiceCase(
        "work_order_assign",
        can_dispatch,
        objects=_order,
        call=lambda w, u: services.work_order_assign(work_order=w.case_order, assignee=w.users["technician"], actor=u),
        tables=TABLES,
        setup=_accepted,
    ),
    ServiceCase(
        "work_order_arrive",
        can_handle,
        objects=_order,
        call=lambda w, u: services.work_order_arrive(work_order=w.case_order, actor=u),
        tables=TABLES,
        setup=_accepted,
    ),
    ServiceCase(
        "work_order_resolve",
        can_handle,
        objects=_order,
        call=lambda w, u: services.work_order_resolve(work_order=w.case_order, note="已修好", actor=u),
        tables=TABLES,
        setup=_on_site,
    ),
    ServiceCase(
        "work_order_transfer",
        can_dispatch,
        objects=_order,
        call=lambda w, u: services.work_order_transfer(
            work_order=w.case_order, reason="属于房屋安全", department=w.housing, actor=u
        ),
        tables=TABLES,
        setup=_fresh,
    ),
    ServiceCase(
        "work_order_transfer (the order given to the technician)",
        can_dispatch,
        objects=_order,
        call=lambda w, u: services.work_order_transfer(
            work_order=w.case_order, reason="属于房屋安全", department=w.housing, actor=u
        ),
        tables=TABLES,
        setup=lambda w: _assigned(w),
    ),
    ServiceCase(
        "work_order_merge",
        can_dispatch,
        objects=_order,
        call=lambda w, u: services.work_order_merge(work_order=w.case_order, into=w.case_into, actor=u),
        tables=TABLES,
        setup=_pair,
    ),
    ServiceCase(
        "work_order_escalate",
        can_escalate,
        objects=_order,
        call=lambda w, u: services.work_order_escalate(work_order=w.case_order, reason="群众反映强烈", actor=u),
        tables=TABLES,
        setup=_fresh,
    ),
    ServiceCase(
        "work_order_confirm",
        can_speak_for_reporter,
        objects=_order,
        call=lambda w, u: services.work_order_confirm(work_order=w.case_order, rating=5, actor=u),
        tables=TABLES,
        setup=_resolved,
    ),
    ServiceCase(
        "work_order_confirm (a call without an account: 回访)",
        can_speak_for_reporter,
        objects=_order,
        call=lambda w, u: services.work_order_confirm(work_order=w.case_order, rating=4, actor=u),
        tables=TABLES,
        setup=lambda w: _resolved(w, channel="hotline", reporter=None, reporter_name="张大爷"),
    ),
    ServiceCase(
        "work_order_reopen",
        can_speak_for_reporter,
        objects=_order,
        call=lambda w, u: services.work_order_reopen(work_order=w.case_order, reason="又漏了", actor=u),
        tables=TABLES,
        setup=_resolved,
    ),
    ServiceCase(
        "work_order_cancel",
        can_cancel,
        objects=_order,
        call=lambda w, u: services.work_order_cancel(work_order=w.case_order, reason="不需要了", actor=u),
        tables=TABLES,
        setup=_fresh,
    ),
    # the routing table and the time limits
    ServiceCase(
        "routing_rule_create",
        can_edit_routing,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: sr.routing_rule_create(estate=w.estate_a, category=w.noise, company=w.company_a, actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "routing_rule_update",
        can_edit_routing,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: sr.routing_rule_update(rule=w.case_rule, company=w.company_a, actor=u),
        tables=TABLES,
        setup=_rule,
    ),
    ServiceCase(
        "routing_rule_deactivate",
        can_edit_routing,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: sr.routing_rule_deactivate(rule=w.case_rule, actor=u),
        tables=TABLES,
        setup=_rule,
    ),
    ServiceCase(
        "sla_policy_create",
        can_edit_sla,
        objects=lambda w: (),
        call=lambda w, u: sr.sla_policy_create(tier="livable", category=None, accept_minutes=5, actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "sla_policy_update",
        can_edit_sla,
        objects=lambda w: (),
        call=lambda w, u: sr.sla_policy_update(policy=w.case_policy, accept_minutes=5, actor=u),
        tables=TABLES,
        setup=_policy,
    ),
    ServiceCase(
        "sla_policy_delete",
        can_edit_sla,
        objects=lambda w: (),
        call=lambda w, u: sr.sla_policy_delete(policy=w.case_policy, actor=u),
        tables=TABLES,
        setup=_policy,
    ),
    # 12345 and Open311
    ServiceCase(
        "hotline_import",
        can_import_hotline,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: hotline_services.hotline_import(
            content=_csv(w), file_name="12345.csv", estate=w.estate_a, actor=u
        ),
        tables=TABLES,
    ),
    ServiceCase(
        "hotline_feedback_export",
        can_import_hotline,
        objects=lambda w: (),
        call=lambda w, u: hotline_services.hotline_feedback_export(actor=u),
        tables=TABLES,
    ),
    ServiceCase(
        "open311_client_create",
        can_register_open311,
        objects=lambda w: (w.estate_a,),
        call=lambda w, u: open311_client_create(
            name="甲小区业主App", place=w.estate_a, user=w.users["property_manager"], actor=u
        ),
        tables=TABLES,
    ),
]


@pytest.fixture
def wp(wo):
    """The work-order world plus a street officer assigned at the district (who may set time limits)."""
    user = account_services.user_create(username="district_officer", password=PASSWORD, actor=None)
    account_services.role_assign(user=user, role="street_officer", place=wo.district, actor=None)
    wo.users["district_officer"] = user
    return wo


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_service_refuses_whom_its_permission_refuses(wp, case):
    outcome = check_service_case(wp, case, sorted(wp.users))
    assert set(ALL) <= set(outcome), "every persona of tests/personas.py is tried"
    assert "allowed" in outcome.values(), "someone must be able to act"
    assert "refused" in outcome.values(), "and someone must not"


def _allowed(world, name: str) -> list[str]:
    case = next(c for c in CASES if c.name == name)
    return sorted(p for p, o in check_service_case(world, case, sorted(world.users)).items() if o == "allowed")


def test_who_handles_and_who_escalates_estate_a_orders(wp):
    """The decisions spelled out. Handling: the responsible company's manager and staff (the world's
    property_staff and the technician) and the supervisors over the estate. Escalating: the supervisors
    only — the responsible company never escalates its own order, the other estate's staff cannot."""
    supervisors = ["admin", "community_staff", "district_officer", "street_officer"]
    company_a = ["property_manager", "property_staff", "technician"]
    assert _allowed(wp, "work_order_accept") == sorted([*supervisors, *company_a])
    assert _allowed(wp, "work_order_escalate") == supervisors
    # the technician an order is given to arrives and resolves; passing it on is the dispatcher's call
    assert _allowed(wp, "work_order_transfer (the order given to the technician)") == sorted(
        [*supervisors, "property_manager", "property_staff"]
    )
    assert _allowed(wp, "work_order_create") == sorted([*supervisors, *company_a, "resident", "tenant"])
    assert _allowed(wp, "sla_policy_create") == ["admin", "district_officer"]


# --- The order page and the API ask the same predicates ---------------------------------------------

# (action, permission, make the order ready, page form, API body)
ACTIONS = [
    ("accept", can_handle, _fresh, {}, {}),
    ("assign", can_dispatch, _accepted, "assign", "assign"),
    ("arrive", can_handle, _accepted, {}, {}),
    ("resolve", can_handle, _on_site, {"note": "已修好"}, {"note": "已修好"}),
    ("transfer", can_dispatch, _fresh, "transfer", "transfer"),
    ("transfer", can_dispatch, _assigned, "transfer", "transfer"),
    ("merge", can_dispatch, _pair, "merge", "merge"),
    ("escalate", can_escalate, _fresh, {"reason": "久拖不办"}, {"reason": "久拖不办"}),
    ("confirm", can_speak_for_reporter, _resolved, {"rating": "5"}, {"rating": 5}),
    ("reopen", can_speak_for_reporter, _resolved, {"reason": "又漏了"}, {"reason": "又漏了"}),
    ("cancel", can_cancel, _fresh, {"reason": "不需要了"}, {"reason": "不需要了"}),
]


def _page_body(w, body):
    if body == "assign":
        return {"assignee": w.users["technician"].pk}
    if body == "transfer":
        return {"target": f"department-{w.housing.pk}", "reason": "属于房屋安全"}
    if body == "merge":
        return {"into": w.case_into.number, "note": ""}
    return body


def _api_body(w, body):
    if body == "assign":
        return {"assignee_id": w.users["technician"].pk}
    if body == "transfer":
        return {"department_id": w.housing.pk, "reason": "属于房屋安全"}
    if body == "merge":
        return {"into_id": w.case_into.pk}
    return body


def _snapshot(order: WorkOrder):
    return list(WorkOrder.objects.filter(pk=order.pk).values())


def _try_everyone(world, action, permission, ready, send):
    """For every persona, on a fresh order: the answer is what the predicate says, and a refusal
    changes nothing."""
    from django.db import transaction

    for persona in sorted(world.users):
        user = world.users[persona]
        forget_scope(user)
        sid = transaction.savepoint()
        try:
            ready(world)
            order = world.case_order
            visible = WorkOrder.objects.visible_to(user).filter(pk=order.pk).exists()
            expected = expected_status(user, visible, permission, order, ok=0)
            before = (_snapshot(order), AuditLog.objects.count())
            status = send(persona, order)
            if expected == 0:
                assert status in (200, 302), (action, persona, status)
                assert _snapshot(order) != before[0], (action, persona, "allowed but nothing happened")
            else:
                assert status == expected, (action, persona, status, expected)
                assert (_snapshot(order), AuditLog.objects.count()) == before, (action, persona)
        finally:
            transaction.savepoint_rollback(sid)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: f"{a[0]}-{a[2].__name__}")
def test_the_page_answers_what_the_permission_says(wo, action):
    name, permission, ready, body, _ = action

    def send(persona, order):
        response = wo.client_for(persona).post(reverse(f"work_orders:{name}", args=[order.pk]), _page_body(wo, body))
        if response.status_code == 403:
            assert permission.message in response.content.decode(), "the 403 page gives the permission's reason"
        return response.status_code

    _try_everyone(wo, name, permission, ready, send)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: f"{a[0]}-{a[2].__name__}")
def test_the_api_answers_what_the_permission_says(wo, action):
    name, permission, ready, _, body = action

    def send(persona, order):
        response = call(wo.client_for(persona), "POST", f"/work-orders/{order.pk}/{name}", _api_body(wo, body))
        if response.status_code == 403:
            error = response.json()["error"]
            assert (error["code"], error["message"]) == (permission.code, permission.message)
        return response.status_code

    _try_everyone(wo, name, permission, ready, send)


PAGE_ACTIONS = {
    "accept": (can_handle, "can_accept"),
    "escalate": (can_escalate, "can_escalate"),
    "cancel": (can_cancel, "can_cancel"),
    "transfer": (can_dispatch, "can_transfer"),
    "arrive": (can_handle, "can_arrive"),
    "assign": (can_dispatch, "can_assign"),
}


@pytest.mark.parametrize("ready", [_fresh, _assigned], ids=lambda f: f.__name__)
@pytest.mark.parametrize("persona", sorted(set(ALL) | {"technician", "housing_officer"}))
def test_the_order_page_offers_exactly_what_the_services_allow(wo, persona, ready):
    """A button shows iff the permission allows it and the model's guard does: the page never offers an
    act the service refuses, and never hides one it allows."""
    order = ready(wo)
    order.refresh_from_db()
    user = wo.users[persona]
    response = wo.client_for(persona).get(reverse("work_orders:detail", args=[order.pk]))
    if response.status_code == 404:
        assert not WorkOrder.objects.visible_to(user).filter(pk=order.pk).exists()
        return
    html = response.content.decode()
    for name, (permission, guard) in PAGE_ACTIONS.items():
        expected = permission(scope_of(user), order) and getattr(order, guard)()
        shown = reverse(f"work_orders:{name}", args=[order.pk]) in html
        assert shown == expected, (persona, name, shown)


# --- The escalation rule, through the page and the API --------------------------------------------


def test_the_responsible_company_may_not_escalate_its_own_order_anywhere(wo):
    order = submit(wo)
    manager = wo.client_for("property_manager")
    # the page does not offer it …
    assert (
        reverse("work_orders:escalate", args=[order.pk])
        not in manager.get(reverse("work_orders:detail", args=[order.pk])).content.decode()
    )
    # … the page refuses it with the rule's reason …
    response = manager.post(reverse("work_orders:escalate", args=[order.pk]), {"reason": "请求支援"})
    assert response.status_code == 403 and can_escalate.message in response.content.decode()
    # … and so does the API (it used to escalate)
    response = call(manager, "POST", f"/work-orders/{order.pk}/escalate", {"reason": "请求支援"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "work_orders.escalate"
    order.refresh_from_db()
    assert order.escalation_level == 0
    # the community staff over the estate escalate, on the page and through the API alike
    wo.client_for("community_staff").post(reverse("work_orders:escalate", args=[order.pk]), {"reason": "督办"})
    assert (
        call(wo.client_for("street_officer"), "POST", f"/work-orders/{order.pk}/escalate", {"reason": "吹哨"}).json()[
            "escalation_level"
        ]
        == 2
    )


def test_a_clock_that_runs_out_still_escalates_by_itself(wo):
    """The responsible body does not escalate by hand; the sweep does when its clock runs out."""
    order = submit(wo)
    wo.clock.shift(dt.timedelta(hours=2))
    assert services.sweep_overdue() == 1
    order.refresh_from_db()
    assert order.escalation_level == 1
