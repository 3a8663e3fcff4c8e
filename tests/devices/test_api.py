"""The device API: scoping (estate A's devices and alarms invisible to estate B's staff), read-only roles
refused with 403, credentials shown once, the wall, rules for administrators only."""

from __future__ import annotations

import pytest

from gongzhi.core.models import AuditLog
from gongzhi.devices.errors import DevicesError
from gongzhi.devices.models import Alarm, AlarmRule, Device
from gongzhi.devices.permissions import can_edit_rules, can_manage
from tests.api.conftest import assert_error, call
from tests.devices.conftest import send


def test_devices_of_estate_a_are_invisible_to_estate_b_staff(dv):
    # (the volunteer of building 1 included: the detector is in building 1, but devices are the estate's)
    for persona in ("property_manager_b", "community_staff_b", "resident", "no_role", "volunteer"):
        client = dv.client_for(persona)
        assert_error(call(client, "GET", f"/devices/{dv.smoke.pk}"), 404, "not_found")
        codes = {d["code"] for d in call(client, "GET", "/devices").json()["items"]}
        assert dv.smoke.code not in codes
    mine = {d["code"] for d in call(dv.client_for("property_manager_b"), "GET", "/devices").json()["items"]}
    assert mine == {dv.smoke_b.code}
    street = call(dv.client_for("street_officer"), "GET", "/devices").json()
    assert street["total"] == 4


def test_alarms_of_estate_a_are_invisible_to_estate_b_staff(dv):
    send(dv.smoke, "smoke")
    alarm = Alarm.objects.get()
    for persona in ("property_manager_b", "community_staff_b", "outsider", "volunteer"):
        client = dv.client_for(persona)
        assert_error(call(client, "GET", f"/devices/alarms/{alarm.pk}"), 404, "not_found")
        assert call(client, "GET", "/devices/alarms").json()["total"] == 0
        assert_error(call(client, "GET", f"/devices/walls/{dv.estate_a.pk}"), 404, "not_found")
    body = call(dv.client_for("property_manager"), "GET", f"/devices/alarms/{alarm.pk}").json()
    assert body["severity"] == "critical" and body["work_order_number"].startswith("GZ")
    assert [e["kind"] for e in body["events"]] == ["smoke"]


def test_the_wall_lists_active_alarms_most_severe_first(dv):
    send(dv.camera, "garbage_overflow")
    send(dv.leak, "leak")
    send(dv.smoke, "smoke")
    body = call(dv.client_for("community_staff"), "GET", f"/devices/walls/{dv.community_a.pk}").json()
    assert [a["severity"] for a in body["alarms"]] == ["critical", "high", "normal"]
    assert (body["devices"], body["online"]) == (3, 3)


@pytest.mark.parametrize("persona", ["property_manager", "property_staff"])  # any employee of company A, today
def test_registering_a_device_returns_its_credentials_once(dv, persona):
    client = dv.client_for(persona)
    body = {"estate_id": dv.estate_a.pk, "device_type_id": dv.types["elevator"].pk, "code": "ELV-1", "name": "1号梯"}
    response = call(client, "POST", "/devices", body)
    assert response.status_code == 201
    created = response.json()
    assert created["http_secret"].startswith("gzd_") and created["topic"] == f"gongzhi/{dv.estate_a.pk}/ELV-1/events"
    detail = call(client, "GET", f"/devices/{created['device']['id']}").json()
    assert "http_secret" not in detail and "mqtt_password" not in detail
    again = call(client, "POST", "/devices", body)
    assert_error(again, 409, "device_code_taken")


@pytest.mark.parametrize("persona", ["committee_member", "grid_worker", "party_worker", "rights_unit"])
def test_read_only_roles_get_403_and_change_nothing(dv, persona):
    send(dv.camera, "garbage_overflow")
    alarm = Alarm.objects.get()
    client = dv.client_for(persona)
    audits = AuditLog.objects.count()
    body = {"estate_id": dv.estate_a.pk, "device_type_id": dv.types["smoke"].pk, "code": "NEW-1", "name": "x"}
    # the service's own refusal: the permission's code and its reason, not a generic "无权修改"
    for response in (
        call(client, "POST", "/devices", body),
        call(client, "PATCH", f"/devices/{dv.smoke.pk}", {"name": "改名"}),
        call(client, "POST", f"/devices/{dv.smoke.pk}/credentials"),
        call(client, "POST", f"/devices/alarms/{alarm.pk}/close", {"note": "x"}),
    ):
        assert assert_error(response, 403, can_manage.code)["message"] == can_manage.message
    assert not Device.objects.filter(code="NEW-1").exists()
    assert Device.objects.get(pk=dv.smoke.pk).name == dv.smoke.name
    assert Alarm.objects.get().state == "open" and AuditLog.objects.count() == audits


