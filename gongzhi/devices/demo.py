"""Demo smart terminals (演示智慧物业终端): 瑞金二路街道's terminal system (南昌路168弄, 思南路26弄小区 —
"借助智能探头、烟感设备……终端线上预警、平台自动派单、线下快速处置"), and the same in 劲松一区、劲松二区
and 富南大厦, where the demo logins work.

Two weeks of alarm history that opened no work order (fire doors held open, garbage overflow, tamper,
low battery, a device that went offline and came back), every alarm cleared or closed; then, in the
last hour, a smoke alarm, a leak and an e-bike carried into a lift that dispatched work orders through
the work-order service — one being handled, one done (its alarm closed with the order). Everything goes
through the ingestion path (gongzhi.devices.ingest) and the services. Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from typing import Any

from django.utils import timezone

from gongzhi.devices import catalog, services
from gongzhi.devices.ingest import Incoming, Ingestor
from gongzhi.devices.models import Alarm, Device, DeviceType
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place
from gongzhi.work_orders import services as work_orders

# estate → [(type code, code suffix, name, location)], buildings picked in order
ESTATES: dict[str, list[tuple[str, str, str, str]]] = {
    "南昌路168弄": [
        ("smoke", "SMK-01", "弄堂口烟感", "总弄口配电箱旁"),
        ("smoke", "SMK-02", "公共灶披间烟感", "公共灶披间"),
        ("smoke", "SMK-03", "晒台楼梯烟感", "三层晒台楼梯"),
        ("door_magnet", "DOOR-01", "后弄消防门门磁", "后弄消防门"),
        ("camera", "CAM-01", "弄堂AI摄像头", "总弄中段"),
        ("water_leak", "LEAK-01", "水表间水浸", "总水表间"),
    ],
    "思南路26弄小区": [
        ("smoke", "SMK-01", "楼道烟感", "二层楼道"),
        ("smoke", "SMK-02", "楼道烟感", "三层楼道"),
        ("elevator", "ELV-01", "加装电梯运行监测", "加装电梯"),
        ("camera", "CAM-01", "电梯厅AI摄像头", "一层电梯厅"),
        ("door_magnet", "DOOR-01", "消防门门磁", "楼梯间消防门"),
    ],
    "劲松一区": [
        ("smoke", "SMK-01", "楼道烟感", "1单元3层"),
        ("smoke", "SMK-02", "楼道烟感", "2单元5层"),
        ("water_leak", "LEAK-01", "地下泵房水浸", "地下泵房"),
        ("camera", "CAM-01", "消防通道AI摄像头", "东侧消防通道"),
        ("camera", "CAM-02", "垃圾分类驿站摄像头", "垃圾分类驿站"),
        ("door_magnet", "DOOR-01", "消防门门磁", "1单元消防门"),
    ],
    "劲松二区": [
        ("smoke", "SMK-01", "楼道烟感", "3单元2层"),
        ("elevator", "ELV-01", "电梯运行监测", "1号电梯"),
        ("camera", "CAM-01", "电梯轿厢AI摄像头", "1号电梯轿厢"),
        ("water_leak", "LEAK-01", "配电室水浸", "配电室"),
    ],
    "富南大厦": [
        ("smoke", "SMK-01", "商务楼层烟感", "5层公共走廊"),
        ("smoke", "SMK-02", "住宅楼层烟感", "15层公共走廊"),
        ("elevator", "ELV-01", "客梯运行监测", "1号客梯"),
        ("elevator", "ELV-02", "客梯运行监测", "2号客梯"),
        ("camera", "CAM-01", "地库消防通道摄像头", "地下车库坡道"),
        ("door_magnet", "DOOR-01", "防火门门磁", "10层防火门"),
    ],
}
PREFIX = {
    "南昌路168弄": "RJ-NC168",
    "思南路26弄小区": "RJ-SN26",
    "劲松一区": "JS1",
    "劲松二区": "JS2",
    "富南大厦": "FN",
}
# Alarms of the last two weeks that dispatch nothing: (type, event, clear event or "" to be closed by staff)
HISTORY = [
    ("door_magnet", "door_held_open", "door_closed"),
    ("camera", "garbage_overflow", "garbage_clear"),
    ("smoke", "tamper", ""),
    ("smoke", "low_battery", ""),
]


def _estate(name: str) -> Place | None:
    return Place.objects.filter(kind=PlaceKind.ESTATE, name=name).order_by("pk").first()


def _payload(device: Device, kind: str, at: dt.datetime, index: int, **extra: Any) -> Incoming:
    body = {"device": device.code, "id": f"demo-{index:06d}", "kind": kind, "at": at.isoformat(), **extra}
    return Incoming(payload=json.dumps(body).encode(), topic=device.topic)


def build(seed: int, log: Any) -> None:
    started = time.monotonic()
    catalog.seed()
    rng = random.Random(seed)  # noqa: S311 - demo data
    types = {t.code: t for t in DeviceType.objects.all()}
    devices: dict[str, list[Device]] = {}
    for estate_name, specs in ESTATES.items():
        estate = _estate(estate_name)
        if estate is None:
            continue
        buildings = list(Place.objects.filter(kind=PlaceKind.BUILDING, parent=estate).order_by("sort_key", "pk")[:6])
        for index, (type_code, suffix, name, location) in enumerate(specs):
            code = f"{PREFIX[estate_name]}-{suffix}"
            if Device.objects.filter(code=code).exists():
                continue  # built already
            building = buildings[index % len(buildings)] if buildings and type_code != "camera" else None
            device, _ = services.device_create(
                estate=estate,
                building=building,
                device_type=types[type_code],
                code=code,
                name=name,
                location=location,
                actor=None,
            )
            devices.setdefault(estate_name, []).append(device)
    everything = [d for ds in devices.values() for d in ds]
    if not everything:
        return
    ingestor = Ingestor(cache_seconds=0)
    now = timezone.now()
    counter = iter(range(1, 10**6))

    # Two weeks of alarms that dispatch nothing, each with its own moment; cleared ones clear themselves.
    for _ in range(36):
        type_code, event, clear = rng.choice(HISTORY)
        candidates = [d for d in everything if d.device_type.code == type_code]
        if not candidates:
            continue
        device = rng.choice(candidates)
        at = now - dt.timedelta(days=rng.uniform(0.2, 14))
        batch = [_payload(device, event, at, next(counter), data={"simulated": True})]
        if rng.random() < 0.4:  # the device repeated itself within the fold window
            batch.append(_payload(device, event, at + dt.timedelta(minutes=rng.randint(1, 5)), next(counter)))
        ingestor.ingest(batch, now=at + dt.timedelta(minutes=6))
        if clear:
            later = at + dt.timedelta(minutes=rng.randint(8, 90))
            ingestor.ingest([_payload(device, clear, later, next(counter))], now=later)
    for alarm in Alarm.objects.filter(device__in=everything, state="open", rule__severity__in=["normal", "low"]):
        services.alarm_close(alarm=alarm, note="物业已现场核实处理", actor=None)

    # Everyone reports now; a few batteries are low; one camera has been silent for an hour (offline).
    silent = next((d for d in everything if d.device_type.code == "camera"), None)
    beats = []
    for device in everything:
        battery = rng.choice([12, 18]) if rng.random() < 0.12 else rng.randint(45, 100)
        at = now - dt.timedelta(hours=1) if device == silent else now - dt.timedelta(seconds=rng.randint(5, 100))
        beats.append((at, _payload(device, "heartbeat", at, next(counter), battery=battery)))
    for at, item in sorted(beats, key=lambda b: b[0]):
        ingestor.ingest([item], now=at)
    services.sweep_offline(now)

    # The last hour: alarms that dispatched work orders.
    recent = [
        ("南昌路168弄", "smoke", "smoke", 14),
        ("劲松一区", "water_leak", "leak", 35),
        ("劲松二区", "camera", "ebike_in_lift", 50),
        ("富南大厦", "elevator", "elevator_fault", 8),
    ]
    opened: list[Alarm] = []
    for estate_name, type_code, event, minutes_ago in recent:
        device = next((d for d in devices.get(estate_name, []) if d.device_type.code == type_code), None)
        if device is None:
            continue
        at = now - dt.timedelta(minutes=minutes_ago)
        outcome = ingestor.ingest([_payload(device, event, at, next(counter), data={"simulated": True})], now=at)
        opened += list(Alarm.objects.filter(pk__in=outcome.alarms_opened))
    _handle(opened)
    log(
        f"演示智能终端：{len(everything)} 台设备，{Alarm.objects.filter(device__in=everything).count()} 条告警"
        f"（{time.monotonic() - started:.1f} 秒）"
    )


def _handle(alarms: list[Alarm]) -> None:
    """The property company answers: the leak is fixed (its alarm closes with the order), the e-bike
    order is accepted; the smoke alarm and the lift fault wait on the wall."""
    for alarm in alarms:
        order = alarm.work_order
        if order is None:
            continue
        if alarm.rule.event == "leak":
            work_orders.work_order_accept(work_order=order, actor=None)
            work_orders.work_order_arrive(work_order=order, actor=None)
            work_orders.work_order_resolve(work_order=order, note="关闭进水阀，更换破裂管段，泵房已排水", actor=None)
        elif alarm.rule.event == "ebike_in_lift":
            work_orders.work_order_accept(work_order=order, actor=None)
