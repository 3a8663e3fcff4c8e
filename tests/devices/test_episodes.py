"""Alarm episodes by the events' own time (issue 13 §3): whatever order and however often the messages
arrive, the alarms are the episodes ``rules.episodes`` computes from the set of events, and each
episode has at most one work order — exactly one while it is alarming, and exactly one for every
episode when the messages arrive in time order."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongzhi.devices import rules, services
from gongzhi.devices.choices import AlarmState
from gongzhi.devices.ingest import Incoming, Ingestor
from gongzhi.devices.models import Alarm, AlarmRule, Event
from gongzhi.work_orders import services as wo
from gongzhi.work_orders.models import WorkOrder
from tests.devices.conftest import minutes, send

FOLD = 10  # the smoke rule's window, minutes

events_st = st.lists(
    st.tuples(st.integers(0, 90), st.sampled_from(["smoke", "smoke", "smoke_clear"])), min_size=1, max_size=12
)


def _new_smoke(dv):
    device, _ = services.device_create(
        estate=dv.estate_a,
        device_type=dv.types["smoke"],
        code=f"SMK-P-{uuid.uuid4().hex[:8]}",
        name="性质测试烟感",
        actor=None,
    )
    return device


def _bodies(device, events, base):
    return [
        json.dumps(
            {"device": device.code, "id": f"m{i}", "kind": kind, "at": (base + minutes(offset)).isoformat()}
        ).encode()
        for i, (offset, kind) in enumerate(events)
    ]


def _deliver(device, bodies, order, cuts):
    """Deliver the bodies in ``order`` (indexes, repeats allowed), in batches cut at ``cuts``."""
    ingestor = Ingestor(cache_seconds=0)
    items = [Incoming(payload=bodies[i], topic=device.topic) for i in order]
    edges = sorted({0, len(items), *(c % (len(items) + 1) for c in cuts)})
    start = timezone.now()
    for n, (a, b) in enumerate(zip(edges, edges[1:], strict=False)):
        ingestor.ingest(items[a:b], now=start + dt.timedelta(seconds=n))


def _check(device, events, base):
    triggers = [base + minutes(o) for o, k in events if k == "smoke"]
    clears = [base + minutes(o) for o, k in events if k == "smoke_clear"]
    expected = rules.episodes(triggers, clears, FOLD)
    live = list(Alarm.objects.filter(device=device, merged_into=None).select_related("work_order"))
    got = sorted((a.first_event_at, a.last_event_at, a.count, a.cleared_at) for a in live)
    assert got == [(e.first, e.last, e.count, e.cleared_at) for e in expected]
    assert Event.objects.filter(device=device).count() == len(events)
    orders = [a.work_order for a in live if a.work_order_id]
    assert len({o.pk for o in orders}) == len(orders), "two episodes share an order"
    for alarm in live:
        if alarm.cleared_at is None:
            assert alarm.state == AlarmState.OPEN
            assert alarm.work_order is not None and alarm.work_order.is_open, "an alarming episode without its order"
        else:
            assert alarm.state in (AlarmState.CLEARED, AlarmState.CLOSED)
    # every order the device ever caused is the one order of a live episode, or was merged into one
    caused = WorkOrder.objects.filter(device_alarms__device=device).distinct()
    assert {o.pk for o in caused if o.merged_into_id is None} == {o.pk for o in orders}
    merged_into = {o.pk: o.merged_into_id for o in caused}

    def root(pk):  # a merged order may have been merged into one merged later in turn
        while merged_into.get(pk):
            pk = merged_into[pk]
        return pk

    assert {root(o.pk) for o in caused} <= {o.pk for o in orders}
    return expected, live


@pytest.mark.slow
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(events=events_st, data=st.data())
def test_any_interleaving_with_repeats_makes_the_episodes_of_the_event_times(dv, events, data):
    device = _new_smoke(dv)
    base = timezone.now() - dt.timedelta(days=1)
    bodies = _bodies(device, events, base)
    order = data.draw(st.permutations(range(len(events))))
    order = order + data.draw(st.lists(st.sampled_from(range(len(events))), max_size=4))  # redeliveries
    order = data.draw(st.permutations(order))
    cuts = data.draw(st.lists(st.integers(0, 40), max_size=4))
    _deliver(device, bodies, order, cuts)
    _check(device, events, base)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(events=events_st, data=st.data())
def test_in_time_order_every_episode_has_exactly_one_order(dv, events, data):
    device = _new_smoke(dv)
    base = timezone.now() - dt.timedelta(days=1)
    bodies = _bodies(device, events, base)
    order = sorted(range(len(events)), key=lambda i: (events[i][0], events[i][1] != "smoke", i))
    cuts = data.draw(st.lists(st.integers(0, 40), max_size=3))
    _deliver(device, bodies, order, cuts)
    expected, live = _check(device, events, base)
    assert WorkOrder.objects.filter(device_alarms__device=device).distinct().count() == len(expected)


def test_a_late_repeat_joins_its_own_episode_not_a_new_one(dv):
    t0 = timezone.now() - minutes(120)
    send(dv.smoke, "smoke", at=t0)
    send(dv.smoke, "smoke", at=t0 + minutes(60))  # a second episode
    send(dv.smoke, "smoke", at=t0 + minutes(3))  # late: belongs to the first
    assert Alarm.objects.count() == 2 and WorkOrder.objects.count() == 2
    first = Alarm.objects.get(first_event_at=t0)
    assert (first.count, first.last_event_at) == (2, t0 + minutes(3))


def test_a_late_trigger_of_a_recovered_past_episode_is_recorded_without_dispatching(dv):
    t0 = timezone.now() - minutes(120)
    send(dv.smoke, "smoke_clear", at=t0 + minutes(2))
    send(dv.smoke, "smoke", at=t0)  # arrives after its own recovery
    alarm = Alarm.objects.get()
    assert (alarm.state, alarm.cleared_at, alarm.work_order_id) == (AlarmState.CLOSED, t0 + minutes(2), None)
    assert not WorkOrder.objects.exists()


def test_a_late_event_bridging_two_alarms_merges_them_and_their_orders(dv):
    t0 = timezone.now() - minutes(120)
    send(dv.smoke, "smoke", at=t0)
    send(dv.smoke, "smoke", at=t0 + minutes(16))  # 16 > 10 minutes: a second alarm, a second order
    assert WorkOrder.objects.count() == 2
    send(dv.smoke, "smoke", at=t0 + minutes(8))  # it was one episode all along
    survivor = Alarm.objects.get(merged_into=None)
    merged = Alarm.objects.get(merged_into=survivor)
    assert (survivor.first_event_at, survivor.last_event_at, survivor.count) == (t0, t0 + minutes(16), 3)
    assert survivor.events.count() == 3 and merged.state == AlarmState.CLOSED
    assert WorkOrder.objects.get(pk=merged.work_order_id).merged_into_id == survivor.work_order_id


def test_an_event_from_before_staff_closed_the_alarm_joins_it_and_a_later_one_opens_anew(dv):
    t0 = timezone.now() - minutes(30)
    send(dv.camera, "garbage_overflow", at=t0)
    alarm = Alarm.objects.get()
    services.alarm_close(alarm=alarm, note="已清运", actor=dv.users["technician"])
    send(dv.camera, "garbage_overflow", at=t0 + minutes(1))  # happened before the close: joins, stays closed
    alarm.refresh_from_db()
    assert (alarm.count, alarm.state) == (2, AlarmState.CLOSED) and Alarm.objects.count() == 1
    send(dv.camera, "garbage_overflow")  # after the close: a new alarm
    assert Alarm.objects.count() == 2


def test_a_resolved_order_seals_the_alarm(dv):
    send(dv.leak, "leak", at=timezone.now() - minutes(2))
    alarm = Alarm.objects.get()
    manager = dv.users["property_manager"]
    wo.work_order_accept(work_order=alarm.work_order, actor=manager)
    wo.work_order_arrive(work_order=alarm.work_order, actor=manager)
    wo.work_order_resolve(work_order=alarm.work_order, note="已处理", actor=manager)
    send(dv.leak, "leak")  # leaking again after the repair: a new alarm and a new order
    assert Alarm.objects.count() == 2 and WorkOrder.objects.count() == 2
    assert AlarmRule.objects.get(device_type__code="water_leak", event="leak").fold_minutes == 30
