"""make bench — devices: sustained events per second from MQTT into PostgreSQL with the rules applied,
p99 from publish to work order for alarms, and the ceiling measured in the same run.

Setup: BENCH_DEV_DEVICES (default 2,000) smoke detectors and water-leak sensors in the estates of the
bench street, and BENCH_DEV_MESSAGES (default 100,000) messages made beforehand: heartbeats with a
battery level, 1 % redelivered duplicates, 0.01 % malformed, and BENCH_DEV_ALARMS (default 100) smoke
alarms, each on its own detector (each opens an alarm, a work order through the work-order service and
the duty staff's notifications).

1. Ceiling: a bare paho client (MQTT 5, QoS 1, manual ack) in its own process receives the messages and
   writes each batch with one COPY (parsing the JSON for the columns), acknowledging after commit.
2. Devices: ``manage.py ingest_devices`` (BENCH_DEV_WORKERS processes, default 1, sharing the
   subscription) takes in the same messages: validation, de-duplication (ON CONFLICT DO NOTHING),
   device last-seen and battery, rules, alarms, work orders.

In both, one publisher (this process, QoS 1) sends every message as fast as the broker takes it, never
more than BENCH_DEV_WINDOW (default 30,000) ahead of what is committed (Mosquitto drops what a
subscriber cannot take beyond its queue); the rate is messages committed over the time from the first
publish to the last commit. Latency: the time each alarm was published to its work order's creation.
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

from bench.run import percentile

TITLE = "智慧物业终端：MQTT → PostgreSQL 持续接收速度、报警到工单的延迟、同机上限"

ROOT = Path(__file__).resolve().parent.parent
DEVICES = int(os.environ.get("BENCH_DEV_DEVICES", "2000"))
MESSAGES = int(os.environ.get("BENCH_DEV_MESSAGES", "100000"))
ALARMS = int(os.environ.get("BENCH_DEV_ALARMS", "100"))
WORKERS = int(os.environ.get("BENCH_DEV_WORKERS", "1"))
WINDOW = int(os.environ.get("BENCH_DEV_WINDOW", "30000"))
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
    host, port = _broker()
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError:
        return [("MQTT 代理", f"{host}:{port} 无法连接，跳过", "需要 Mosquitto")]
    devices = _devices(ctx)
    messages, alarm_ids = _messages(devices)
    unique = len({(m[0], m[2]) for m in messages if m[2]})
    rows = [
        (
            "场景",
            f"{len(devices):,} 台设备，{len(messages):,} 条消息（去重后 {unique:,} 条事件，报警 {len(alarm_ids)} 条，"
            f"重复 {sum(1 for m in messages if m[3] == 'dup'):,}，格式错误 {sum(1 for m in messages if not m[2])}）",
            "",
        )
    ]
    ceiling = _phase_ceiling(ctx, messages, unique)
    devices_run = _phase_devices(ctx, messages, unique)
    rows.append(
        (
            "上限：裸 paho 接收 + 每批一次 COPY",
            f"{ceiling['rate']:,.0f} 条/秒（{ceiling['seconds']:.1f} 秒；发布 {ceiling['published_rate']:,.0f} 条/秒）",
            "基线",
        )
    )
    rate = devices_run["rate"]
    rows.append(
        (
            f"持续接收（ingest_devices ×{WORKERS}，批 {MAX_BATCH}/{FLUSH_MS} ms，含规则）",
            f"{rate:,.0f} 条/秒（{devices_run['seconds']:.1f} 秒，入库 {devices_run['stored']:,} 条）",
            f"≥ {GOAL_RATE:,} {'✓' if rate >= GOAL_RATE else '✗'}",
        )
    )
    ratio = rate / ceiling["rate"] if ceiling["rate"] else 0
    rows.append(("与上限之比", f"{ratio:.2f}", f"≥ {GOAL_RATIO} {'✓' if ratio >= GOAL_RATIO else '✗'}"))
    latencies = _latencies(devices_run["published_at"], alarm_ids)
    if latencies:
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        rows.append(
            (
                f"报警发布 → 工单创建 p50/p99（{len(latencies)} 条，满负荷下）",
                f"{p50:.0f} / {p99:.0f} ms",
                f"p99 < {GOAL_P99_MS} ms {'✓' if p99 < GOAL_P99_MS else '✗'}",
            )
        )
    else:
        rows.append(("报警发布 → 工单创建", "没有工单", f"p99 < {GOAL_P99_MS} ms ✗"))
    rows.append(("数据完整", devices_run["check"], "无丢失、无重复"))
    return rows


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


def _messages(devices: list[tuple[int, str, str]]) -> tuple[list[tuple[str, bytes, str, str]], set[str]]:
    """(topic, body, message id or "" for malformed, kind) in publishing order, and the alarm ids."""
    rng = random.Random(2026)  # noqa: S311 - bench data
    now = dt.datetime.now(dt.UTC)
    out: list[tuple[str, bytes, str, str]] = []
    smoke = [d for i, d in enumerate(devices) if i % 5]
    alarm_at = set(rng.sample(range(MESSAGES // 10, MESSAGES), min(ALARMS, len(smoke))))
    alarm_devices = iter(rng.sample(smoke, len(alarm_at)))
    alarm_ids: set[str] = set()
    for n in range(MESSAGES):
        if n in alarm_at:
            _, code, topic = next(alarm_devices)
            kind = "smoke"
        else:
            _, code, topic = devices[n % len(devices)]
            kind = "heartbeat"
        message_id = f"b{n:08d}"
        body = {"device": code, "id": message_id, "kind": kind, "at": (now + dt.timedelta(microseconds=n)).isoformat()}
        if kind == "heartbeat":
            body["battery"] = rng.randint(20, 100)
        else:
            body["data"] = {"ppm": rng.randint(200, 900)}
            alarm_ids.add(message_id)
        out.append((topic, json.dumps(body).encode(), message_id, kind))
        if rng.random() < 0.01 and out:
            again = out[rng.randrange(max(0, len(out) - 500), len(out))]
            if again[2]:
                out.append((again[0], again[1], again[2], "dup"))
        if rng.random() < 0.0001:
            out.append((topic, b'{"device": "' + code.encode() + b'", "kind"', "", "malformed"))
    return out, alarm_ids


# --- Publishing with a window ------------------------------------------------------------------------------


def _publish(messages: list, committed: callable, total: int) -> dict:  # type: ignore[valid-type]
    """Publish everything (QoS 1), never more than WINDOW ahead of ``committed()``; wait for ``total``
    commits. Returns first-publish time, end time, publish rate and each message's publish time."""
    import paho.mqtt.client as mqtt

    host, port = _broker()
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}", protocol=mqtt.MQTTv5
    )
    client.max_inflight_messages_set(2000)
    client.max_queued_messages_set(0)
    client.connect(host, port)
    client.loop_start()
    done = {"count": 0}
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            done["count"] = committed()
            time.sleep(0.05)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    published_at: dict[str, float] = {}
    start = time.time()
    last = None
    for index, (topic, body, message_id, kind) in enumerate(messages):
        while index - done["count"] > WINDOW:
            time.sleep(0.005)
        last = client.publish(topic, body, qos=1)
        if kind == "smoke":
            published_at[message_id] = time.time()
    if last is not None:
        last.wait_for_publish(60)
    published = time.time()
    deadline = published + 120
    while time.time() < deadline:
        count = committed()
        if count >= total:
            break
        time.sleep(0.02)
    end = time.time()
    stop.set()
    client.disconnect()
    client.loop_stop()
    return {
        "start": start,
        "end": end,
        "seconds": end - start,
        "published_rate": len(messages) / max(published - start, 1e-9),
        "published_at": published_at,
        "count": committed(),
    }


