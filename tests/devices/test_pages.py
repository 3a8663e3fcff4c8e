"""Device pages: the wall and its polled tiles, registering a device (credentials shown once), the POST
actions and who may use them; a refused request changes nothing."""

from __future__ import annotations

from gongzhi.core.models import AuditLog
from gongzhi.devices.models import Alarm, Device
from tests.devices.conftest import send


def test_the_wall_shows_active_alarms_most_severe_first_and_polls_its_tiles(dv):
    send(dv.camera, "garbage_overflow")
    send(dv.smoke, "smoke")
    send(dv.smoke_b, "smoke")  # estate B's alarm is not on estate A's wall
    client = dv.client_for("property_manager")
    page = client.get(f"/devices/wall/{dv.estate_a.pk}/").content.decode()
    assert 'hx-trigger="every 3s"' in page
    assert page.index("烟雾报警") < page.index("垃圾满溢")
    assert "乙小区" not in page
    tiles = client.get(f"/devices/wall/{dv.estate_a.pk}/tiles/").content.decode()
    assert tiles.lstrip().startswith('<section id="wall"') and "<html" not in tiles
    street = dv.client_for("street_officer").get(f"/devices/wall/{dv.street.pk}/").content.decode()
    assert street.count('class="tile ') == 3  # the street sees both estates


def test_the_wall_of_a_building_is_not_a_wall(dv):
    assert dv.client_for("street_officer").get(f"/devices/wall/{dv.building_a1.pk}/").status_code == 404


def test_registering_a_device_shows_its_credentials_once(dv):
    client = dv.client_for("property_manager")
    form = {
        "estate_id": dv.estate_a.pk,
        "building_id": dv.building_a2.pk,
        "device_type_id": dv.types["water_leak"].pk,
        "code": "LEAK-NEW-1",
        "name": "2号楼水泵房",
        "location": "地下一层",
    }
    response = client.post("/devices/new/", form)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    device = Device.objects.get(code="LEAK-NEW-1")
    assert "gzd_" in page and device.topic in page
    secret = page.split('data-testid="http-secret">')[1].split("<")[0]
    assert device.http_secret_hash != secret and len(device.http_secret_hash) == 64
    detail = client.get(f"/devices/device/{device.pk}/").content.decode()
    assert secret not in detail


def test_a_device_for_another_companys_estate_or_a_bad_code_is_refused_and_nothing_changes(dv):
    client = dv.client_for("property_manager")
    before = Device.objects.count()
    other = client.post(
        "/devices/new/",
        {"estate_id": dv.estate_b.pk, "device_type_id": dv.types["smoke"].pk, "code": "X-1", "name": "x"},
    )
    assert other.status_code == 400 and "请选择您管理的小区" in other.content.decode()
    bad = client.post(
        "/devices/new/",
        {"estate_id": dv.estate_a.pk, "device_type_id": dv.types["smoke"].pk, "code": "坏 编号", "name": "x"},
    )
    assert bad.status_code == 400 and "设备编号只能包含" in bad.content.decode()
    taken = client.post(
        "/devices/new/",
        {"estate_id": dv.estate_a.pk, "device_type_id": dv.types["smoke"].pk, "code": dv.smoke.code, "name": "x"},
    )
    assert taken.status_code == 400 and "已登记" in taken.content.decode()
    assert Device.objects.count() == before


def test_read_only_roles_may_not_rotate_credentials_stop_a_device_or_close_an_alarm(dv):
    send(dv.camera, "garbage_overflow")
    alarm = Alarm.objects.get()
    secret_hash = Device.objects.get(pk=dv.smoke.pk).http_secret_hash
    audits = AuditLog.objects.count()
    for persona in ("committee_member", "grid_worker", "department_officer"):
        client = dv.client_for(persona)
        assert client.post(f"/devices/device/{dv.smoke.pk}/credentials/").status_code == 403
        assert client.post(f"/devices/device/{dv.smoke.pk}/toggle/").status_code == 403
        assert client.post(f"/devices/alarms/{alarm.pk}/close/", {"note": "x"}).status_code == 403
    for persona in ("property_manager_b", "community_staff_b", "resident"):
        client = dv.client_for(persona)
        assert client.post(f"/devices/device/{dv.smoke.pk}/credentials/").status_code == 404
        assert client.post(f"/devices/alarms/{alarm.pk}/close/", {"note": "x"}).status_code == 404
    assert Device.objects.get(pk=dv.smoke.pk).http_secret_hash == secret_hash
    assert Device.objects.get(pk=dv.smoke.pk).active
    assert Alarm.objects.get().state == "open" and AuditLog.objects.count() == audits


def test_managers_rotate_credentials_stop_a_device_and_close_an_alarm(dv):
    send(dv.camera, "garbage_overflow")
    alarm = Alarm.objects.get()
    client = dv.client_for("community_staff")
    old = Device.objects.get(pk=dv.smoke.pk).http_secret_hash
    assert "gzd_" in client.post(f"/devices/device/{dv.smoke.pk}/credentials/").content.decode()
    assert Device.objects.get(pk=dv.smoke.pk).http_secret_hash != old
    client.post(f"/devices/device/{dv.smoke.pk}/toggle/")
    assert not Device.objects.get(pk=dv.smoke.pk).active
    empty = client.post(f"/devices/alarms/{alarm.pk}/close/", {"note": ""}, follow=True)
    # the page says what the API says for the same value (one schema): the field and its problem
    assert "关闭说明：不能为空" in empty.content.decode() and Alarm.objects.get().state == "open"
    client.post(f"/devices/alarms/{alarm.pk}/close/", {"note": "已清运"})
    assert Alarm.objects.get().state == "closed"


def test_alarm_page_shows_its_events_and_work_order(dv):
    send(dv.smoke, "smoke", message_id="first")
    send(dv.smoke, "smoke", message_id="second")
    alarm = Alarm.objects.get()
    page = dv.client_for("property_manager").get(f"/devices/alarms/{alarm.pk}/").content.decode()
    assert "first" in page and "second" in page and alarm.work_order.number in page


def test_health_filters_offline_and_low_battery(dv):
    send(dv.smoke, battery=12)
    send(dv.leak, battery=80)
    client = dv.client_for("street_officer")
    low = client.get("/devices/list/?health=low_battery").content.decode()
    assert dv.smoke.code in low and dv.leak.code not in low
    offline = client.get("/devices/list/?health=offline").content.decode()
    assert dv.camera.code in offline and dv.smoke.code not in offline


def _queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_wall_and_the_lists_do_not_query_per_row(dv, query_baseline):
    client = dv.client_for("street_officer")
    urls = [f"/devices/wall/{dv.street.pk}/tiles/", "/devices/alarms/", "/devices/list/", "/api/v1/devices/alarms"]
    keys = [
        "page devices:wall_tiles street_officer, the street",
        "page devices:alarm_list street_officer",
        "page devices:device_list street_officer",
        "api GET /devices/alarms street_officer",
    ]
    send(dv.smoke, "smoke")
    before = [_queries(client, url) for url in urls]
    send(dv.leak, "leak")
    send(dv.camera, "garbage_overflow")
    send(dv.smoke_b, "smoke")
    assert [_queries(client, url) for url in urls] == before
    for key, count in zip(keys, before, strict=True):
        query_baseline.check(f"{key}, 1 alarm (4 alarms cost the same)", count)
