"""Realistic device traffic (设备模拟器) for the demo and the bench: mostly heartbeats with the battery
slowly draining, now and then an alarm (smoke, a leak, a fire door held open, a blocked fire lane …)
followed by its clear event a little later, some redelivered duplicates and a few malformed messages.

Every device keeps its own heartbeat (a little inside its type's interval, so the platform never counts
a simulated device offline while the simulator runs: ``heartbeat_rate`` is the least rate that allows
it), and a message that cannot be delivered — the server still starting, the broker restarting — is
sent again with back-off (``Backoff``, ``HttpSender``) rather than dropped or killing the simulator.
"""

from __future__ import annotations

import datetime as dt
import heapq
import http.client
import json
import random
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from gongzhi.devices.choices import HEARTBEAT, OFFLINE


@dataclass
class SimDevice:
    id: int
    code: str
    topic: str
    alarms: list[tuple[str, list[str]]]  # (event, clear events)
    battery: int = 100
    secret: str = ""
    pending_clear: list[tuple[dt.datetime, str]] = field(default_factory=list)
    heartbeat_seconds: int = 300
    next_beat: dt.datetime | None = None  # None: at once (the simulator just started)


BEAT_EARLY = 0.8  # a device beats at 80 % of its interval: late messages never make it look offline


HEADROOM = 1.25  # room for the alarms, duplicates and malformed messages drawn between heartbeats


def heartbeat_rate(devices: list[SimDevice]) -> float:
    """Messages per second needed to keep every device's heartbeat (the simulator's least rate)."""
    return HEADROOM * sum(1 / (d.heartbeat_seconds * BEAT_EARLY) for d in devices)


@dataclass(frozen=True)
class Outgoing:
    device: SimDevice
    body: bytes
    kind: str  # heartbeat / an alarm event / a clear event / "duplicate" / "malformed"


class Traffic:
    """Draws the next message. Ratios are per message; the rest are heartbeats (or due clear events)."""

    def __init__(
        self,
        devices: list[SimDevice],
        *,
        alarm_ratio: float = 0.01,
        duplicate_ratio: float = 0.02,
        malformed_ratio: float = 0.005,
        seed: int | None = None,
    ) -> None:
        if not devices:
            raise ValueError("没有可模拟的设备")
        self.devices = devices
        self.alarm_ratio = alarm_ratio
        self.duplicate_ratio = duplicate_ratio
        self.malformed_ratio = malformed_ratio
        self.random = random.Random(seed)  # noqa: S311 - simulation, not security
        self.recent: list[Outgoing] = []
        self.by_id = {d.id: d for d in devices}
        self.beats: list[tuple[dt.datetime, int]] = []
        self._start: dt.datetime | None = None

    def _body(self, device: SimDevice, kind: str, now: dt.datetime, data: dict | None = None) -> bytes:
        if self.random.random() < 0.05:
            device.battery = max(0, device.battery - 1)
        payload = {
            "device": device.code,
            "id": uuid.uuid4().hex,
            "kind": kind,
            "at": now.isoformat(timespec="milliseconds"),
            "battery": device.battery,
        }
        if data:
            payload["data"] = data
        return json.dumps(payload, ensure_ascii=False).encode()

    def _due_heartbeat(self, now: dt.datetime) -> SimDevice | None:
        """The device whose heartbeat is most overdue, if any (a heap of (due, id); stale entries — a
        device that sent something else meanwhile — are skipped)."""
        while self.beats:
            due, pk = self.beats[0]
            device = self.by_id[pk]
            if device.next_beat is not None and device.next_beat != due:
                heapq.heapreplace(self.beats, (device.next_beat, pk))
                continue
            return device if due <= now else None
        return None

    def next(self, now: dt.datetime) -> Outgoing:
        out = self._next(now)
        if out.kind not in ("malformed", "duplicate"):  # any message the platform takes in is a sign of life
            out.device.next_beat = now + dt.timedelta(seconds=out.device.heartbeat_seconds * BEAT_EARLY)
        return out

    def _next(self, now: dt.datetime) -> Outgoing:
        if self._start is None:  # every device beats once at the start, then on its own schedule
            self._start = now
            for device in self.devices:
                device.next_beat = device.next_beat or now
            self.beats = [(d.next_beat, d.id) for d in self.devices]
            heapq.heapify(self.beats)
        beat = self._due_heartbeat(now)
        if beat is not None:
            out = Outgoing(beat, self._body(beat, HEARTBEAT, now), HEARTBEAT)
            self._remember(out)
            return out
        device = self.random.choice(self.devices)
        roll = self.random.random()
        if roll < self.malformed_ratio:
            body = self.random.choice(
                [
                    b'{"device": "' + device.code.encode() + b'", "kind": "heartbeat"',  # cut off
                    json.dumps({"device": device.code, "kind": "smoke"}).encode(),  # no id, no time
                    b"\x00\x01binary",
                ]
            )
            return Outgoing(device, body, "malformed")
        if roll < self.malformed_ratio + self.duplicate_ratio and self.recent:
            again = self.random.choice(self.recent)
            return Outgoing(again.device, again.body, "duplicate")
        due = [(at, kind) for at, kind in device.pending_clear if at <= now]
        if due:
            device.pending_clear = [p for p in device.pending_clear if p not in due]
            out = Outgoing(device, self._body(device, due[0][1], now), due[0][1])
        elif roll < self.malformed_ratio + self.duplicate_ratio + self.alarm_ratio and device.alarms:
            event, clears = self.random.choice(device.alarms)
            out = Outgoing(device, self._body(device, event, now, {"simulated": True}), event)
            if clears:
                device.pending_clear.append((now + dt.timedelta(seconds=self.random.randint(20, 120)), clears[0]))
        else:
            out = Outgoing(device, self._body(device, HEARTBEAT, now), HEARTBEAT)
        self._remember(out)
        return out

    def _remember(self, out: Outgoing) -> None:
        self.recent.append(out)
        if len(self.recent) > 200:
            self.recent.pop(0)


