"""Taking in device messages in batches (事件接入): parse, de-duplicate, store, apply the rules.

``Ingestor.ingest(items)`` is the one path every message takes, from the MQTT workers and the HTTP
endpoint alike. In one transaction it:

1. parses each message (gongzhi.devices.rules) and finds its device; a message that fails goes to the
   dead-letter table with the reason, and the batch goes on;
2. inserts the events with the unique (device, message id) — ``ON CONFLICT DO NOTHING RETURNING`` on
   PostgreSQL — so a redelivered message is recognised and changes nothing; only new events go on;
3. marks the devices seen (last report, battery, online), locking their rows in id order so workers
   sharing a subscription serialise per device without deadlocks;
4. applies the rules to the new events only (gongzhi.devices.services.apply_event): open, fold, clear,
   by each event's own time, so a late or reordered message joins the episode it belongs to.

The MQTT worker acknowledges a batch's messages only after this commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from gongzhi.devices import rules
from gongzhi.devices.choices import HEARTBEAT, Source
from gongzhi.devices.models import AlarmRule, DeadLetter, Device, Event
from gongzhi.registry.models import Place

logger = logging.getLogger("gongzhi.devices.ingest")


@dataclass(frozen=True)
class Incoming:
    """One raw message: its source, MQTT topic (empty over HTTP) and bytes; over HTTP the device whose
    secret authenticated the request (``device_id``), which the payload must name."""

    payload: bytes
    source: str = Source.MQTT
    topic: str = ""
    device_id: int | None = None


@dataclass(frozen=True)
class DeviceInfo:
    id: int
    code: str
    estate_id: int
    type_id: int
    active: bool


@dataclass
class Outcome:
    """What one batch did: new events stored, duplicates recognised, messages dead-lettered."""

    stored: int = 0
    duplicates: int = 0
    dead: int = 0
    reasons: list[str] = field(default_factory=list)  # per dead letter, in order
    alarms_opened: list[int] = field(default_factory=list)
    work_orders: list[int] = field(default_factory=list)


@dataclass
class _Row:
    device: DeviceInfo
    message: rules.Message
    source: str = Source.MQTT
    event_id: int | None = None


def _bound_cursor() -> Any:
    """A psycopg cursor with server-side parameter binding on Django's connection (inside its transaction):
    Django's default client-side binding quotes thousand-element arrays in Python, several times slower."""
    import psycopg

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def _int_array(values: list[int | None]) -> str:
    """A PostgreSQL array literal of integers (much faster than adapting a long Python list)."""
    return "{" + ",".join("NULL" if v is None else str(int(v)) for v in values) + "}"


def dead_letter_key(item: Incoming, value: Any) -> str:
    """What makes a dead letter the same message again (去重): the device code and message id the payload
    names, or, without them, the bytes themselves on that source and topic."""
    if isinstance(value, dict):
        code, message_id = value.get("device"), value.get("id")
        if isinstance(message_id, int) and not isinstance(message_id, bool):
            message_id = str(message_id)
        if isinstance(code, str) and isinstance(message_id, str) and code and message_id:
            return hashlib.sha256(f"m\0{code}\0{message_id}".encode("utf-8", "surrogatepass")).hexdigest()
    digest = hashlib.sha256(f"p\0{item.source}\0{item.topic}\0".encode("utf-8", "surrogatepass"))
    digest.update(item.payload)
    return digest.hexdigest()


class RuleBook:
    """The active rules by device type: which event opens which alarm, which events clear which rules."""

    def __init__(self) -> None:
        self.opens: dict[int, dict[str, AlarmRule]] = {}
        self.clears: dict[int, dict[str, list[AlarmRule]]] = {}
        for rule in AlarmRule.objects.filter(active=True).select_related("category", "device_type"):
            self.opens.setdefault(rule.device_type_id, {})[rule.event] = rule
            for kind in rule.clear_events or ():
                self.clears.setdefault(rule.device_type_id, {}).setdefault(kind, []).append(rule)

    def matters(self, type_id: int, kind: str) -> bool:
        return kind in self.opens.get(type_id, {}) or kind in self.clears.get(type_id, {})


