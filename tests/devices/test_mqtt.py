"""End to end against the real Mosquitto on 127.0.0.1:1883 (skipped when it is not running; .ci/run
starts it): publish → alarm → work order → notification, redelivery, a worker dying mid-stream, dead
letters, two workers sharing one subscription.

Each test uses its own devices (unique codes), its own share group, client ids and topic filters, so
parallel test workers do not see each other's messages. The workers run in threads with their own
database connections, so these tests commit for real (transactional)."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from django.db import OperationalError

from gongzhi.core.models import Notification
from gongzhi.devices.ingest import Ingestor
from gongzhi.devices.models import Alarm, DeadLetter, Event
from gongzhi.devices.mqtt import Broker, IngestWorker
from gongzhi.work_orders.models import WorkOrder
from tests.devices.conftest import add_devices, payload


def _broker_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 1883), timeout=1):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.skipif(not _broker_up(), reason="Mosquitto is not running on 127.0.0.1:1883"),
    pytest.mark.django_db(transaction=True),
]
BROKER = Broker()


class Publisher:
    def __init__(self) -> None:
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"t-pub-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv5
        )
        self.client.max_inflight_messages_set(1000)
        self.client.connect(BROKER.host, BROKER.port)
        self.client.loop_start()

    def send(self, device, body: bytes) -> None:
        self.client.publish(device.topic, body, qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def world(world):
    return add_devices(world)


@pytest.fixture
def publisher():
    p = Publisher()
    yield p
    p.close()


def start_worker(world, *, client_id=None, group=None, ingestor=None, max_batch=50, flush_ms=20):
    devices = [world.smoke, world.leak, world.camera]
    worker = IngestWorker(
        broker=BROKER,
        client_id=client_id or f"t-ingest-{uuid.uuid4().hex[:8]}",
        group=group or f"t{uuid.uuid4().hex[:8]}",
        topics=tuple(f"gongzhi/+/{d.code}/events" for d in devices),
        max_batch=max_batch,
        flush_ms=flush_ms,
        session_expiry=120,
        ingestor=ingestor or Ingestor(cache_seconds=0),
    )
    worker.start()
    assert worker.subscribed.wait(30), "not subscribed"
    thread = threading.Thread(target=_run, args=(worker,), daemon=True)
    thread.start()
    worker.thread = thread
    return worker


class Killed(BaseException):
    """The worker's process is gone (raised past the worker's own error handling, like SIGKILL)."""


def _run(worker) -> None:
    try:
        worker.run()
    except Killed:
        pass


def stop(worker) -> None:
    worker.stop()
    worker.thread.join(10)
    worker.disconnect()


def wait_for(predicate, seconds=60.0):
    # A bound, not a timing: generous so that a loaded machine never fails a test; it returns when true.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:  # SQLite's shared in-memory test database locks a table while the worker writes
            pass
        time.sleep(0.05)
    return predicate()


def test_a_published_smoke_alarm_opens_a_work_order_and_tells_the_duty_staff(world, publisher):
    worker = start_worker(world)
    try:
        publisher.send(world.smoke, payload(world.smoke, "smoke", data={"ppm": 400}))
        assert wait_for(lambda: WorkOrder.objects.exists())
    finally:
        stop(worker)
    alarm = Alarm.objects.get()
    assert (alarm.severity, alarm.work_order_id) == ("critical", WorkOrder.objects.get().pk)
    assert Notification.objects.filter(recipient=world.users["property_manager"], title__contains="烟雾报警").exists()
    assert worker.stats["acked"] == 1


def test_a_redelivered_message_makes_no_second_alarm_or_order(world, publisher):
    worker = start_worker(world)
    body = payload(world.smoke, "smoke", message_id="once")
    try:
        publisher.send(world.smoke, body)
        publisher.send(world.smoke, body)  # the device did not get our PUBACK and sent it again
        assert wait_for(lambda: worker.stats["received"] == 2)
    finally:
        stop(worker)
    assert Event.objects.count() == 1 and Alarm.objects.count() == 1 and WorkOrder.objects.count() == 1
    assert (worker.stats["stored"], worker.stats["duplicates"]) == (1, 1)


class DiesOnBatch(Ingestor):
    """Commits ``good`` batches, then the process dies while holding the next one, uncommitted."""

    def __init__(self, good: int) -> None:
        super().__init__(cache_seconds=0)
        self.good = good
        self.worker = None

    def ingest(self, items, now=None):
        if self.good == 0:
            self.worker.crash()
            raise Killed
        self.good -= 1
        return super().ingest(items, now)


def test_restarting_the_worker_mid_stream_loses_no_acknowledged_event(world, publisher):
    client_id = f"t-ingest-{uuid.uuid4().hex[:8]}"
    group = f"t{uuid.uuid4().hex[:8]}"
    dying = DiesOnBatch(good=3)
    first = start_worker(world, client_id=client_id, group=group, ingestor=dying, max_batch=10, flush_ms=5)
    dying.worker = first
    n = 200
    for i in range(n):
        publisher.send(world.smoke, payload(world.smoke, message_id=f"hb-{i}"))
    assert wait_for(lambda: first.crashed)
    first.thread.join(5)
    acked_before = first.stats["acked"]
    stored_before = Event.objects.count()
    assert 0 < acked_before <= stored_before < n  # it died mid-stream, after acknowledging only what it stored
    second = start_worker(world, client_id=client_id, group=group)  # the same persistent session
    try:
        assert wait_for(lambda: Event.objects.count() == n), Event.objects.count()
    finally:
        stop(second)
    ids = set(Event.objects.values_list("message_id", flat=True))
    assert ids == {f"hb-{i}" for i in range(n)}


def test_bad_payloads_land_in_the_dead_letter_table_and_the_worker_goes_on(world, publisher):
    worker = start_worker(world)
    try:
        publisher.send(world.smoke, b"\xff\xfe not json")
        publisher.send(world.smoke, json.dumps({"device": world.smoke.code, "kind": "smoke"}).encode())
        publisher.send(world.smoke, payload(world.leak, "leak"))  # another device's message on this topic
        publisher.send(world.smoke, payload(world.smoke, "heartbeat"))
        assert wait_for(lambda: worker.stats["received"] == 4)
    finally:
        stop(worker)
    reasons = sorted(DeadLetter.objects.values_list("reason", flat=True))
    assert len(reasons) == 3
    assert any("UTF-8" in r or "JSON" in r for r in reasons)
    assert any("id（消息编号）" in r for r in reasons)
    assert any("主题与设备不符" in r for r in reasons)
    assert Event.objects.count() == 1 and not Alarm.objects.exists()
    assert worker.stats["acked"] == 4  # dead letters are committed, so they are acknowledged too


def test_two_workers_sharing_the_subscription_neither_lose_nor_double(world, publisher):
    group = f"t{uuid.uuid4().hex[:8]}"
    a = start_worker(world, group=group)
    b = start_worker(world, group=group)
    n = 400
    try:
        for i in range(n):
            device = (world.smoke, world.leak, world.camera)[i % 3]
            publisher.send(device, payload(device, message_id=f"m-{i}"))
        assert wait_for(lambda: a.stats["received"] + b.stats["received"] >= n)
    finally:
        stop(a)
        stop(b)
    assert Event.objects.count() == n
    assert a.stats["received"] > 0 and b.stats["received"] > 0  # the broker shared the work
    assert a.stats["stored"] + b.stats["stored"] == n and a.stats["duplicates"] + b.stats["duplicates"] == 0


def test_a_killed_worker_process_loses_nothing_when_restarted(world, publisher, tmp_path):
    """The real thing: ``manage.py ingest_devices`` killed with SIGKILL while a stream is flowing, then
    started again with the same client id. Needs a database another process can open (PostgreSQL)."""
    import os
    import signal
    import subprocess
    import sys

    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("another process cannot open the in-memory SQLite test database")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    client_id, group = f"t-proc-{uuid.uuid4().hex[:8]}", f"t{uuid.uuid4().hex[:8]}"
    command = [
        sys.executable, str(settings.BASE_DIR / "manage.py"), "ingest_devices", "--client-id", client_id,
        "--group", group, "--topic", f"gongzhi/+/{world.smoke.code}/events", "--max-batch", "20",
        "--flush-ms", "5", "--session-expiry", "120", "--stats-seconds", "0",
    ]  # fmt: skip

    def launch():
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
        assert process.stdout.readline()  # "接收进程 … 已启动" once connected
        time.sleep(0.5)  # its SUBSCRIBE is processed
        return process

    first = launch()
    # Mosquitto's default max_queued_messages (1000 per session) drops what is published beyond it while a
    # worker is away: production raises it (README); this stream stays under it.
    n = 600
    try:
        for i in range(n):
            publisher.client.publish(world.smoke.topic, payload(world.smoke, message_id=f"k-{i}"), qos=1)
            if i == n // 3:
                assert wait_for(lambda: Event.objects.count() > 0)
                first.send_signal(signal.SIGKILL)
        first.wait(10)
        killed_with = Event.objects.count()
        second = launch()
        try:
            assert wait_for(lambda: Event.objects.count() == n), Event.objects.count()
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert 0 < killed_with < n
    assert set(Event.objects.values_list("message_id", flat=True)) == {f"k-{i}" for i in range(n)}
