"""The three clocks and the escalation ladder with frozen time: property → committee and community →
street (吹哨) → department (报到), each rung told once."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gongzhi.core.models import Notification
from gongzhi.work_orders import services
from gongzhi.work_orders.models import SlaPolicy, WorkOrderEvent
from tests.work_orders.conftest import MONDAY_10, submit

MINUTE = dt.timedelta(minutes=1)
HOUR = 60 * MINUTE
SECOND = dt.timedelta(seconds=1)


def told(world, persona):
    return Notification.objects.filter(recipient=world.users[persona]).count()


def titles(world, persona):
    return list(Notification.objects.filter(recipient=world.users[persona]).values_list("title", flat=True))


def test_an_unaccepted_order_climbs_every_rung_and_stops_at_the_top(wo):
    order = submit(wo)  # accept within 30 minutes (settings), resolve within 24 h (DOMAIN_RULES.md §G 28)
    assert order.accept_by == MONDAY_10 + 30 * MINUTE

    # at the deadline itself the clock has not run out
    assert services.sweep_overdue(order.accept_by) == 0

    # rung 1: the residents' committee and the 物管会 of the estate
    t1 = order.accept_by + SECOND
    assert services.sweep_overdue(t1) == 1
    assert services.sweep_overdue(t1) == 0  # claimed once
    order.refresh_from_db()
    assert (order.escalation_level, order.escalated_at, order.status) == (1, t1, "submitted")
    assert order.accept_by == t1 + 24 * HOUR  # the rung's own time to answer (settings)
    assert titles(wo, "community_staff") == [f"居委会、业委会（物管会）：{order.number}"]
    assert told(wo, "committee_member") == 1
    assert told(wo, "community_staff_b") == told(wo, "street_officer") == 0

    # rung 2: the street blows the whistle
    t2 = order.accept_by + SECOND
    assert services.sweep_overdue(t2) == 1
    order.refresh_from_db()
    assert order.escalation_level == 2
    assert titles(wo, "street_officer") == [f"街道吹哨：{order.number}"]
    assert told(wo, "department_officer") == 0

    # rung 3: the district's departments report for duty (no department is responsible yet)
    t3 = order.accept_by + SECOND
    assert services.sweep_overdue(t3) == 1
    order.refresh_from_db()
    assert order.escalation_level == 3
    assert order.accept_by == t3 + 3 * 24 * HOUR
    assert titles(wo, "department_officer") == [f"部门报到：{order.number}"]
    assert told(wo, "housing_officer") == 1

    # the top: nothing more to climb
    assert services.sweep_overdue(order.accept_by + 30 * 24 * HOUR) == 0
    events = WorkOrderEvent.objects.filter(order=order, kind="escalated")
    assert [e.data["level"] for e in events] == [1, 2, 3]
    assert all(e.data["automatic"] and e.data["clock"] == "accept_by" for e in events)
    assert events[0].note.startswith("受理超时")
    assert told(wo, "community_staff") == 1 and told(wo, "street_officer") == 1  # each rung told once
    # accepting now is late, although the department's answer time is still running
    wo.clock.move_to(t3 + HOUR)
    services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    order.refresh_from_db()
    assert order.accepted_in_time is False


def test_the_on_site_clock_escalates_an_accepted_order(wo):
    SlaPolicy.objects.create(tier="basic", category=None, accept_minutes=3, arrive_minutes=10)  # the 劲松 tier
    order = submit(wo, category=wo.garbage)
    assert order.accept_by == MONDAY_10 + 3 * MINUTE
    wo.clock.shift(2 * 60)
    services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    order.refresh_from_db()
    assert order.arrive_by == MONDAY_10 + 12 * MINUTE
    assert services.sweep_overdue(order.arrive_by) == 0
    assert services.sweep_overdue(order.arrive_by + SECOND) == 1
    order.refresh_from_db()
    assert order.escalation_level == 1
    assert order.events.last().data["clock"] == "arrive_by"
    assert order.events.last().note.startswith("到场超时")


def test_the_resolve_clock_of_an_emergency_is_two_hours(wo):
    # DOMAIN_RULES.md §G 28: emergencies threatening life or property, 2 hours
    order = submit(wo, priority="emergency", category=wo.garbage)
    assert order.resolve_by == MONDAY_10 + 2 * HOUR
    for step in (services.work_order_accept, services.work_order_arrive):
        step(work_order=order, actor=wo.users["property_manager"])
    assert services.sweep_overdue(MONDAY_10 + 2 * HOUR + SECOND) == 1
    order.refresh_from_db()
    assert (order.status, order.escalation_level) == ("on_site", 1)
    assert order.events.last().data["clock"] == "resolve_by"
    # resolving late is recorded as late
    wo.clock.move_to(MONDAY_10 + 3 * HOUR)
    services.work_order_resolve(work_order=order, note="已清运", actor=wo.users["property_manager"])
    order.refresh_from_db()
    assert order.resolved_in_time is False


def test_general_and_complex_limits(wo):
    general = submit(wo, category=wo.garbage)
    complex_ = submit(wo, category=wo.noise)
    assert general.resolve_by == MONDAY_10 + 7 * 24 * HOUR  # general: 7 days
    assert complex_.resolve_by == MONDAY_10 + 15 * 24 * HOUR  # complex: 15 days


def test_a_working_hours_policy_stops_the_clock_at_night(wo):
    SlaPolicy.objects.create(tier=None, category=wo.garbage.parent, accept_minutes=60, working_hours_only=True)
    wo.clock.move_to(dt.datetime(2026, 11, 27, 17, 0, tzinfo=MONDAY_10.tzinfo))  # a Friday
    order = submit(wo, category=wo.garbage)
    assert order.sla_working_hours is True
    assert order.accept_by == dt.datetime(2026, 11, 30, 9, 0, tzinfo=MONDAY_10.tzinfo)
    # escalations use working time too: rung 1 has 24 working hours (8.5 on Monday, 9 on Tuesday, 6.5 on Wednesday)
    services.sweep_overdue(order.accept_by + SECOND)
    order.refresh_from_db()
    assert order.accept_by == dt.datetime(2026, 12, 2, 15, 0, 1, tzinfo=MONDAY_10.tzinfo)


def test_accepting_in_time_stops_the_accept_clock(wo):
    order = submit(wo)
    wo.clock.shift(29 * 60)
    services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    assert services.sweep_overdue(MONDAY_10 + HOUR) == 0
    order.refresh_from_db()
    assert order.accepted_in_time is True and order.escalation_level == 0


def test_late_acceptance_is_recorded(wo):
    order = submit(wo)
    wo.clock.shift(31 * 60)
    services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    order.refresh_from_db()
    assert order.accepted_in_time is False


def test_the_street_blows_the_whistle_by_hand(wo):
    order = submit(wo)
    with pytest.raises(PermissionDenied):
        services.work_order_escalate(work_order=order, reason="久拖不办", actor=wo.users["committee_member"])
    with pytest.raises(ValidationError, match="请填写升级原因"):
        services.work_order_escalate(work_order=order, reason="", actor=wo.users["street_officer"])
    for expected in (1, 2, 3):
        services.work_order_escalate(work_order=order, reason="群众反映强烈", actor=wo.users["street_officer"])
        order.refresh_from_db()
        assert order.escalation_level == expected
    with pytest.raises(ValidationError, match="已是最高督办层级"):
        services.work_order_escalate(work_order=order, reason="再升", actor=wo.users["street_officer"])
    assert told(wo, "department_officer") == 1
    assert order.events.last().data == {"level": 3, "automatic": False}


def test_rung_three_tells_only_the_responsible_department(wo):
    order = submit(wo)
    services.work_order_transfer(
        work_order=order, reason="市政管线", department=wo.housing, actor=wo.users["property_manager"]
    )
    for _ in range(3):
        order.refresh_from_db()
        services.sweep_overdue(order.accept_by + SECOND)
    order.refresh_from_db()
    assert order.escalation_level == 3
    assert f"部门报到：{order.number}" in titles(wo, "housing_officer")
    assert told(wo, "department_officer") == 0


def test_closed_and_cancelled_orders_are_never_swept(wo):
    order = submit(wo)
    services.work_order_cancel(work_order=order, reason="误报", actor=wo.users["resident"])
    assert services.sweep_overdue(MONDAY_10 + 30 * 24 * HOUR) == 0
