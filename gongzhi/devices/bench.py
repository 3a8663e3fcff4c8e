"""make bench — devices: sustained events per second from MQTT into PostgreSQL with the rules applied,
p99 from publish to work order for alarms, and the ceiling measured in the same run.

The bench starts a Mosquitto of its own on a free port (the system broker's default max_queued_messages of
1000 would drop a backlog). Setup: BENCH_DEV_DEVICES (default 2,000) smoke detectors and water-leak sensors
in the bench street's estates; a backlog of BENCH_DEV_MESSAGES (default 100,000) messages: heartbeats with a
battery level, BENCH_DEV_BURST_ALARMS (50) smoke alarms each on its own detector (each opens an alarm, a work
order through the work-order service and the duty staff's notifications), 1 % redelivered duplicates,
0.01 % malformed.

1. Ceiling: a bare paho client (MQTT 5, QoS 1, manual ack, persistent session) in its own process; the
   backlog is published while its session waits, then it drains it, writing each batch with one COPY
   (parsing the JSON for the columns) and acknowledging after commit.
2. Devices: BENCH_DEV_WORKERS (default 2) ``manage.py ingest_devices`` processes sharing the subscription
   drain the same backlog the same way: validation, de-duplication, device status, rules, alarms, orders.
   Rate = rows / (last commit − first commit), from the rows' received-at times in PostgreSQL.
3. Latency: with the workers running, BENCH_DEV_PACED_RATE (2,000/s) messages for BENCH_DEV_PACED_SECONDS
   (10) with BENCH_DEV_ALARMS (100) smoke alarms on other detectors; the time from publishing each alarm
   to its work order's creation.

Publisher, broker, consumers and PostgreSQL share the machine's cores: the figures are the machine's.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from gongzhi.core.benchkit import percentile

TITLE = "智慧物业终端：MQTT → PostgreSQL 持续接收速度、报警到工单的延迟、同机上限"

ROOT = Path(__file__).resolve().parents[2]  # the project (this file is gongzhi/<app>/bench.py)
DEVICES = int(os.environ.get("BENCH_DEV_DEVICES", "2000"))
MESSAGES = int(os.environ.get("BENCH_DEV_MESSAGES", "100000"))
ALARMS = int(os.environ.get("BENCH_DEV_ALARMS", "100"))
BURST_ALARMS = int(os.environ.get("BENCH_DEV_BURST_ALARMS", "50"))
PACED_RATE = int(os.environ.get("BENCH_DEV_PACED_RATE", "2000"))
PACED_SECONDS = int(os.environ.get("BENCH_DEV_PACED_SECONDS", "10"))
WORKERS = int(os.environ.get("BENCH_DEV_WORKERS", "2"))
MAX_BATCH = int(os.environ.get("BENCH_DEV_BATCH", "1000"))
FLUSH_MS = int(os.environ.get("BENCH_DEV_FLUSH_MS", "50"))
BROKER = os.environ.get("MQTT_URL") or "mqtt://127.0.0.1:1883"
GOAL_RATE = 10_000
GOAL_P99_MS = 500
GOAL_RATIO = 0.5
CEILING_TABLE = "bench_devices_ceiling"


def _broker() -> tuple[str, int]:
    from urllib.parse import urlparse

    parsed = urlparse(BROKER if "://" in BROKER else f"mqtt://{BROKER}")
    return parsed.hostname or "127.0.0.1", parsed.port or 1883


def run(ctx) -> list[tuple[str, str, str]]:  # noqa: ANN001 - bench.run.BenchContext
    broker = _own_broker()
    if broker is None:
        return [("MQTT 代理", "未找到 mosquitto 程序，跳过", "需要 Mosquitto")]
    global BROKER  # noqa: PLW0603 - the consumers and publishers below use the bench's own broker
    BROKER = f"mqtt://127.0.0.1:{broker[1]}"
    try:
        return _run(ctx)
    finally:
        broker[0].terminate()
        broker[0].wait(10)


def _run(ctx) -> list[tuple[str, str, str]]:  # noqa: ANN001
    devices = _devices(ctx)
    burst_alarm_devices = devices[1 : 1 + 5 * BURST_ALARMS : 5]  # smoke detectors (every fifth is a leak sensor)
    paced_alarm_devices = devices[1 + 5 * BURST_ALARMS :: 5][:ALARMS]
    burst, _ = _messages(devices, MESSAGES, burst_alarm_devices, "b")
    paced, paced_alarm_ids = _messages(devices, PACED_RATE * PACED_SECONDS, paced_alarm_devices, "p")
    unique = len({(m[0], m[2]) for m in burst if m[2]})
    rows = [
        (
            "场景",
            f"{len(devices):,} 台设备；积压 {len(burst):,} 条消息（{unique:,} 条事件，其中报警 {len(burst_alarm_devices)} 条，"
            f"重复 {sum(1 for m in burst if m[3] == 'dup'):,}，格式错误 {sum(1 for m in burst if not m[2])}）；"
            f"代理为本次自启的 Mosquitto（max_queued_messages 不限）",
            "",
        )
    ]
    ceiling = _phase_ceiling(burst)
    dev = _phase_devices(burst, unique, paced, paced_alarm_ids)
    rows.append(("发布速度（单个 paho 发布者，QoS 1）", f"{dev['published_rate']:,.0f} 条/秒", "只报告"))
    rows.append(
        ("上限：裸 paho 接收 + 每批一次 COPY", f"{ceiling['rate']:,.0f} 条/秒（{ceiling['count']:,} 条）", "基线")
    )
    rate = dev["rate"]
    rows.append(
        (
            f"持续接收（ingest_devices ×{WORKERS}，批 {MAX_BATCH}/{FLUSH_MS} ms，去重+规则+设备状态）",
            f"{rate:,.0f} 条/秒（{dev['count']:,} 条）",
            f"≥ {GOAL_RATE:,} {'✓' if rate >= GOAL_RATE else '✗'}",
        )
    )
    ratio = rate / ceiling["rate"] if ceiling["rate"] else 0
    rows.append(("与上限之比", f"{ratio:.2f}", f"≥ {GOAL_RATIO} {'✓' if ratio >= GOAL_RATIO else '✗'}"))
    latencies = dev["latencies"]
    if latencies:
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        rows.append(
            (
                f"报警发布 → 工单创建 p50/p99（{len(latencies)} 条，背景 {PACED_RATE:,} 条/秒）",
                f"{p50:.0f} / {p99:.0f} ms",
                f"p99 < {GOAL_P99_MS} ms {'✓' if p99 < GOAL_P99_MS else '✗'}",
            )
        )
    else:
        rows.append(("报警发布 → 工单创建", "没有工单", f"p99 < {GOAL_P99_MS} ms ✗"))
    rows.append(("数据完整", dev["check"], "无丢失、无重复"))
    return rows + _fault_rows()


FAULT_MESSAGES = int(os.environ.get("BENCH_DEV_FAULT_MESSAGES", "2000"))  # 0: skip the fault table
FAULTS = (("restart", "代理重启"), ("kill", "代理 kill -9（持久化）"), ("worker", "一个接收者永久退出"))


def _fault_rows() -> list[tuple[str, str, str]]:
    """Loss under faults (issue 13): QoS 1 messages the broker acknowledged (PUBACK) against those two
    consumers received, with each fault halfway through — the chosen arrangement (a plain persistent
    session per worker) and, for contrast, the shared subscription it replaced. Brokers of their own on
    free ports (gongzhi.devices.brokerlab); the whole path into the database is
    tests/devices/test_delivery_faults.py."""
    from gongzhi.devices import brokerlab

    if FAULT_MESSAGES <= 0 or not brokerlab.OwnBroker.available("mosquitto"):
        return []
    rows = []
    for mode, label in (("plain", "各自持久会话（现用）"), ("shared", "共享订阅（原用）")):
        for fault, what in FAULTS:
            tally = brokerlab.measure("mosquitto", mode, fault, messages=FAULT_MESSAGES)
            rows.append(
                (
                    f"故障：{what}，{label}",
                    f"已确认 {len(tally.acked):,} 条，丢失 {tally.lost:,} 条",
                    f"0 丢失 {'✓' if tally.lost == 0 else '✗'}",
                )
            )
    return rows


def _own_broker() -> tuple[subprocess.Popen, int] | None:
    """A Mosquitto of the bench's own on a free port: the default max_queued_messages (1000) would drop a
    backlog; in production the same two settings are raised (README)."""
    import shutil
    import tempfile

    binary = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)
    if binary is None:
        return None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conf = Path(tempfile.mkdtemp()) / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "max_inflight_messages 1000\nmax_queued_messages 0\n"
    )
    process = subprocess.Popen([binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.terminate()
    return None


# --- Setup ------------------------------------------------------------------------------------------------


def _devices(ctx) -> list[tuple[int, str, str]]:  # noqa: ANN001
    """(id, code, topic) of the bench devices, bulk-created in the street's estates."""
    from gongzhi.devices import catalog
    from gongzhi.devices.models import Device, DeviceType
    from gongzhi.registry.models import Place

    catalog.seed()
    estates = list(Place.objects.filter(kind="estate", path__startswith=ctx.street.path).order_by("pk"))
    smoke, leak = DeviceType.objects.get(code="smoke"), DeviceType.objects.get(code="water_leak")
    run_id = uuid.uuid4().hex[:6]
    rows = []
    for i in range(DEVICES):
        code = f"B{run_id}-{i:05d}"
        rows.append(
            Device(
                code=code,
                name=f"压测设备{i}",
                device_type=smoke if i % 5 else leak,
                estate=estates[i % len(estates)],
                http_secret_hash=uuid.uuid4().hex + uuid.uuid4().hex,
                mqtt_username=code,
                mqtt_password_hash=uuid.uuid4().hex,
            )
        )
    Device.objects.bulk_create(rows, batch_size=2000)
    return [(d.pk, d.code, d.topic) for d in Device.objects.filter(code__startswith=f"B{run_id}-").order_by("pk")]