class Ingestor:
    """Takes in batches of messages; keeps devices and rules cached for ``cache_seconds`` (a worker) or
    looks them up every batch (``cache_seconds=0``: the HTTP endpoint, tests)."""

    def __init__(self, cache_seconds: float = 30.0) -> None:
        self.cache_seconds = cache_seconds
        self._devices: dict[str, DeviceInfo] = {}
        self._devices_at = 0.0
        self._rules: RuleBook | None = None
        self._rules_at = 0.0

    # --- caches --------------------------------------------------------------------------------------

    def _fresh(self, at: float) -> bool:
        return self.cache_seconds > 0 and time.monotonic() - at < self.cache_seconds

    def rulebook(self) -> RuleBook:
        if self._rules is None or not self._fresh(self._rules_at):
            self._rules, self._rules_at = RuleBook(), time.monotonic()
        return self._rules

    def devices(self, codes: set[str]) -> dict[str, DeviceInfo]:
        if not self._fresh(self._devices_at):
            self._devices, self._devices_at = {}, time.monotonic()
        missing = [c for c in codes if c not in self._devices]
        if missing:
            for pk, code, estate_id, type_id, active in Device.objects.filter(code__in=missing).values_list(
                "pk", "code", "estate_id", "device_type_id", "active"
            ):
                self._devices[code] = DeviceInfo(pk, code, estate_id, type_id, active)
        return {c: self._devices[c] for c in codes if c in self._devices}

    # --- the batch -----------------------------------------------------------------------------------

    def ingest(self, items: list[Incoming], now: dt.datetime | None = None) -> Outcome:
        now = now or timezone.now()
        outcome = Outcome()
        parsed: list[tuple[Incoming, Any]] = []
        for item in items:
            try:
                parsed.append((item, rules.decode(item.payload)))
            except rules.Rejected as exc:
                parsed.append((item, exc))
        codes = {v["device"] for _, v in parsed if isinstance(v, dict) and isinstance(v.get("device"), str)}
        known = self.devices(codes)
        rows: list[_Row] = []
        dead: list[DeadLetter] = []
        estates: dict[tuple[str, int], int | None] = {}  # the dead letters' estate lookups, once per batch
        seen: set[tuple[int, str]] = set()
        for item, value in parsed:
            try:
                if isinstance(value, rules.Rejected):
                    raise value
                row = self._check(item, value, known, now)
            except rules.Rejected as exc:
                dead.append(self._dead_letter(item, exc.reason, value, known, now, estates))
                outcome.reasons.append(exc.reason)
                continue
            key = (row.device.id, row.message.message_id)
            if key in seen:  # the same message twice in one batch
                outcome.duplicates += 1
                continue
            seen.add(key)
            rows.append(row)
        with transaction.atomic():
            if dead:
                # once per key: a redelivery, in this batch or after, is not kept again
                unique = list({letter.key: letter for letter in reversed(dead)}.values())[::-1]
                DeadLetter.objects.bulk_create(unique, ignore_conflicts=True)
            new = self._insert(rows, now)
            outcome.dead = len(dead)
            outcome.stored = len(new)
            outcome.duplicates += len(rows) - len(new)
            if new:
                book = self.rulebook()
                must = {r.device.id for r in new if book.matters(r.device.type_id, r.message.kind)}
                back_online = self._touch(new, now, must)
                self._apply(new, back_online, now, outcome, book)
        return outcome

    def _check(self, item: Incoming, value: Any, known: dict[str, DeviceInfo], now: dt.datetime) -> _Row:
        message = rules.validate(value, now)
        device = known.get(message.device)
        if device is None:
            raise rules.Rejected(f"未登记的设备：{message.device}")
        if not device.active:
            raise rules.Rejected(f"设备已停用：{message.device}")
        if item.device_id is not None and item.device_id != device.id:
            raise rules.Rejected(f"凭据与设备不符：该密钥不属于设备 {message.device}")
        if item.topic:
            estate_id, code = rules.parse_topic(item.topic)
            if code != device.code or estate_id != device.estate_id:
                raise rules.Rejected(f"主题与设备不符：{item.topic[:100]}")
        return _Row(device=device, message=message, source=item.source)

    def _dead_letter(
        self,
        item: Incoming,
        reason: str,
        value: Any,
        known: dict[str, DeviceInfo],
        now: dt.datetime,
        estates: dict[tuple[str, int], int | None],
    ) -> DeadLetter:
        device = None
        if isinstance(value, dict) and isinstance(value.get("device"), str):
            device = known.get(value["device"])
        device_id = device.id if device else None
        estate_id = device.estate_id if device else None
        if item.device_id is not None:  # over HTTP: the device whose secret was presented
            device_id = item.device_id
            if ("device", device_id) not in estates:
                estates["device", device_id] = (
                    Device.objects.filter(pk=device_id).values_list("estate_id", flat=True).first()
                )
            estate_id = estates["device", device_id]
        if estate_id is None and item.topic:
            try:
                topic_estate, _ = rules.parse_topic(item.topic)
            except rules.Rejected:
                topic_estate = None
            if topic_estate and ("estate", topic_estate) not in estates:
                exists = Place.objects.filter(pk=topic_estate, kind="estate").exists()
                estates["estate", topic_estate] = topic_estate if exists else None
            if topic_estate:
                estate_id = estates["estate", topic_estate]
        text = item.payload.decode("utf-8", "replace").replace("\x00", "\\u0000")[:4000]
        return DeadLetter(
            key=dead_letter_key(item, value),
            received_at=now,
            source=item.source,
            topic=item.topic[:200],
            payload=text,
            reason=reason[:300],
            estate_id=estate_id,
            device_id=device_id,
        )

    # --- storing -------------------------------------------------------------------------------------

    def _insert(self, rows: list[_Row], now: dt.datetime) -> list[_Row]:
        """Insert the events; the rows that were new (a message already stored is skipped), with their ids."""
        if not rows:
            return []
        if connection.vendor == "postgresql":
            return self._insert_pg(rows, now)
        keys = {(r.device.id, r.message.message_id) for r in rows}
        existing = set(
            Event.objects.filter(device_id__in={k[0] for k in keys}, message_id__in={k[1] for k in keys}).values_list(
                "device_id", "message_id"
            )
        )
        new = [r for r in rows if (r.device.id, r.message.message_id) not in existing]
        events = Event.objects.bulk_create([self._event(r, now) for r in new])
        for row, event in zip(new, events, strict=True):
            row.event_id = event.pk
        return new

    @staticmethod
    def _event(row: _Row, now: dt.datetime) -> Event:
        m = row.message
        return Event(
            device_id=row.device.id,
            message_id=m.message_id,
            kind=m.kind,
            at=m.at,
            received_at=now,
            source=row.source,
            battery=m.battery,
            data=m.data,
        )

    def _insert_pg(self, rows: list[_Row], now: dt.datetime) -> list[_Row]:
        """One COPY of the batch into a temporary table, then one INSERT … ON CONFLICT DO NOTHING RETURNING:
        the rows returned are the new events (a duplicate returns nothing)."""
        table = Event._meta.db_table
        with _bound_cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE IF NOT EXISTS devices_event_in (device_id bigint, message_id text, "
                "kind text, at timestamptz, source text, battery int, data jsonb) ON COMMIT DELETE ROWS"
            )
            columns = "device_id, message_id, kind, at, source, battery, data"
            with cursor.copy(f"COPY devices_event_in ({columns}) FROM STDIN") as copy:
                for r in rows:
                    m = r.message
                    data = json.dumps(m.data, ensure_ascii=False) if m.data else "{}"
                    copy.write_row((r.device.id, m.message_id, m.kind, m.at, r.source, m.battery, data))
            cursor.execute(
                f"INSERT INTO {table} (device_id, message_id, kind, at, received_at, source, battery, data) "  # noqa: S608
                "SELECT device_id, message_id, kind, at, %s, source, battery, data FROM devices_event_in "
                "ON CONFLICT (device_id, message_id) DO NOTHING RETURNING id, device_id, message_id",
                [now],
            )
            ids = {(d, m): pk for pk, d, m in cursor.fetchall()}
            # Emptied at commit (ON COMMIT DELETE ROWS); DELETE, not TRUNCATE (a file swap), for a caller
            # that runs several batches in one transaction.
            cursor.execute("DELETE FROM devices_event_in")
        new = []
        for row in rows:
            pk = ids.get((row.device.id, row.message.message_id))
            if pk is not None:
                row.event_id = pk
                new.append(row)
        return new

    def _touch(self, new: list[_Row], now: dt.datetime, must: set[int]) -> set[int]:
        """Mark the devices seen now, with the battery of their latest event; returns those that were
        offline.

        Devices with events the rules act on (``must``) are locked, waiting, in id order: their alarms are
        decided by one worker at a time. The others are locked with SKIP LOCKED: a device another worker
        is marking seen at this very moment is left to it (the same "now", give or take milliseconds), so
        workers sharing the subscription never queue behind each other for heartbeats. Both orders are
        the same for every worker, and nobody waits after skipping: no deadlock."""
        battery: dict[int, tuple[dt.datetime, int]] = {}
        for row in new:
            m = row.message
            if m.battery is not None and (row.device.id not in battery or m.at >= battery[row.device.id][0]):
                battery[row.device.id] = (m.at, m.battery)
        rest = sorted({r.device.id for r in new} - must)
        waited = Device.objects.filter(pk__in=sorted(must)).order_by("pk").select_for_update(no_key=True)
        skipped = Device.objects.filter(pk__in=rest).order_by("pk").select_for_update(no_key=True, skip_locked=True)
        states = list(waited.values_list("pk", "online")) if must else []
        states += list(skipped.values_list("pk", "online"))
        ids = sorted(pk for pk, _ in states)
        was_offline = {pk for pk, online in states if not online}
        if connection.vendor == "postgresql":
            table = Device._meta.db_table
            with _bound_cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} AS d SET last_seen_at = %s, online = true, updated_at = %s, "  # noqa: S608
                    "battery = COALESCE(v.b, d.battery) FROM unnest(%s::bigint[], %s::int[]) AS v(id, b) "
                    "WHERE d.id = v.id",
                    [now, now, _int_array(ids), _int_array([battery[i][1] if i in battery else None for i in ids])],
                )
        else:
            Device.objects.filter(pk__in=ids).update(last_seen_at=now, online=True, updated_at=now)
            for pk, (_, level) in battery.items():
                Device.objects.filter(pk=pk).update(battery=level)
        return was_offline

    def _apply(
        self, new: list[_Row], back_online: set[int], now: dt.datetime, outcome: Outcome, book: RuleBook
    ) -> None:
        from gongzhi.devices import services

        if back_online:
            services.devices_back_online(device_ids=sorted(back_online), now=now)
        interesting = [r for r in new if r.message.kind != HEARTBEAT and book.matters(r.device.type_id, r.message.kind)]
        # By the events' own time; at the same instant a trigger before a clear (as rules.episodes counts).
        interesting.sort(
            key=lambda r: (r.message.at, r.message.kind not in book.opens.get(r.device.type_id, {}), r.event_id)
        )
        for row in interesting:
            m = row.message
            opened = services.apply_event(
                event_id=row.event_id,
                device_id=row.device.id,
                at=m.at,
                opens=book.opens.get(row.device.type_id, {}).get(m.kind),
                clears=book.clears.get(row.device.type_id, {}).get(m.kind, []),
                now=now,
            )
            if opened is not None:
                outcome.alarms_opened.append(opened.pk)
                if opened.work_order_id:
                    outcome.work_orders.append(opened.work_order_id)