def test_outsiders_get_404_on_writes_and_change_nothing(dv):
    client = dv.client_for("property_manager_b")
    body = {"estate_id": dv.estate_a.pk, "device_type_id": dv.types["smoke"].pk, "code": "NEW-2", "name": "x"}
    assert_error(call(client, "POST", "/devices", body), 404, "not_found")
    assert_error(call(client, "PATCH", f"/devices/{dv.smoke.pk}", {"active": False}), 404, "not_found")
    assert not Device.objects.filter(code="NEW-2").exists() and Device.objects.get(pk=dv.smoke.pk).active


def test_managers_update_a_device_and_close_an_alarm(dv):
    send(dv.camera, "garbage_overflow")
    alarm = Alarm.objects.get()
    client = dv.client_for("technician")
    updated = call(client, "PATCH", f"/devices/{dv.camera.pk}", {"location": "东门", "building_id": dv.building_a2.pk})
    assert updated.status_code == 200 and updated.json()["building_id"] == dv.building_a2.pk
    wrong = call(client, "PATCH", f"/devices/{dv.camera.pk}", {"building_id": dv.building_b1.pk})
    assert_error(wrong, 404, "not_found")
    closed = call(client, "POST", f"/devices/alarms/{alarm.pk}/close", {"note": "已清运"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert_error(
        call(client, "POST", f"/devices/alarms/{alarm.pk}/close", {"note": "再关"}), 409, DevicesError.ALARM_NOT_OPEN
    )  # a wrong state is a conflict, with its reason


def test_bad_input_names_the_field(dv):
    client = dv.client_for("street_officer")
    response = call(
        client, "POST", "/devices", {"estate_id": dv.estate_a.pk, "device_type_id": 999999, "code": "X", "name": "x"}
    )
    assert assert_error(response, 400, "validation_error")["fields"] == {"device_type_id": "设备类型不存在"}
    response = call(
        client,
        "POST",
        "/devices",
        {"estate_id": dv.estate_a.pk, "device_type_id": dv.types["smoke"].pk, "code": "坏 码", "name": "x"},
    )
    assert "code" in assert_error(response, 400, "validation_error")["fields"]


def test_only_administrators_edit_rules(dv):
    rule = AlarmRule.objects.get(device_type__code="water_leak", event="leak")
    assert_error(
        call(dv.client_for("street_officer"), "PATCH", f"/devices/rules/{rule.pk}", {"fold_minutes": 5}),
        403,
        can_edit_rules.code,
    )
    assert AlarmRule.objects.get(pk=rule.pk).fold_minutes == 30
    response = call(
        dv.client_for("admin"),
        "PATCH",
        f"/devices/rules/{rule.pk}",
        {"fold_minutes": 5, "clear_events": ["leak_clear", "dry"]},
    )
    assert response.status_code == 200 and response.json()["clear_events"] == ["dry", "leak_clear"]
    bad = call(dv.client_for("admin"), "PATCH", f"/devices/rules/{rule.pk}", {"severity": "low"})
    assert "dispatch" in assert_error(bad, 400, "validation_error")["fields"]
    types = call(dv.client_for("grid_worker"), "GET", "/devices/types").json()
    assert {t["code"] for t in types} >= {"smoke", "water_leak", "door_magnet", "elevator", "camera"}


def test_dead_letters_are_seen_by_who_manages_the_estate(dv):
    from gongzhi.devices.ingest import Incoming, Ingestor

    Ingestor(cache_seconds=0).ingest([Incoming(payload=b"oops", topic=dv.smoke.topic)])
    assert call(dv.client_for("property_manager"), "GET", "/devices/dead-letters").json()["total"] == 1
    assert call(dv.client_for("committee_member"), "GET", "/devices/dead-letters").json()["total"] == 0
    assert call(dv.client_for("property_manager_b"), "GET", "/devices/dead-letters").json()["total"] == 0
