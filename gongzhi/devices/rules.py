"""Pure rules of device ingestion (no database, no Django): the topic, the one JSON payload format,
the fold window.

The payload (one JSON object per MQTT message or HTTP request; HTTP also takes a list)::

    {"device": "SMK-0001", "id": "7f3c…", "kind": "smoke", "at": "2026-11-22T10:15:00+08:00",
     "battery": 87, "data": {"ppm": 310}}

``device`` the device's code; ``id`` the message id, unique per device (a redelivery repeats it);
``kind`` the event type (``heartbeat``, ``smoke``, ``smoke_clear`` …, see the device type's rules);
``at`` when it happened, ISO 8601 with a time zone; ``battery`` 0–100, optional; ``data`` an object,
optional. Other keys are ignored. The MQTT topic is ``gongzhi/<estate id>/<device code>/events``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
KIND_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MAX_PAYLOAD_BYTES = 16 * 1024
MAX_DATA_CHARS = 4096
MAX_MESSAGE_ID = 64
FUTURE_TOLERANCE = dt.timedelta(minutes=5)  # device clocks drift; beyond this "at" is refused
TOPIC_PREFIX = "gongzhi"


class Rejected(ValueError):
    """A message that cannot be taken in; ``reason`` is kept in the dead-letter table (Chinese)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Message:
    device: str
    message_id: str
    kind: str
    at: dt.datetime
    battery: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def topic_for(estate_id: int, device_code: str) -> str:
    return f"{TOPIC_PREFIX}/{estate_id}/{device_code}/events"


def parse_topic(topic: str) -> tuple[int, str]:
    """(estate id, device code) of ``gongzhi/<estate>/<device>/events``."""
    parts = topic.split("/")
    if len(parts) != 4 or parts[0] != TOPIC_PREFIX or parts[3] != "events":
        raise Rejected(f"主题格式不正确：{topic[:100]}，应为 gongzhi/<小区编号>/<设备编号>/events")
    if not parts[1].isdigit() or not CODE_RE.match(parts[2]):
        raise Rejected(f"主题中的小区编号或设备编号不正确：{topic[:100]}")
    return int(parts[1]), parts[2]


def decode(raw: bytes | str) -> Any:
    """The JSON value of a raw payload."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogatepass")
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise Rejected(f"消息过大：{len(raw)} 字节，最多 {MAX_PAYLOAD_BYTES} 字节")
    if not raw.strip():
        raise Rejected("消息为空")
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise Rejected("消息不是 UTF-8 编码") from exc
    except ValueError as exc:
        raise Rejected(f"消息不是合法的 JSON：{str(exc)[:80]}") from exc


def _at(value: Any, now: dt.datetime) -> dt.datetime:
    if not isinstance(value, str):
        raise Rejected("at（发生时间）应为带时区的 ISO 8601 时间，如 2026-11-22T10:15:00+08:00")
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Rejected(f"at（发生时间）格式不正确：{value[:40]}") from exc
    if at.tzinfo is None or at.utcoffset() is None:
        raise Rejected("at（发生时间）缺少时区，如 +08:00")
    if at > now + FUTURE_TOLERANCE:
        raise Rejected(f"at（发生时间）晚于当前时间：{value[:40]}")
    return at


def validate(value: Any, now: dt.datetime) -> Message:
    """One payload object as a Message, or Rejected naming the field that is wrong."""
    if not isinstance(value, dict):
        raise Rejected("消息应为 JSON 对象")
    device = value.get("device")
    if not isinstance(device, str) or not CODE_RE.match(device):
        raise Rejected("device（设备编号）缺失或格式不正确")
    message_id = value.get("id")
    if isinstance(message_id, int) and not isinstance(message_id, bool):
        message_id = str(message_id)
    if not isinstance(message_id, str) or not message_id.strip() or len(message_id) > MAX_MESSAGE_ID:
        raise Rejected(f"id（消息编号）缺失或超过 {MAX_MESSAGE_ID} 个字符")
    if not message_id.isprintable():
        raise Rejected("id（消息编号）含有不可打印字符")
    kind = value.get("kind")
    if not isinstance(kind, str) or not KIND_RE.match(kind):
        raise Rejected("kind（事件类型）缺失或格式不正确，应为小写字母、数字和下划线")
    at = _at(value.get("at"), now)
    battery = value.get("battery")
    if battery is not None and (isinstance(battery, bool) or not isinstance(battery, int) or not 0 <= battery <= 100):
        raise Rejected("battery（电量）应为 0 到 100 的整数")
    data = value.get("data", {})
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Rejected("data（数据）应为 JSON 对象")
    if data:
        text = json.dumps(data, ensure_ascii=False)
        if len(text) > MAX_DATA_CHARS:
            raise Rejected(f"data（数据）过大，最多 {MAX_DATA_CHARS} 个字符")
        if "\x00" in text or "\\u0000" in text:  # PostgreSQL cannot store NUL in text or jsonb
            raise Rejected("data（数据）含有空字符")
    return Message(device=device, message_id=message_id, kind=kind, at=at, battery=battery, data=data)


def parse(raw: bytes | str, now: dt.datetime) -> Message:
    return validate(decode(raw), now)


def folds(last_event_at: dt.datetime, at: dt.datetime, fold_minutes: int) -> bool:
    """Whether an event at ``at`` joins an alarm last triggered at ``last_event_at`` (合并窗口): within
    the window either side (events may arrive out of order); a window of 0 never folds."""
    if fold_minutes <= 0:
        return False
    return abs(at - last_event_at) <= dt.timedelta(minutes=fold_minutes)


def offline_since(last_seen_at: dt.datetime | None, heartbeat_seconds: int, missed: int, now: dt.datetime) -> bool:
    """Whether a device has missed ``missed`` heartbeats in a row (离线) by ``now``."""
    if last_seen_at is None:
        return False  # never heard from: not installed yet, not offline
    return now - last_seen_at > dt.timedelta(seconds=heartbeat_seconds * missed)


@dataclass(frozen=True)
class Episode:
    """One alarm episode (告警过程) of a device under one rule, decided by the events' own times."""

    first: dt.datetime
    last: dt.datetime
    count: int
    cleared_at: dt.datetime | None


def episodes(triggers: list[dt.datetime], clears: list[dt.datetime], fold_minutes: int) -> list[Episode]:
    """The episodes a device's trigger and clear events make, whatever order they arrived in: triggers
    sorted by their own time chain into one episode while each is within the fold window of the one
    before (a window of 0 never chains); an episode has recovered (``cleared_at``) at the first clear at
    or after its last trigger. The ingest path keeps its alarms equal to this (the property tests say so)."""
    out: list[Episode] = []
    ordered = sorted(triggers)
    start = 0
    for i in range(1, len(ordered) + 1):
        if i < len(ordered) and fold_minutes > 0 and folds(ordered[i - 1], ordered[i], fold_minutes):
            continue
        first, last = ordered[start], ordered[i - 1]
        after = [c for c in clears if c >= last]
        out.append(Episode(first=first, last=last, count=i - start, cleared_at=min(after) if after else None))
        start = i
    return out
