"""The MQTT ingest worker (MQTT接入): paho-mqtt 2.x, MQTT 5, QoS 1, a persistent session per worker, each
on the whole topic (no shared subscription, by default).

Each worker connects with a fixed client id and ``clean_start=False`` plus a session expiry, so the
broker keeps its subscription and its unacknowledged messages while it is away. By default it subscribes
to ``gongzhi/+/+/events`` itself: every worker receives every message and the (device, message id) key
stores each once. That costs a second (no-op) insert per message per extra worker, and buys what a
shared subscription (``$share/<group>/…``, ``--group``) cannot give on Mosquitto 2.0: after a broker
restart the plain subscription is restored from the broker's persistence (a shared one is not, so
nothing is received until the workers re-subscribe — measured: half of the events lost), and a worker
that never comes back holds no share of the messages hostage in its session (README, 设备接入的可靠性). Messages
are acknowledged by hand (``manual_ack``) only after the batch holding them is committed; a worker that
dies before committing leaves them unacknowledged, and the broker delivers them again when the worker
(or its replacement with the same client id) reconnects. A message committed but not yet acknowledged
is delivered again too, and the (device, message id) uniqueness makes that harmless.

Packet ids are per connection: after a reconnect an old id may name a new message, so messages received
on an earlier connection are never acknowledged (the broker delivers them again on the new one).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.db import close_old_connections, connection
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from gongzhi.devices.choices import Source
from gongzhi.devices.ingest import Incoming, Ingestor

logger = logging.getLogger("gongzhi.devices.mqtt")

TOPIC = "gongzhi/+/+/events"
GROUP = ""  # no shared subscription: each worker its own persistent session (see the docstring)


@dataclass(frozen=True)
class Broker:
    host: str = "127.0.0.1"
    port: int = 1883
    username: str | None = None
    password: str | None = None

    @classmethod
    def from_url(cls, url: str) -> Broker:
        """``mqtt://user:password@host:1883`` (the MQTT_URL setting)."""
        parsed = urlparse(url if "://" in url else f"mqtt://{url}")
        if parsed.scheme not in ("mqtt", "tcp"):
            raise ValueError(f"不支持的 MQTT 地址：{url}（应为 mqtt://主机:端口）")
        return cls(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 1883,
            username=parsed.username,
            password=parsed.password,
        )


@dataclass
class _Received:
    mid: int
    qos: int
    generation: int
    item: Incoming


