"""Ingestion and the alarm rules (DESIGN.md §5.2): de-duplication, fold, clear, dispatch, dead letters."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gongzhi.core.models import Notification
from gongzhi.devices import services
from gongzhi.devices.choices import AlarmState, Source
from gongzhi.devices.ingest import Incoming, Ingestor
from gongzhi.devices.models import Alarm, AlarmRule, DeadLetter, Device, Event
from gongzhi.work_orders import services as wo
from gongzhi.work_orders.choices import Channel, Priority, Status
from gongzhi.work_orders.models import WorkOrder
from tests.devices.conftest import minutes, payload, send


def test_heartbeat_is_stored_and_marks_the_device_seen(dv):
    outcome = send(dv.smoke, battery=76)
    device = Device.objects.get(pk=dv.smoke.pk)
    assert (outcome.stored, outcome.duplicates, outcome.dead) == (1, 0, 0)
    assert device.online and device.battery == 76 and device.last_seen_at is not None
    event = Event.objects.get(device=device)
    assert (event.kind, event.source, event.alarm_id) == ("heartbeat", Source.MQTT, None)
    assert not Alarm.objects.exists()


def test_smoke_opens_a_critical_alarm_a_work_order_with_short_clocks_and_tells_the_duty_staff(dv):
    outcome = send(dv.smoke, "smoke", data={"ppm": 320})
    alarm = Alarm.objects.get()
    order = WorkOrder.objects.get()
    assert outcome.alarms_opened == [alarm.pk] and outcome.work_orders == [order.pk]
    assert (alarm.severity, alarm.state, alarm.count, alarm.work_order_id) == ("critical", "open", 1, order.pk)
    assert (order.channel, order.priority, order.category.code) == (
        Channel.DEVICE,
        Priority.EMERGENCY,
        "facilities-fire",
    )
    assert (order.estate_id, order.building_id, order.external_ref) == (dv.estate_a.pk, dv.building_a1.pk, alarm.number)
    assert order.company_id == dv.company_a.pk
    # the smoke rule's own clocks: accept within 3 minutes, resolve within 60, around the clock
    assert order.accept_by - order.submitted_at == dt.timedelta(minutes=3)
    assert order.resolve_by - order.submitted_at == dt.timedelta(minutes=60)
    assert Event.objects.get(kind="smoke").alarm_id == alarm.pk
    told = set(Notification.objects.filter(title__startswith="【紧急】").values_list("recipient__username", flat=True))
    # company A's manager and employees (the world's property_staff and the technician), community A's staff
    assert told == {"property_manager", "property_staff", "technician", "community_staff"}


def test_a_redelivered_message_changes_nothing(dv):
    ingestor = Ingestor(cache_seconds=0)
    body = payload(dv.smoke, "smoke", message_id="m-1")
    first = ingestor.ingest([Incoming(payload=body, topic=dv.smoke.topic)])
    again = ingestor.ingest(
        [Incoming(payload=body, topic=dv.smoke.topic), Incoming(payload=body, topic=dv.smoke.topic)]
    )
    assert (first.stored, again.stored, again.duplicates) == (1, 0, 2)
    assert Event.objects.count() == 1 and Alarm.objects.count() == 1 and WorkOrder.objects.count() == 1
    assert Alarm.objects.get().count == 1


def test_the_same_message_id_of_another_device_is_another_event(dv):
    send(dv.smoke, message_id="same")
    send(dv.leak, message_id="same")
    assert Event.objects.count() == 2


def test_repeats_within_the_fold_window_join_the_alarm_and_later_ones_open_another(dv):
    t0 = timezone.now() - minutes(60)
    send(dv.smoke, "smoke", at=t0)
    send(dv.smoke, "smoke", at=t0 + minutes(5))
    send(dv.smoke, "smoke", at=t0 + minutes(15))  # 10 minutes after the last: still the same alarm
    alarm = Alarm.objects.get()
    assert (alarm.count, alarm.last_event_at) == (3, t0 + minutes(15))
    assert alarm.events.count() == 3 and WorkOrder.objects.count() == 1
    send(dv.smoke, "smoke", at=t0 + minutes(26))  # 11 minutes later: a new alarm and a new order
    assert Alarm.objects.count() == 2 and WorkOrder.objects.count() == 2


def test_a_clear_event_recovers_a_dispatched_alarm_until_its_order_is_done(dv):
    send(dv.smoke, "smoke")
    send(dv.smoke, "smoke_clear")
    alarm = Alarm.objects.get()
    assert alarm.state == AlarmState.CLEARED and alarm.cleared_at is not None
    assert alarm.events.count() == 2


def test_an_alarm_without_an_order_closes_when_it_clears(dv):
    send(dv.camera, "garbage_overflow")
    alarm = Alarm.objects.get()
    assert (alarm.severity, alarm.work_order_id) == ("normal", None)
    told = Notification.objects.filter(title__startswith="【一般】").values_list("recipient__username", flat=True)
    assert sorted(told) == ["property_manager", "property_staff", "technician"]  # company A's staff, inbox only
    send(dv.camera, "garbage_clear")
    alarm.refresh_from_db()
    assert alarm.state == AlarmState.CLOSED and alarm.close_note == "设备报告已恢复"


def test_closing_the_order_closes_the_alarm_and_reopening_reopens_it(dv):
    send(dv.leak, "leak")
    alarm = Alarm.objects.get()
    order = alarm.work_order
    manager = dv.users["property_manager"]
    wo.work_order_accept(work_order=order, actor=manager)
    wo.work_order_arrive(work_order=order, actor=manager)
    assert Alarm.objects.get().state == AlarmState.OPEN
    wo.work_order_resolve(work_order=order, note="关闭阀门，更换水管", actor=manager)
    alarm.refresh_from_db()
    assert alarm.state == AlarmState.CLOSED and alarm.close_note == "工单已处理完成"
    WorkOrder.objects.filter(pk=order.pk).update(reporter=dv.users["resident"])
    wo.work_order_reopen(work_order=order, reason="还在漏水", actor=dv.users["resident"])
    alarm.refresh_from_db()
    assert alarm.state == AlarmState.OPEN


def test_cancelling_the_order_closes_the_alarm(dv):
    send(dv.smoke, "smoke")
    order = Alarm.objects.get().work_order
    wo.work_order_cancel(work_order=order, reason="误报，现场无烟", actor=dv.users["property_manager"])
    assert Alarm.objects.get().state == AlarmState.CLOSED


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "不是合法的 JSON"),
        (b"", "消息为空"),
        (b"[1, 2]", "应为 JSON 对象"),
        (
            json.dumps({"device": "NOPE-1", "id": "x", "kind": "smoke", "at": "2026-01-01T00:00:00+08:00"}).encode(),
            "未登记的设备",
        ),
    ],
)
def test_malformed_or_unknown_device_messages_go_to_the_dead_letter_table(dv, body, reason):
    good = Incoming(payload=payload(dv.smoke), topic=dv.smoke.topic)
    outcome = Ingestor(cache_seconds=0).ingest([Incoming(payload=body, topic=dv.smoke.topic), good])
    assert (outcome.stored, outcome.dead) == (1, 1)
    letter = DeadLetter.objects.get()
    assert reason in letter.reason and letter.topic == dv.smoke.topic and letter.estate_id == dv.estate_a.pk
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("id", None, "id（消息编号）"),
        ("id", "x" * 65, "id（消息编号）"),
        ("kind", "Smoke!", "kind（事件类型）"),
        ("at", "2026-11-22 10:00", "缺少时区"),
        ("at", "yesterday", "at（发生时间）格式不正确"),
        ("battery", 150, "battery（电量）"),
        ("battery", True, "battery（电量）"),
        ("data", [1], "data（数据）"),
    ],
)
def test_each_bad_field_is_named_in_the_reason(dv, field, value, reason):
    body = json.loads(payload(dv.smoke))
    body[field] = value
    outcome = Ingestor(cache_seconds=0).ingest([Incoming(payload=json.dumps(body).encode(), topic=dv.smoke.topic)])
    assert outcome.dead == 1 and reason in DeadLetter.objects.get().reason and not Event.objects.exists()


def test_a_time_in_the_future_is_refused(dv):
    outcome = send(dv.smoke, at=timezone.now() + dt.timedelta(hours=1))
    assert outcome.dead == 1 and "晚于当前时间" in DeadLetter.objects.get().reason


def test_a_topic_naming_another_device_or_estate_is_refused(dv):
    wrong = Incoming(payload=payload(dv.smoke, "smoke"), topic=dv.leak.topic)
    other_estate = Incoming(
        payload=payload(dv.smoke, "smoke"), topic=f"gongzhi/{dv.estate_b.pk}/{dv.smoke.code}/events"
    )
    outcome = Ingestor(cache_seconds=0).ingest([wrong, other_estate])
    assert outcome.dead == 2 and not Alarm.objects.exists()
    assert set(DeadLetter.objects.values_list("reason", flat=True)) == {
        f"主题与设备不符：{dv.leak.topic}",
        f"主题与设备不符：gongzhi/{dv.estate_b.pk}/{dv.smoke.code}/events",
    }


def test_a_stopped_device_is_refused(dv):
    services.device_update(device=dv.smoke, active=False, actor=None)
    assert send(dv.smoke).dead == 1 and "设备已停用" in DeadLetter.objects.get().reason


def test_missed_heartbeats_mark_the_device_offline_with_one_low_alarm_until_it_reports_again(dv):
    long_ago = timezone.now() - dt.timedelta(minutes=16)  # 3 × 5 minutes missed
    send(dv.smoke, at=long_ago, now=long_ago)
    send(dv.leak)  # reported just now: stays online
    assert services.sweep_offline() == 1
    assert services.sweep_offline() == 0  # a second sweep finds nothing more
    device = Device.objects.get(pk=dv.smoke.pk)
    alarm = Alarm.objects.get()
    assert not device.online and Device.objects.get(pk=dv.leak.pk).online
    assert (alarm.severity, alarm.rule.event, alarm.work_order_id) == ("low", "offline", None)
    assert alarm.events.get().source == Source.SYSTEM
    send(dv.smoke)
    alarm.refresh_from_db()
    assert Device.objects.get(pk=dv.smoke.pk).online and alarm.state == AlarmState.CLOSED


def test_only_administrators_edit_rules_and_a_refusal_changes_nothing(dv):
    rule = AlarmRule.objects.get(device_type__code="smoke", event="smoke")
    with pytest.raises(PermissionDenied):
        services.rule_update(rule=rule, fold_minutes=1, actor=dv.users["street_officer"])
    with pytest.raises(ValidationError):
        services.rule_update(rule=rule, severity="normal", actor=dv.users["admin"])  # would dispatch a normal alarm
    assert AlarmRule.objects.get(pk=rule.pk).fold_minutes == 10
    services.rule_update(rule=rule, fold_minutes=0, actor=dv.users["admin"])
    t0 = timezone.now() - minutes(5)
    send(dv.smoke, "smoke", at=t0)
    send(dv.smoke, "smoke", at=t0 + minutes(1))
    assert Alarm.objects.count() == 2  # a window of 0 never folds


def test_staff_close_an_alarm_without_an_open_order(dv):
    send(dv.camera, "garbage_overflow")
    send(dv.smoke, "smoke")
    garbage, smoke = Alarm.objects.get(rule__event="garbage_overflow"), Alarm.objects.get(rule__event="smoke")
    with pytest.raises(PermissionDenied):
        services.alarm_close(alarm=garbage, note="已清运", actor=dv.users["committee_member"])
    with pytest.raises(ValidationError):
        services.alarm_close(alarm=smoke, note="误报", actor=dv.users["property_manager"])
    assert Alarm.objects.get(pk=smoke.pk).state == AlarmState.OPEN
    services.alarm_close(alarm=garbage, note="已清运", actor=dv.users["technician"])
    assert Alarm.objects.get(pk=garbage.pk).state == AlarmState.CLOSED


def test_an_order_the_work_order_service_refuses_leaves_the_alarm_without_order(dv):
    rule = AlarmRule.objects.get(device_type__code="smoke", event="smoke")
    rule.category.active = False
    rule.category.save(update_fields=["active"])
    outcome = send(dv.smoke, "smoke")
    assert outcome.stored == 1 and Alarm.objects.get().work_order_id is None and not WorkOrder.objects.exists()
    assert WorkOrder.objects.filter(status=Status.SUBMITTED).count() == 0


def test_a_redelivered_bad_message_is_dead_lettered_once(dv):
    """Dead letters once (issue 13 §4): by device and message id, or by the bytes when there is no id."""
    ingestor = Ingestor(cache_seconds=0)
    garbage = Incoming(payload=b"not json", topic=dv.smoke.topic)
    bad_field = json.loads(payload(dv.smoke, message_id="bad-1"))
    bad_field["battery"] = 150
    bad = Incoming(payload=json.dumps(bad_field).encode(), topic=dv.smoke.topic)
    first = ingestor.ingest([garbage, bad, garbage])
    again = ingestor.ingest([garbage, bad])
    assert (first.dead, again.dead) == (3, 2)  # each refusal is reported to its sender…
    assert DeadLetter.objects.count() == 2  # …and kept once
    other = Incoming(payload=b"also not json", topic=dv.smoke.topic)
    ingestor.ingest([other, Incoming(payload=b"not json", topic=dv.leak.topic)])
    assert DeadLetter.objects.count() == 4  # other bytes, or the same bytes on another topic
