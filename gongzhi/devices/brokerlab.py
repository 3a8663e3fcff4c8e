"""A broker of our own on a free loopback port, for fault injection (故障注入): Mosquitto or NATS (with
its MQTT listener and JetStream), started from the Debian packages' binaries with a throw-away data
directory, restarted gracefully or killed with SIGKILL. Used by the delivery-path tests
(tests/devices/test_delivery_faults.py) and by ``python -m gongzhi.devices.brokerlab`` which measures
each arrangement's losses under each fault (the figures in the README).

Never touches the machine's own brokers (1883, 4222): every instance here has its own port and folder.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
NATS = shutil.which("nats-server") or "/usr/sbin/nats-server"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reachable(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


@dataclass
class OwnBroker:
    """One broker process of our own. ``kind`` is ``mosquitto`` or ``nats``."""

    kind: str
    port: int = field(default_factory=free_port)
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="gongzhi-broker-")))
    process: subprocess.Popen | None = None
    autosave_seconds: int = 1

    @staticmethod
    def available(kind: str) -> bool:
        return Path(MOSQUITTO if kind == "mosquitto" else NATS).exists()

    def _command(self) -> list[str]:
        if self.kind == "mosquitto":
            # Started as root, mosquitto drops to its own user: its folder must be writable by it, or it
            # keeps nothing (it logs "Permission denied" and restores no session after a restart).
            with contextlib.suppress(LookupError, OSError):
                shutil.chown(self.folder, user="mosquitto")
            conf = self.folder / "mosquitto.conf"
            conf.write_text(
                f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
                f"persistence_location {self.folder}/\nautosave_interval {self.autosave_seconds}\n"
                "max_queued_messages 0\nmax_inflight_messages 0\nlog_type error\n"
            )
            return [MOSQUITTO, "-c", str(conf)]
        conf = self.folder / "nats.conf"
        nats_port = self.nats_port
        conf.write_text(
            f'server_name: "gz_{self.port}"\nlisten: "127.0.0.1:{nats_port}"\n'
            f'jetstream {{ store_dir: "{self.folder}/js" }}\n'
            f'mqtt {{ listen: "127.0.0.1:{self.port}" }}\n'
        )
        return [NATS, "-c", str(conf)]

    @property
    def nats_port(self) -> int:
        if not hasattr(self, "_nats_port"):
            self._nats_port = free_port()
        return self._nats_port

    def start(self, wait: float = 20) -> OwnBroker:
        log = (self.folder / "broker.log").open("ab")
        self.process = subprocess.Popen(self._command(), stdout=log, stderr=log)  # noqa: S603 - a fixed binary
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if reachable(self.port):
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited: {(self.folder / 'broker.log').read_text()[-500:]}")
            time.sleep(0.05)
        raise RuntimeError(f"{self.kind} did not listen on {self.port}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)
        self.process = None

    def restart(self, *, kill: bool = False, down_seconds: float = 1.0) -> None:
        self.stop(signal.SIGKILL if kill else signal.SIGTERM)
        time.sleep(down_seconds)
        self.start()

    def close(self) -> None:
        self.stop(signal.SIGKILL)
        shutil.rmtree(self.folder, ignore_errors=True)


# --- measuring an arrangement: acknowledged vs received, under a fault ----------------------------------


@dataclass
class Tally:
    acked: set[str] = field(default_factory=set)
    received: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return len(self.acked - set(self.received))

    @property
    def duplicated(self) -> int:
        return len(self.received) - len(set(self.received))


def consumer(port: int, client_id: str, topic: str, tally: Tally, lock: threading.Lock, protocol: int):  # noqa: ANN201
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    v5 = protocol == mqtt.MQTTv5
    kwargs = {} if v5 else {"clean_session": False}
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=protocol, **kwargs)
    client.reconnect_delay_set(min_delay=1, max_delay=10)  # as the ingest worker

    def on_connect(c, userdata, flags, reason, properties) -> None:  # noqa: ANN001
        if not reason.is_failure:
            c.subscribe(topic, qos=1)

    def on_message(c, userdata, message) -> None:  # noqa: ANN001
        with lock:
            tally.received.append(message.payload.decode())

    client.on_connect, client.on_message = on_connect, on_message
    if v5:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 3600
        client.connect("127.0.0.1", port, keepalive=10, clean_start=False, properties=props)
    else:
        client.connect("127.0.0.1", port, keepalive=10)
    client.loop_start()
    return client


def measure(kind: str, mode: str, fault: str, *, messages: int = 2000, rate: float = 1000.0) -> Tally:
    """Publish ``messages`` QoS 1 messages at ``rate`` while two consumers take them in; halfway, the
    ``fault``: ``restart`` (SIGTERM, 1 s down), ``kill`` (SIGKILL, 1 s down) or ``worker`` (one
    consumer gone for good). ``mode``: ``shared`` ($share subscription) or ``plain`` (each consumer its
    own persistent session on the whole topic, the database de-duplicating). Counts what the broker
    acknowledged (PUBACK) against what the consumers received."""
    import paho.mqtt.client as mqtt

    protocol = mqtt.MQTTv5 if kind == "mosquitto" else mqtt.MQTTv311
    broker = OwnBroker(kind).start()
    tally, lock = Tally(), threading.Lock()
    topic = "$share/g/gongzhi/+/+/events" if mode == "shared" else "gongzhi/+/+/events"
    run = uuid.uuid4().hex[:6]
    workers = [consumer(broker.port, f"w{i}-{run}", topic, tally, lock, protocol) for i in range(2)]
    time.sleep(1.0)
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{run}", protocol=protocol)
    publisher.reconnect_delay_set(min_delay=1, max_delay=2)
    publisher.max_inflight_messages_set(100)
    publisher.max_queued_messages_set(0)
    sent: list[tuple[int, str]] = []
    acked_mids: set[int] = set()

    def on_publish(c, userdata, mid, reason, properties) -> None:  # noqa: ANN001
        if not reason.is_failure:  # paho holds its own lock here: take none of ours (deadlock)
            acked_mids.add(mid)

    publisher.on_publish = on_publish
    publisher.connect("127.0.0.1", broker.port, keepalive=10)
    publisher.loop_start()
    try:
        for n in range(messages):
            if n == messages // 2:
                if fault == "worker":
                    workers[1].loop_stop()
                    with contextlib.suppress(OSError):
                        workers[1].socket().close()
                else:
                    threading.Thread(
                        target=broker.restart, kwargs={"kill": fault == "kill", "down_seconds": 3.0}, daemon=True
                    ).start()
            body = f"m{n}"
            sent.append((publisher.publish(f"gongzhi/1/D{n % 50}/events", body, qos=1).mid, body))
            time.sleep(1 / rate)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            tally.acked = {body for mid, body in sent if mid in acked_mids}
            if len(tally.acked) == len(sent) and tally.acked <= set(tally.received):
                break
            time.sleep(0.2)
        time.sleep(2)
        tally.acked = {body for mid, body in sent if mid in acked_mids}
    finally:
        publisher.loop_stop()
        for w in workers:
            w.loop_stop()
        broker.close()
    return tally


def main() -> None:
    rows = []
    for kind, mode in (("mosquitto", "shared"), ("mosquitto", "plain"), ("nats", "plain")):
        if not OwnBroker.available(kind):
            continue
        for fault in ("restart", "kill", "worker"):
            try:
                t = measure(kind, mode, fault, messages=int(os.environ.get("LAB_MESSAGES", "2000")))
                rows.append((kind, mode, fault, len(t.acked), t.lost, t.duplicated))
            except Exception as exc:  # noqa: BLE001 - a broker that cannot do it is a row too
                rows.append((kind, mode, fault, f"error: {exc}"[:60], "", ""))
            print(rows[-1], flush=True)  # noqa: T201
    print("| broker | subscription | fault | acknowledged | lost | duplicated |")  # noqa: T201
    for row in rows:
        print("| " + " | ".join(str(x) for x in row) + " |")  # noqa: T201


if __name__ == "__main__":
    main()
