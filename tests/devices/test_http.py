"""The HTTP ingest endpoint (POST /devices/ingest/): the same payload as MQTT, authenticated by the
device's own secret, which can post only for that device."""

from __future__ import annotations

import json

from django.test import Client

from gongzhi.devices import services
from gongzhi.devices.choices import Source
from gongzhi.devices.models import Alarm, DeadLetter, Event
from gongzhi.work_orders.models import WorkOrder
from tests.devices.conftest import payload

URL = "/devices/ingest/"


def post(body, secret):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    data = body if isinstance(body, bytes) else json.dumps(body)
    return Client().post(URL, data=data, content_type="application/json", **headers)


def test_a_device_posts_an_alarm_with_its_secret(dv):
    response = post(payload(dv.leak, "leak", battery=90), dv.leak_creds.http_secret)
    assert response.status_code == 202
    assert response.json() == {"stored": 1, "duplicates": 0, "refused": []}
    event = Event.objects.get()
    assert (event.source, event.battery) == (Source.HTTP, 90)
    assert Alarm.objects.get().work_order_id == WorkOrder.objects.get().pk


def test_a_list_of_events_and_a_repeat(dv):
    body = [json.loads(payload(dv.smoke, message_id=f"h{i}")) for i in range(3)]
    assert post(body, dv.smoke_creds.http_secret).json() == {"stored": 3, "duplicates": 0, "refused": []}
    assert post(body[:1], dv.smoke_creds.http_secret).json() == {"stored": 0, "duplicates": 1, "refused": []}
    assert Event.objects.count() == 3


def test_a_devices_secret_cannot_post_for_another_device(dv):
    response = post(payload(dv.smoke_b, "smoke"), dv.smoke_creds.http_secret)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert not Event.objects.exists() and not Alarm.objects.exists()
    assert "凭据与设备不符" in DeadLetter.objects.get().reason


def test_no_secret_a_wrong_one_or_an_old_one_is_refused(dv):
    body = payload(dv.smoke, "smoke")
    assert post(body, "").status_code == 401
    assert post(body, "gzd_not-a-secret").status_code == 401
    assert post(body, dv.smoke_creds.mqtt_password).status_code == 401  # the MQTT password is not the HTTP secret
    services.device_rotate_credentials(device=dv.smoke, actor=None)
    assert post(body, dv.smoke_creds.http_secret).status_code == 401
    assert not Event.objects.exists() and not DeadLetter.objects.exists()


def test_a_malformed_body_is_refused_with_the_reason_and_dead_lettered(dv):
    response = post(b"{not json", dv.smoke_creds.http_secret)
    assert response.status_code == 400
    assert "不是合法的 JSON" in response.json()["error"]["message"]
    response = post({"device": dv.smoke.code, "id": "x", "kind": "smoke"}, dv.smoke_creds.http_secret)
    assert response.status_code == 400 and "at（发生时间）" in response.json()["error"]["message"]
    assert DeadLetter.objects.filter(source=Source.HTTP, estate=dv.estate_a).count() == 2
    assert not Event.objects.exists()


def test_too_many_events_at_once_are_refused(dv):
    body = [json.loads(payload(dv.smoke, message_id=f"h{i}")) for i in range(101)]
    assert post(body, dv.smoke_creds.http_secret).status_code == 400
    assert not Event.objects.exists()


def test_only_post_is_accepted(dv):
    assert Client().get(URL).status_code == 405


def _queries_for(body, secret):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = post(body, secret)
    return response, [q["sql"] for q in ctx.captured_queries]


def test_a_batch_costs_the_same_queries_whatever_its_size(dv):
    # Bad rows over HTTP: the presenting device's estate is looked up once, not once per dead letter.
    bad_one, one = _queries_for([{"device": dv.smoke.code, "id": "b0"}], dv.smoke_creds.http_secret)
    bad_many, many = _queries_for(
        [{"device": dv.smoke.code, "id": f"b{i}"} for i in range(30)], dv.smoke_creds.http_secret
    )
    assert (bad_one.status_code, bad_many.status_code) == (400, 400)
    # b0 was sent twice: a dead letter is kept once per device and message id
    assert DeadLetter.objects.filter(source=Source.HTTP, estate=dv.estate_a).count() == 30
    assert len(many) == len(one)
    # A stored alarm event reads the rules once per request (the endpoint keeps no cache).
    response, sql = _queries_for(payload(dv.leak, "leak"), dv.leak_creds.http_secret)
    assert response.status_code == 202 and Alarm.objects.filter(device=dv.leak).count() == 1
    assert sum('FROM "devices_alarmrule"' in q for q in sql) == 1


def test_the_refusal_names_the_mismatch_even_after_another_bad_row(dv):
    body = [{"device": dv.smoke.code, "id": "no-at"}, json.loads(payload(dv.smoke_b, "smoke"))]
    response = post(body, dv.smoke_creds.http_secret)
    assert response.status_code == 403
    assert response.json()["error"]["fields"]["device"].startswith("凭据与设备不符")
    assert not Event.objects.exists() and DeadLetter.objects.count() == 2


def test_a_batch_with_another_devices_event_stores_nothing(dv):
    # a refused request changes nothing: this device's own good event is not stored either
    body = [json.loads(payload(dv.smoke, message_id="own")), json.loads(payload(dv.smoke_b, "smoke"))]
    response = post(body, dv.smoke_creds.http_secret)
    assert response.status_code == 403
    assert not Event.objects.exists() and not Alarm.objects.exists()
    assert [d.reason[:7] for d in DeadLetter.objects.all()] == ["凭据与设备不符"]