def _count(sql: str) -> callable:  # type: ignore[valid-type]
    import psycopg

    conn = psycopg.connect(_conninfo(), autocommit=True)

    def count() -> int:
        return conn.execute(sql).fetchone()[0]

    return count


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


# --- 1. The ceiling ----------------------------------------------------------------------------------------


def _phase_ceiling(ctx, messages: list, unique: int) -> dict:  # noqa: ANN001
    import psycopg

    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {CEILING_TABLE}")
        conn.execute(
            f"CREATE TABLE {CEILING_TABLE} (id bigserial PRIMARY KEY, device text, message_id text, kind text, "
            "at timestamptz, data jsonb)"
        )
    group = f"ceil{uuid.uuid4().hex[:6]}"
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "bench.bench_devices", "ceiling", group],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_line(process, "ready")
        time.sleep(0.3)
        total = len([m for m in messages if m[2]])  # the bare client keeps duplicates: it does not de-duplicate
        count = _count(f"SELECT count(*) FROM {CEILING_TABLE}")  # noqa: S608 - a constant
        result = _publish(messages, count, total)
    finally:
        process.terminate()
        process.wait(10)
    result["rate"] = result["count"] / result["seconds"]
    print(f"   上限：{result['count']:,} 行，{result['seconds']:.1f} 秒，{result['rate']:,.0f} 条/秒")
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {CEILING_TABLE}")
    return result


