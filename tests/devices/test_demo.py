"""The demo terminals (gongzhi.devices.demo) on estates named like the demo's: 瑞金二路街道's lanes and
劲松; history through the ingestion path, recent alarms with their work orders, one closed with its order."""

from __future__ import annotations

import datetime as dt

from gongzhi.devices import demo
from gongzhi.devices.models import Alarm, Device
from gongzhi.governance import services as gov
from gongzhi.registry import services as reg
from gongzhi.work_orders.choices import Status


def test_the_demo_builds_devices_history_and_dispatched_alarms(dv):
    lane = reg.place_create(kind="estate", name="南昌路168弄", parent=dv.community_a, actor=None)
    reg.place_create(kind="building", name="1号", parent=lane, actor=None)
    jinsong = reg.place_create(kind="estate", name="劲松一区", parent=dv.community_a, actor=None)
    for estate in (lane, jinsong):
        gov.contract_create(
            company=dv.company_a, estate=estate, start=dt.date(2024, 1, 1), fee_residential_fen=60, actor=None
        )
    lines = []
    demo.build(seed=2026, log=lines.append)
    devices = Device.objects.filter(estate__in=[lane, jinsong])
    assert devices.count() == len(demo.ESTATES["南昌路168弄"]) + len(demo.ESTATES["劲松一区"])
    assert "演示智能终端" in lines[0]
    alarms = Alarm.objects.filter(estate__in=[lane, jinsong])
    history = alarms.filter(work_order__isnull=True).exclude(rule__event="offline")
    assert history.count() > 5 and not history.exclude(state="closed").exists()
    smoke = alarms.get(rule__event="smoke", work_order__isnull=False)
    leak = alarms.get(rule__event="leak")
    assert smoke.state == "open" and smoke.work_order.status == Status.SUBMITTED
    assert leak.state == "closed" and leak.work_order.status == Status.RESOLVED
    assert alarms.filter(rule__event="offline", state="open").count() == 1  # the silent camera
    demo.build(seed=2026, log=lines.append)  # a second run adds nothing
    assert Device.objects.filter(estate__in=[lane, jinsong]).count() == devices.count()