def _messages(
    devices: list[tuple[int, str, str]], count: int, alarm_devices: list[tuple[int, str, str]], prefix: str
) -> tuple[list[tuple[str, bytes, str, str]], set[str]]:
    """(topic, body, message id or "" for malformed, kind) in publishing order: heartbeats with a battery,
    one smoke alarm per alarm device spread evenly, 1 % redelivered duplicates, 0.01 % malformed."""
    rng = random.Random(f"{prefix}{count}")  # noqa: S311 - bench data
    now = dt.datetime.now(dt.UTC)
    step = max(1, count // (len(alarm_devices) + 1))
    alarm_at = {step * (i + 1): d for i, d in enumerate(alarm_devices)}
    out: list[tuple[str, bytes, str, str]] = []
    alarm_ids: set[str] = set()
    for n in range(count):
        message_id = f"{prefix}{n:08d}"
        at = (now + dt.timedelta(microseconds=n)).isoformat()
        if n in alarm_at:
            _, code, topic = alarm_at[n]
            body = {"device": code, "id": message_id, "kind": "smoke", "at": at, "data": {"ppm": rng.randint(200, 900)}}
            alarm_ids.add(message_id)
        else:
            _, code, topic = devices[n % len(devices)]
            body = {"device": code, "id": message_id, "kind": "heartbeat", "at": at, "battery": rng.randint(20, 100)}
        out.append((topic, json.dumps(body).encode(), message_id, body["kind"]))
        if rng.random() < 0.01:
            again = out[rng.randrange(max(0, len(out) - 500), len(out))]
            if again[2]:
                out.append((again[0], again[1], again[2], "dup"))
        if rng.random() < 0.0001:
            out.append((topic, b'{"device": "' + code.encode() + b'", "kind"', "", "malformed"))
    return out, alarm_ids


# --- Publishing ----------------------------------------------------------------------------------------------


def _publish(messages: list, rate: float | None = None) -> dict:
    """Publish every message (QoS 1) as fast as the broker takes it, or at ``rate`` per second; returns
    the publishing rate and when each smoke alarm was published."""
    import paho.mqtt.client as mqtt

    host, port = _broker()
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv5
    )
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    acked = [0]
    client.on_publish = lambda *_: acked.__setitem__(0, acked[0] + 1)
    client.connect(host, port)
    client.loop_start()
    published_at: dict[str, float] = {}
    start = time.time()
    last = None
    for index, (topic, body, message_id, kind) in enumerate(messages):
        if rate:
            delay = start + index / rate - time.time()
            if delay > 0:
                time.sleep(delay)
        while index - acked[0] > 20000:  # packet ids are 16 bits: keep well below 65,535 outstanding
            time.sleep(0.002)
        last = client.publish(topic, body, qos=1)
        if kind == "smoke":
            published_at[message_id] = time.time()
    if last is not None:
        last.wait_for_publish(120)
    seconds = time.time() - start
    client.disconnect()
    client.loop_stop()
    return {"rate": len(messages) / max(seconds, 1e-9), "published_at": published_at}