def _ceiling_main(group: str) -> None:
    """The bare consumer: paho, MQTT 5, QoS 1, manual ack; parse the JSON, COPY the batch, commit, ack."""
    import queue

    import paho.mqtt.client as mqtt
    import psycopg
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties
    from paho.mqtt.subscribeoptions import SubscribeOptions

    inbox: queue.Queue = queue.Queue()
    ready = threading.Event()
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-ceil-{group}", protocol=mqtt.MQTTv5, manual_ack=True
    )
    client.on_connect = lambda c, u, f, r, p: c.subscribe(
        f"$share/{group}/gongzhi/+/+/events", options=SubscribeOptions(qos=1)
    )
    client.on_subscribe = lambda c, u, m, r, p: ready.set()
    client.on_message = lambda c, u, msg: inbox.put((msg.mid, msg.qos, msg.payload))
    properties = Properties(PacketTypes.CONNECT)
    properties.ReceiveMaximum = 65535
    host, port = _broker()
    client.connect(host, port, clean_start=True, properties=properties)
    client.loop_start()
    ready.wait(10)
    print("ready", flush=True)
    conn = psycopg.connect(_conninfo())
    while True:
        batch = [inbox.get()]
        deadline = time.monotonic() + FLUSH_MS / 1000
        while len(batch) < MAX_BATCH:
            left = deadline - time.monotonic()
            try:
                batch.append(inbox.get(timeout=left) if left > 0 else inbox.get_nowait())
            except queue.Empty:
                break
        with conn.cursor() as cursor:
            with cursor.copy(f"COPY {CEILING_TABLE} (device, message_id, kind, at, data) FROM STDIN") as copy:
                for _, _, payload in batch:
                    try:
                        value = json.loads(payload)
                        copy.write_row(
                            (
                                value["device"],
                                value["id"],
                                value["kind"],
                                value["at"],
                                json.dumps(value.get("data", {})),
                            )
                        )
                    except (ValueError, KeyError, TypeError):
                        continue
        conn.commit()
        for mid, qos, _ in batch:
            client.ack(mid, qos)


# --- 2. The devices ingestion ------------------------------------------------------------------------------


def _phase_devices(ctx, messages: list, unique: int) -> dict:  # noqa: ANN001
    group = f"dev{uuid.uuid4().hex[:6]}"
    processes = []
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "WARNING"}
    try:
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
                    "30",
                    "--stats-seconds",
                    "0",
                ],  # fmt: skip
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            processes.append(process)
            _wait_line(process, "已启动")
        time.sleep(0.5)
        count = _count("SELECT count(*) FROM devices_event")
        baseline = count()
        result = _publish(messages, lambda: count() - baseline, unique)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(20)
    result["stored"] = result["count"]
    result["rate"] = result["count"] / result["seconds"]
    expected = unique
    result["check"] = f"入库 {result['count']:,} / 应有 {expected:,}" + (
        "，一致" if result["count"] == expected else "，不一致"
    )
    print(f"   接收：{result['count']:,} 条，{result['seconds']:.1f} 秒，{result['rate']:,.0f} 条/秒")
    return result


def _latencies(published_at: dict[str, float], alarm_ids: set[str]) -> list[float]:
    from gongzhi.devices.models import Event

    rows = Event.objects.filter(message_id__in=alarm_ids, alarm__work_order__isnull=False).values_list(
        "message_id", "alarm__work_order__created_at"
    )
    return [(created.timestamp() - published_at[mid]) * 1000 for mid, created in rows if mid in published_at]


if __name__ == "__main__" and len(sys.argv) >= 3 and sys.argv[1] == "ceiling":
    _ceiling_main(sys.argv[2])
