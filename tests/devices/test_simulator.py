"""The simulator: its traffic is the documented payload (heartbeats, alarms then their clears, duplicates,
a few malformed), and ``simulate_devices`` drives both paths end to end."""

from __future__ import annotations

import datetime as dt
import io
import threading
import uuid
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gongzhi.devices import rules
from gongzhi.devices.ingest import Ingestor
from gongzhi.devices.models import DeadLetter, Device, Event
from gongzhi.devices.mqtt import Broker, IngestWorker
from gongzhi.devices.simulator import Traffic, sim_devices
from tests.devices.conftest import add_devices
from tests.devices.test_mqtt import _broker_up


def test_traffic_is_mostly_valid_heartbeats_with_alarms_clears_duplicates_and_a_few_malformed(dv):
    traffic = Traffic(sim_devices(Device.objects.all()), alarm_ratio=0.05, seed=7)
    start = timezone.now()
    kinds = Counter()
    for i in range(3000):
        out = traffic.next(start + dt.timedelta(seconds=i))
        kinds[out.kind] += 1
        if out.kind == "malformed":
            with pytest.raises(rules.Rejected):
                rules.parse(out.body, start + dt.timedelta(seconds=i))
        else:
            assert rules.parse(out.body, start + dt.timedelta(seconds=i)).device == out.device.code
    assert kinds["heartbeat"] > 2000 and kinds["duplicate"] > 20 and 0 < kinds["malformed"] < 40
    assert kinds["smoke"] > 0 and kinds["smoke_clear"] > 0  # alarms are followed by their clear events
    assert "offline" not in kinds  # the platform raises offline itself


def test_http_mode_needs_consent_to_rotate_secrets(dv):
    with pytest.raises(CommandError, match="--rotate-secrets"):
        call_command("simulate_devices", "--http", "--seconds", "0.1", stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_simulate_over_http_into_the_platform(world, live_server):
    world = add_devices(world)
    out = io.StringIO()
    call_command(
        "simulate_devices", "--http", "--rotate-secrets", "--http-url", live_server.url.replace("localhost", "127.0.0.1"), "--rate", "40",
        "--seconds", "3", "--place", str(world.estate_a.pk), "--malformed-ratio", "0.1", "--seed", "3", stdout=out, stderr=out,
    )  # fmt: skip
    assert "已发送" in out.getvalue(), out.getvalue()
    assert Event.objects.filter(source="http").count() > 10, out.getvalue()  # a loaded machine serves ~10–40 a second
    assert not Event.objects.filter(device=world.smoke_b).exists()  # only estate A's devices
    assert DeadLetter.objects.exists()


@pytest.mark.skipif(not _broker_up(), reason="Mosquitto is not running on 127.0.0.1:1883")
@pytest.mark.django_db(transaction=True)
def test_simulate_over_mqtt_into_a_worker(world):
    world = add_devices(world)
    devices = [world.smoke, world.leak, world.camera]
    worker = IngestWorker(
        broker=Broker(),
        client_id=f"t-sim-{uuid.uuid4().hex[:8]}",
        group=f"t{uuid.uuid4().hex[:8]}",
        topics=tuple(d.topic for d in devices),
        session_expiry=60,
        ingestor=Ingestor(cache_seconds=0),
    )
    worker.start()
    assert worker.subscribed.wait(30)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        call_command(
            "simulate_devices", "--mqtt", "--rate", "200", "--seconds", "1", "--place", str(world.estate_a.pk),
            "--duplicate-ratio", "0.1", "--malformed-ratio", "0.05", "--seed", "5", stdout=io.StringIO(),
        )  # fmt: skip
        import time

        deadline = time.monotonic() + 60  # a generous bound: the loop ends as soon as all arrived
        while worker.stats["received"] < 190 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
        thread.join(10)
        worker.disconnect()
    assert worker.stats["received"] >= 190
    assert worker.stats["duplicates"] > 0 and worker.stats["dead"] > 0
    assert Event.objects.count() == worker.stats["stored"]