def _connect():  # noqa: ANN202
    import psycopg

    return psycopg.connect(_conninfo(), autocommit=True)


def _conninfo() -> str:
    import dj_database_url

    cfg = dj_database_url.parse(os.environ["DATABASE_URL"])
    parts = [f"host={cfg.get('HOST') or '127.0.0.1'}", f"port={cfg.get('PORT') or 5432}", f"dbname={cfg['NAME']}"]
    parts.append(f"user={cfg.get('USER') or 'postgres'}")
    if cfg.get("PASSWORD"):
        parts.append(f"password={cfg['PASSWORD']}")
    return " ".join(parts)


def _wait_line(process: subprocess.Popen, marker: str, seconds: float = 30) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        line = process.stdout.readline()
        if marker in line:
            return
        if not line and process.poll() is not None:
            raise RuntimeError(f"消费进程退出：{process.returncode}")
    raise RuntimeError("消费进程未就绪")


def _wait_count(conn, sql: str, total: int, stall: float = 30) -> int:  # noqa: ANN001
    """Poll until ``sql`` counts ``total``, or nothing moved for ``stall`` seconds."""
    last, moved = -1, time.time()
    while True:
        count = conn.execute(sql).fetchone()[0]
        if count >= total:
            return count
        if count != last:
            last, moved = count, time.time()
        elif time.time() - moved > stall:
            return count
        time.sleep(0.1)


