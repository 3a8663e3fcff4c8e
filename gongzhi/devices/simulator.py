"""Realistic device traffic (设备模拟器) for the demo and the bench: mostly heartbeats with the battery
slowly draining, now and then an alarm (smoke, a leak, a fire door held open, a blocked fire lane …)
followed by its clear event a little later, some redelivered duplicates and a few malformed messages."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
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

    def next(self, now: dt.datetime) -> Outgoing:
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
        self.recent.append(out)
        if len(self.recent) > 200:
            self.recent.pop(0)
        return out


def sim_devices(queryset) -> list[SimDevice]:  # noqa: ANN001
    """The devices to simulate with their alarm events (offline is the platform's own, never sent)."""
    out = []
    for device in queryset.select_related("device_type").prefetch_related("device_type__rules"):
        alarms = [(r.event, list(r.clear_events or [])) for r in device.device_type.rules.all() if r.event != OFFLINE]
        out.append(SimDevice(id=device.pk, code=device.code, topic=device.topic, alarms=alarms))
    return out
