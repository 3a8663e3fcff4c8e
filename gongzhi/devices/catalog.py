"""The device types and alarm rules the platform starts with (设备类型与告警规则), after DESIGN.md §5.2:
smoke → critical, water leak → high, door held open → normal, missed heartbeats → offline (low).

Clocks are minutes: accept (受理), arrive (到场), resolve (办结). Used by the data migration, the demo
and tests (a transactional test flushes migration-seeded rows). Staff edit the rules afterwards.
"""

from __future__ import annotations

from typing import Any

OFFLINE_RULE = ("offline", "设备离线", "low", False, None, None, None, None, 24 * 60, [])

# (code, name, heartbeat seconds, rules: (event, label, severity, dispatch, category code,
#  accept, arrive, resolve, fold minutes, clear events))
TYPES: list[tuple[str, str, int, list[tuple]]] = [
    ("smoke", "烟感探测器", 300, [
        ("smoke", "烟雾报警", "critical", True, "facilities-fire", 3, 10, 60, 10, ["smoke_clear"]),
        ("tamper", "防拆报警", "normal", False, None, None, None, None, 60, []),
        ("low_battery", "电量低", "low", False, None, None, None, None, 24 * 60, []),
        OFFLINE_RULE,
    ]),
    ("water_leak", "水浸传感器", 300, [
        ("leak", "漏水报警", "high", True, "utilities-water-leak", 5, 30, 240, 30, ["leak_clear"]),
        OFFLINE_RULE,
    ]),
    ("door_magnet", "消防门门磁", 300, [
        ("door_held_open", "消防门常开", "normal", False, "facilities-fire", None, None, None, 30, ["door_closed"]),
        OFFLINE_RULE,
    ]),
    ("elevator", "电梯运行监测", 60, [
        ("trapped", "电梯困人", "critical", True, "facilities-elevator", 3, 15, 60, 10, ["trapped_clear"]),
        ("elevator_fault", "电梯故障", "high", True, "facilities-elevator", 10, 30, 240, 30, ["fault_clear"]),
        OFFLINE_RULE,
    ]),
    ("camera", "AI视频监控", 120, [
        (
            "fire_lane_blocked", "消防通道占用", "high", True, "parking-traffic-disorder", 10, 30, 120, 30,
            ["fire_lane_clear"],
        ),
        ("ebike_in_lift", "电动车进电梯", "high", True, "parking-traffic-ebike", 5, 15, 60, 5, []),
        ("garbage_overflow", "垃圾满溢", "normal", False, "sanitation-garbage", None, None, None, 60, ["garbage_clear"]),
        OFFLINE_RULE,
    ]),
]  # fmt: skip


def seed(apps: Any = None, schema_editor: Any = None) -> None:  # noqa: ARG001 - also a RunPython callable
    """Create the types and rules that are missing; an existing row (maybe edited by staff) is left alone."""
    if apps is None:
        from django.apps import apps
    DeviceType = apps.get_model("devices", "DeviceType")
    AlarmRule = apps.get_model("devices", "AlarmRule")
    Category = apps.get_model("work_orders", "Category")
    categories = dict(Category.objects.values_list("code", "pk"))
    for position, (code, name, heartbeat, rules) in enumerate(TYPES, start=1):
        device_type, _ = DeviceType.objects.get_or_create(
            code=code, defaults={"name": name, "heartbeat_seconds": heartbeat, "position": position}
        )
        for event, label, severity, dispatch, category, accept, arrive, resolve, fold, clears in rules:
            AlarmRule.objects.get_or_create(
                device_type=device_type,
                event=event,
                defaults={
                    "label": label,
                    "severity": severity,
                    "dispatch": dispatch,
                    "category_id": categories.get(category) if category else None,
                    "accept_minutes": accept,
                    "arrive_minutes": arrive,
                    "resolve_minutes": resolve,
                    "fold_minutes": fold,
                    "clear_events": clears,
                },
            )