def _rate(conn, sql: str) -> tuple[int, float]:  # noqa: ANN001
    """(rows, rows per second between the first and the last commit) from received-at timestamps."""
    count, first, last = conn.execute(sql).fetchone()
    seconds = (last - first).total_seconds() if count else 0
    return count, (count / seconds if seconds > 0 else 0.0)


# --- 1. The ceiling ----------------------------------------------------------------------------------------


def _ceiling_process(client_id: str) -> subprocess.Popen:
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gongzhi.devices.bench", "ceiling", client_id, BROKER],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    _wait_line(process, "ready")
    return process


def _phase_ceiling(messages: list) -> dict:
    """The backlog is published while the bare consumer's persistent session waits, then drained."""
    conn = _connect()
    conn.execute(f"DROP TABLE IF EXISTS {CEILING_TABLE}")
    conn.execute(
        f"CREATE TABLE {CEILING_TABLE} (id bigserial PRIMARY KEY, device text, message_id text, kind text, "
        "at timestamptz, data jsonb, received_at timestamptz DEFAULT clock_timestamp())"
    )
    client_id = f"bench-ceil-{uuid.uuid4().hex[:6]}"
    first = _ceiling_process(client_id)  # makes the session and its subscription
    first.terminate()
    first.wait(10)
    _publish(messages)
    total = len([m for m in messages if m[2]])  # the bare client keeps duplicates: it does not de-duplicate
    process = _ceiling_process(client_id)
    try:
        _wait_count(conn, f"SELECT count(*) FROM {CEILING_TABLE}", total)  # noqa: S608 - a constant
    finally:
        process.terminate()
        process.wait(10)
        _end_session(client_id)
    count, rate = _rate(conn, f"SELECT count(*), min(received_at), max(received_at) FROM {CEILING_TABLE}")  # noqa: S608
    print(f"   上限：{count:,} 行，{rate:,.0f} 条/秒")
    conn.execute(f"DROP TABLE IF EXISTS {CEILING_TABLE}")
    conn.close()
    return {"rate": rate, "count": count}


def _end_session(client_id: str) -> None:
    """Drop a persistent session (so the broker stops keeping messages for it)."""
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    host, port = _broker()
    client.connect(host, port, clean_start=True)
    client.disconnect()


