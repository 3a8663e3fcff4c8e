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
        "--seconds", "9", "--place", str(world.estate_a.pk), "--malformed-ratio", "0.1", "--seed", "3", stdout=out, stderr=out,
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


# --- the demo's simulator never leaves a false offline wall, and waits for its server (issue 13 §7) ---------


def test_at_the_least_rate_every_simulated_device_beats_within_its_interval(dv):
    from gongzhi.devices.simulator import heartbeat_rate

    sims = sim_devices(Device.objects.all())
    assert {s.heartbeat_seconds for s in sims} >= {120, 300}  # cameras beat faster than smoke detectors
    traffic = Traffic(sims, alarm_ratio=0.05, duplicate_ratio=0.05, malformed_ratio=0.05, seed=1)
    rate = heartbeat_rate(sims)
    start = timezone.now()
    last = {}
    worst = {}
    for i in range(int(4 * 3600 * rate)):  # four hours at the least rate
        now = start + dt.timedelta(seconds=i / rate)
        out = traffic.next(now)
        if out.kind in ("malformed", "duplicate"):
            continue
        code = out.device.code
        if code in last:
            worst[code] = max(worst.get(code, 0), (now - last[code]).total_seconds())
        last[code] = now
    by_code = {s.code: s.heartbeat_seconds for s in sims}
    assert set(worst) == set(by_code)
    assert all(worst[c] <= by_code[c] for c in worst), {c: (worst[c], by_code[c]) for c in worst}


class _Platform:
    """A stand-in for /devices/ingest/ on a loopback port: answers 503 ``failures`` times, then 202."""

    def __init__(self, port: int, failures: int = 0) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        platform = self
        self.failures, self.bodies = failures, []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if platform.failures > 0:
                    platform.failures -= 1
                    self.send_response(503)
                else:
                    platform.bodies.append(body)
                    self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:  # noqa: ANN002
                """The fake platform keeps the test output quiet (no access log lines)."""

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_http_sender_waits_for_a_server_that_is_still_starting(dv):
    from gongzhi.devices.simulator import Backoff, HttpSender

    port = _free_port()
    sims = sim_devices(Device.objects.filter(pk=dv.smoke.pk))
    out = Traffic(sims, seed=1).next(timezone.now())
    log = []
    sender = HttpSender(f"http://127.0.0.1:{port}", timeout=1, backoff=Backoff(first=0.05, cap=0.3), log=log.append)
    platform = {}
    threading.Timer(1.0, lambda: platform.setdefault("p", _Platform(port, failures=2))).start()
    try:
        assert sender(out) == 202  # refused while nothing listens, then 503 twice, then taken in
    finally:
        threading.Timer(0, lambda: None).cancel()
    try:
        assert platform["p"].bodies == [out.body] and sender.retries >= 3
        assert any("无法连接" in m for m in log) and any("503" in m for m in log)
    finally:
        platform["p"].close()
