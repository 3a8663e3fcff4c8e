"""The delivery path under faults (issue 13 §1): a Mosquitto of the test's own (Debian's binary, a free
loopback port, persistence on, autosave every second) and two real ingest workers, each with its own
persistent session on the whole topic (no shared subscription: the broker keeps a plain subscription
across a restart, and a worker that never comes back holds nothing hostage — the other has every
message; the (device, message id) key makes the second copy a no-op). A stream of events with smoke
episodes, duplicates and garbage; halfway through, the fault. Then: every event the broker acknowledged
is one event row, one alarm and one work order per episode, each dead letter once.

Skipped where the mosquitto binary is missing; .ci/run installs it from Debian."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.devices.brokerlab import OwnBroker
from gongzhi.devices.ingest import Ingestor
from gongzhi.devices.models import Alarm, DeadLetter, Event
from gongzhi.devices.mqtt import Broker, IngestWorker
from gongzhi.work_orders.models import WorkOrder
from tests.devices.conftest import add_devices
from tests.devices.test_mqtt import Killed, wait_for

pytestmark = [
    pytest.mark.skipif(not OwnBroker.available("mosquitto"), reason="no mosquitto binary"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
]

EPISODES = 6  # smoke episodes, 30 minutes apart (the fold window is 10)


@pytest.fixture
def broker():
    own = OwnBroker("mosquitto").start()
    yield own
    own.close()


class _OneWriterAtATime(Ingestor):
    """SQLite's shared in-memory test database refuses a second writer outright ("table is locked", no
    busy timeout): on SQLite the two workers take turns writing; on PostgreSQL they really race."""

    lock = threading.Lock()

    def ingest(self, items, now=None):
        if connection.vendor != "sqlite":
            return super().ingest(items, now)
        with self.lock:
            return super().ingest(items, now)


def _worker(broker, devices, name):
    worker = IngestWorker(
        broker=Broker(port=broker.port),
        client_id=f"t-{name}-{uuid.uuid4().hex[:6]}",
        group="",  # plain persistent sessions: the arrangement chosen (README, 设备接入的可靠性)
        topics=tuple(f"gongzhi/+/{d.code}/events" for d in devices),
        max_batch=50,
        flush_ms=20,
        session_expiry=600,
        ingestor=_OneWriterAtATime(cache_seconds=0),
    )
    worker.start()
    assert worker.subscribed.wait(30)

    def run():
        with contextlib.suppress(Killed):  # the test kills the worker on purpose: its thread just ends
            worker.run()

    worker.thread = threading.Thread(target=run, daemon=True)
    worker.thread.start()
    return worker


def _stream(world):
    """(device, body) pairs: heartbeats, EPISODES smoke episodes of 3 repeats each, 10 % sent twice,
    and two garbage messages each sent twice."""
    base = timezone.now() - dt.timedelta(hours=5)
    out = []
    for i in range(240):
        device = (world.smoke, world.leak, world.camera)[i % 3]
        at = base + dt.timedelta(seconds=30 * i)
        out.append((device, {"device": device.code, "id": f"hb-{i}", "kind": "heartbeat", "at": at.isoformat()}))
    for e in range(EPISODES):
        for r in range(3):
            at = base + dt.timedelta(minutes=30 * e + 2 * r)
            body = {"device": world.smoke.code, "id": f"smoke-{e}-{r}", "kind": "smoke", "at": at.isoformat()}
            out.insert(40 * e + 7 * r, (world.smoke, body))
    out = [(d, json.dumps(b).encode()) for d, b in out]
    out += [out[i] for i in range(0, len(out), 10)]  # redelivered by the device
    garbage = [(world.smoke, b"not json at all"), (world.leak, b'{"device": "x"')]
    return out + garbage + garbage


class _Publisher:
    """Publishes at QoS 1 and records which messages the broker acknowledged (PUBACK). No lock is held
    around ``publish``: paho calls ``on_publish`` holding its own lock, so that would deadlock."""

    def __init__(self, port):
        self.sent: list[tuple[int, bytes]] = []
        self.acked_mids: set[int] = set()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"t-dev-{uuid.uuid4().hex[:6]}", protocol=mqtt.MQTTv5
        )
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        self.client.max_queued_messages_set(0)
        self.client.on_publish = self._on_publish
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _on_publish(self, client, userdata, mid, reason, properties):
        if not reason.is_failure:
            self.acked_mids.add(mid)

    def send(self, device, body):
        self.sent.append((self.client.publish(device.topic, body, qos=1).mid, body))  # < 65,535: mids unique

    @property
    def pending(self) -> int:
        return len({mid for mid, _ in self.sent} - self.acked_mids)

    @property
    def acked(self) -> set[bytes]:
        return {body for mid, body in self.sent if mid in self.acked_mids}

    def close(self):
        self.client.loop_stop()


def _count_stored(acked: set[bytes]) -> tuple[int, int]:
    """(acknowledged valid events missing from the database, event rows beyond one per message)."""
    ids = set()
    for body in acked:
        try:
            ids.add(json.loads(body)["id"])
        except (ValueError, KeyError):
            continue
    stored = list(Event.objects.values_list("message_id", flat=True))
    return len(ids - set(stored)), len(stored) - len(set(stored))


KILL_LOSES = pytest.mark.xfail(
    reason="Mosquitto 2.0 persists by snapshot (autosave every second here): a kill -9 loses what it had "
    "acknowledged but neither delivered nor saved (measured 3 of 260). See README, 设备接入的可靠性.",
    strict=False,
)


@pytest.mark.parametrize("fault", ["broker_restart", pytest.param("broker_kill", marks=KILL_LOSES), "worker_gone"])
def test_no_acknowledged_event_is_lost_or_doubled_and_each_episode_has_one_order(world, broker, fault):
    world = add_devices(world)
    devices = [world.smoke, world.leak, world.camera]
    workers = [_worker(broker, devices, "a"), _worker(broker, devices, "b")]
    publisher = _Publisher(broker.port)
    stream = _stream(world)
    try:
        for n, (device, body) in enumerate(stream):
            if n == len(stream) // 2:
                if fault == "worker_gone":
                    workers[1].crash()  # for good: it never comes back
                else:
                    threading.Thread(
                        target=broker.restart, kwargs={"kill": fault == "broker_kill", "down_seconds": 2.0}, daemon=True
                    ).start()
            publisher.send(device, body)
            time.sleep(0.005)
        assert wait_for(lambda: not publisher.pending, 60), f"{publisher.pending} never acknowledged"
        assert wait_for(lambda: _count_stored(publisher.acked)[0] == 0, 60), (
            _count_stored(publisher.acked),
            [w.stats for w in workers],
        )
        time.sleep(1)  # anything still in flight lands before counting
    finally:
        publisher.close()
        for w in workers:
            w.stop()
        for w in workers:
            w.thread.join(15)
            if not w.crashed:
                w.disconnect()
    lost, doubled = _count_stored(publisher.acked)
    print(f"\n{fault}: acknowledged {len(publisher.acked)}, lost {lost}, duplicated {doubled}")  # noqa: T201
    assert (lost, doubled) == (0, 0)
    smoke = Alarm.objects.filter(device=world.smoke, rule__event="smoke", merged_into=None)
    assert smoke.count() == EPISODES and all(a.count == 3 for a in smoke)
    assert WorkOrder.objects.filter(device_alarms__device=world.smoke, merged_into=None).distinct().count() == EPISODES
    assert DeadLetter.objects.count() == 2  # each garbage message twice, kept once