def _ceiling_main(client_id: str, broker: str) -> None:
    """The bare consumer: paho, MQTT 5, QoS 1, manual ack, a persistent session; parse the JSON, COPY the
    batch, commit, then acknowledge."""
    import queue
    import signal

    import paho.mqtt.client as mqtt
    import psycopg
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties
    from paho.mqtt.subscribeoptions import SubscribeOptions

    global BROKER  # noqa: PLW0603
    BROKER = broker
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    inbox: queue.Queue = queue.Queue()
    ready = threading.Event()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=True)
    client.on_connect = lambda c, u, f, r, p: c.subscribe(
        "$share/ceiling/gongzhi/+/+/events", options=SubscribeOptions(qos=1)
    )
    client.on_subscribe = lambda c, u, m, r, p: ready.set()
    client.on_message = lambda c, u, msg: inbox.put((msg.mid, msg.qos, msg.payload))
    properties = Properties(PacketTypes.CONNECT)
    properties.ReceiveMaximum = 65535
    properties.SessionExpiryInterval = 300
    host, port = _broker()
    client.connect(host, port, clean_start=False, properties=properties)
    client.loop_start()
    ready.wait(10)
    print("ready", flush=True)
    conn = psycopg.connect(_conninfo())
    columns = "device, message_id, kind, at, data"
    while True:
        batch = [inbox.get()]
        deadline = time.monotonic() + FLUSH_MS / 1000
        while len(batch) < MAX_BATCH:
            left = deadline - time.monotonic()
            try:
                batch.append(inbox.get(timeout=left) if left > 0 else inbox.get_nowait())
            except queue.Empty:
                break
        with conn.cursor() as cursor, cursor.copy(f"COPY {CEILING_TABLE} ({columns}) FROM STDIN") as copy:
            for _, _, payload in batch:
                try:
                    value = json.loads(payload)
                    row = (value["device"], value["id"], value["kind"], value["at"], json.dumps(value.get("data", {})))
                except (ValueError, KeyError, TypeError):
                    continue
                copy.write_row(row)
        conn.commit()
        for mid, qos, _ in batch:
            client.ack(mid, qos)


# --- 2. The devices ingestion ------------------------------------------------------------------------------


def _workers(group: str, env: dict) -> list[subprocess.Popen]:
    processes = []
    for worker in range(WORKERS):
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "ingest_devices",
                "--url",
                BROKER,
                "--group",
                group,
                "--client-id",
                f"bench-{group}-{worker}",
                "--max-batch",
                str(MAX_BATCH),
                "--flush-ms",
                str(FLUSH_MS),
                "--session-expiry",
                "300",
                "--stats-seconds",
                "0",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
    for process in processes:
        _wait_line(process, "已启动")
    time.sleep(0.5)  # their SUBSCRIBE is processed
    return processes


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(30)


def _phase_devices(burst: list, unique: int, paced: list, paced_alarm_ids: set[str]) -> dict:
    """The backlog drained by the ingest workers (their persistent sessions waited while it was published),
    then, with the workers running, a paced stream with alarms for the publish → work order latency."""
    from gongzhi.devices.models import Alarm, Event

    group = f"dev{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "WARNING"}
    _stop(_workers(group, env))  # makes the sessions and the shared subscription
    published = _publish(burst)
    conn = _connect()
    processes = _workers(group, env)
    try:
        _wait_count(conn, "SELECT count(*) FROM devices_event WHERE message_id LIKE 'b%%'", unique)
        paced_run = _publish(paced, rate=PACED_RATE)
        deadline = time.time() + 30
        while time.time() < deadline:
            if Event.objects.filter(message_id__in=paced_alarm_ids, alarm__work_order__isnull=False).count() >= len(
                paced_alarm_ids
            ):
                break
            time.sleep(0.1)
    finally:
        _stop(processes)
    count, rate = _rate(
        conn, "SELECT count(*), min(received_at), max(received_at) FROM devices_event WHERE message_id LIKE 'b%%'"
    )
    conn.close()
    burst_alarms = {m[2] for m in burst if m[3] == "smoke"}
    alarms = Alarm.objects.filter(events__message_id__in=burst_alarms).distinct()
    orders = alarms.filter(work_order__isnull=False).count()
    check = f"积压事件入库 {count:,} / 应有 {unique:,}；报警 {alarms.count()} / {len(burst_alarms)}，工单 {orders}"
    check += (
        "，一致" if (count, alarms.count(), orders) == (unique, len(burst_alarms), len(burst_alarms)) else "，不一致"
    )
    print(f"   接收：{count:,} 条，{rate:,.0f} 条/秒")
    return {
        "rate": rate,
        "count": count,
        "published_rate": published["rate"],
        "latencies": _latencies(paced_run["published_at"], paced_alarm_ids),
        "check": check,
    }


def _latencies(published_at: dict[str, float], alarm_ids: set[str]) -> list[float]:
    from gongzhi.devices.models import Event

    rows = Event.objects.filter(message_id__in=alarm_ids, alarm__work_order__isnull=False).values_list(
        "message_id", "alarm__work_order__created_at"
    )
    return [(created.timestamp() - published_at[mid]) * 1000 for mid, created in rows if mid in published_at]


if __name__ == "__main__" and len(sys.argv) >= 4 and sys.argv[1] == "ceiling":
    _ceiling_main(sys.argv[2], sys.argv[3])