def sim_devices(queryset) -> list[SimDevice]:  # noqa: ANN001
    """The devices to simulate with their alarm events (offline is the platform's own, never sent)."""
    out = []
    for device in queryset.select_related("device_type").prefetch_related("device_type__rules"):
        alarms = [(r.event, list(r.clear_events or [])) for r in device.device_type.rules.all() if r.event != OFFLINE]
        out.append(
            SimDevice(
                id=device.pk,
                code=device.code,
                topic=device.topic,
                alarms=alarms,
                heartbeat_seconds=device.device_type.heartbeat_seconds,
            )
        )
    return out


class Backoff:
    """Waits between tries of one delivery: 0.5 s, doubling up to ``cap``, with jitter; ``reset`` after
    a success."""

    def __init__(self, first: float = 0.5, cap: float = 30.0, sleep: Callable[[float], None] = time.sleep) -> None:
        self.first, self.cap, self.sleep = first, cap, sleep
        self.tries = 0
        self.random = random.Random()  # noqa: S311 - jitter, not security

    def delay(self) -> float:
        base = min(self.cap, self.first * 2**self.tries)
        return base * (0.75 + self.random.random() / 2)

    def wait(self) -> float:
        delay = self.delay()
        self.tries += 1
        self.sleep(delay)
        return delay

    def reset(self) -> None:
        self.tries = 0


# A refused message (400, 409) is part of the traffic; a refused secret (401, 403) will not get better.
GIVE_UP_STATUSES = {400, 401, 403, 404, 409, 413, 422}


class HttpSender:
    """Posts each message to /devices/ingest/ until the platform answers: a connection refused or reset, a
    timeout (the server still starting) or a 429/5xx is tried again with back-off, never dropped."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        backoff: Backoff | None = None,
        log: Callable[[str], None] = lambda _m: None,
        max_tries: int | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/devices/ingest/"
        self.timeout = timeout
        self.backoff = backoff or Backoff()
        self.log = log
        self.max_tries = max_tries
        self.retries = 0

    def __call__(self, out: Outgoing) -> int | None:
        """Deliver one message; the HTTP status the platform gave, or None after ``max_tries``."""
        tries = 0
        while True:
            tries += 1
            problem = ""
            request = urllib.request.Request(  # noqa: S310 - the operator's own platform URL
                self.url,
                data=out.body,
                headers={"Content-Type": "application/json", "Authorization": f"Bearer {out.device.secret}"},
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    response.read()
                    self.backoff.reset()
                    return response.status
            except urllib.error.HTTPError as exc:
                if exc.code in GIVE_UP_STATUSES:
                    if exc.code in (401, 403):
                        self.log(f"平台拒绝 {exc.code}：{exc.read()[:200].decode('utf-8', 'replace')}")
                    self.backoff.reset()
                    return exc.code
                problem = f"平台返回 {exc.code}"
            except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException, OSError) as exc:
                problem = f"无法连接 {self.url}：{getattr(exc, 'reason', exc)}"
            if self.max_tries is not None and tries >= self.max_tries:
                return None
            self.retries += 1
            delay = self.backoff.wait()
            self.log(f"{problem}，{delay:.1f} 秒后重试")