class IngestWorker:
    """One ingest worker: the paho network loop fills a queue; ``run`` drains it in batches of at most
    ``max_batch`` messages or ``flush_ms`` milliseconds, commits each batch, then acknowledges it."""

    def __init__(
        self,
        *,
        broker: Broker,
        client_id: str,
        group: str = GROUP,
        topics: tuple[str, ...] = (TOPIC,),
        max_batch: int = 500,
        flush_ms: int = 50,
        session_expiry: int = 3600,
        ingestor: Ingestor | None = None,
    ) -> None:
        self.broker = broker
        self.client_id = client_id
        self.subscriptions = [f"$share/{group}/{topic}" if group else topic for topic in topics]
        self.max_batch = max_batch
        self.flush_seconds = flush_ms / 1000
        self.session_expiry = session_expiry
        self.ingestor = ingestor or Ingestor()
        self.inbox: queue.Queue[_Received] = queue.Queue()
        self.generation = 0
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        self.stopping = threading.Event()
        self.crashed = False
        self.stats = {"received": 0, "stored": 0, "duplicates": 0, "dead": 0, "batches": 0, "acked": 0}
        self.client = self._client()

    def _client(self) -> mqtt.Client:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        if self.broker.username:
            client.username_pw_set(self.broker.username, self.broker.password)
        client.reconnect_delay_set(min_delay=1, max_delay=2)  # re-subscribe soon after a broker restart
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    # --- paho callbacks (network thread) ----------------------------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        if reason.is_failure:
            logger.error("MQTT connect refused: %s", reason)
            return
        self.generation += 1
        logger.info("MQTT connected as %s (session present: %s)", self.client_id, flags.session_present)
        client.subscribe([(s, SubscribeOptions(qos=1)) for s in self.subscriptions])
        self.connected.set()

    def _on_subscribe(self, client: mqtt.Client, userdata: Any, mid: int, reasons: Any, properties: Any) -> None:
        if any(r.is_failure for r in reasons):
            logger.error("MQTT subscribe to %s refused: %s", self.subscriptions, reasons)
            return
        self.subscribed.set()

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, properties: Any) -> None:
        self.connected.clear()
        self.subscribed.clear()
        if not self.stopping.is_set():
            logger.warning("MQTT disconnected (%s); reconnecting", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        item = Incoming(payload=message.payload, source=Source.MQTT, topic=message.topic)
        self.inbox.put(_Received(message.mid, message.qos, self.generation, item))

    # --- the loop (caller's thread) -----------------------------------------------------------------------

    def start(self) -> None:
        """Connect (persistent session) and start the network loop."""
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry
        properties.ReceiveMaximum = 65535  # let the broker send a whole batch before we acknowledge any
        self.client.connect(self.broker.host, self.broker.port, keepalive=30, clean_start=False, properties=properties)
        self.client.loop_start()

    def _next_batch(self) -> list[_Received]:
        try:
            first = self.inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = time.monotonic() + self.flush_seconds
        while len(batch) < self.max_batch:
            left = deadline - time.monotonic()
            try:
                batch.append(self.inbox.get(timeout=left) if left > 0 else self.inbox.get_nowait())
            except queue.Empty:
                break
        return batch

    def process(self, batch: list[_Received]) -> None:
        """Commit a batch, then acknowledge the messages of the current connection (retrying the commit
        a few times: the batch is in memory and re-ingesting it is harmless)."""
        for attempt in range(5):
            try:
                close_old_connections()
                outcome = self.ingestor.ingest([r.item for r in batch])
                break
            except Exception:
                logger.exception("batch of %d failed (attempt %d)", len(batch), attempt + 1)
                time.sleep(min(2**attempt, 10))
        else:
            raise RuntimeError("无法写入数据库，停止接收（未确认的消息将由代理重新投递）")
        self.stats["received"] += len(batch)
        self.stats["stored"] += outcome.stored
        self.stats["duplicates"] += outcome.duplicates
        self.stats["dead"] += outcome.dead
        self.stats["batches"] += 1
        generation = self.generation
        for received in batch:
            if received.generation == generation and received.qos > 0:
                self.client.ack(received.mid, received.qos)
                self.stats["acked"] += 1

    def run(self, *, until: threading.Event | None = None) -> None:
        """Take in batches until ``stop()`` (or ``until``) is set, then flush what was received."""
        try:
            self._run(until or self.stopping)
        finally:
            connection.close()  # this thread's database connection

    def _run(self, until: threading.Event) -> None:
        while not (until.is_set() or self.stopping.is_set()):
            batch = self._next_batch()
            if batch and not self.crashed:
                self.process(batch)
        while not self.crashed:  # flush: what was received is committed and acknowledged before leaving
            try:
                rest = [self.inbox.get_nowait() for _ in range(min(self.inbox.qsize(), self.max_batch))]
            except queue.Empty:
                rest = []
            if not rest:
                break
            self.process(rest)

    def stop(self) -> None:
        """Leave cleanly: flush, acknowledge, disconnect (the session stays on the broker)."""
        self.stopping.set()

    def disconnect(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def crash(self) -> None:
        """Drop the connection without acknowledging anything still pending (as a killed process would)."""
        self.crashed = True
        self.stopping.set()
        self.client.loop_stop()
        sock = self.client.socket()
        if sock is not None:
            sock.close()
