"""Demo problem ledger (演示问题台账): the 物管会's walk-round of 广安门北街20号院, "6大类、22项问题".

The seed report: after the 物管会 of 广安门北街20号院 was formed, "在居民的积极参与下，我们已经梳理了
小区内存在的6大类、22项问题。这些问题，我们会一项项，挨个解决。" Here those 22 problems are entered
on one day (a recent day on which the estate had no other demand, so the ledger of that day reads
exactly "6大类22项") as patrol findings (巡查发现), each through ``work_order_submit``, then taken along
their lifecycle by the work-order demo's own builder: most solved, some late, a few still open and
escalated. Called at the end of ``gongzhi.work_orders.demo.build``; does nothing if already there.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place
from gongzhi.work_orders import demo, services
from gongzhi.work_orders.choices import Channel
from gongzhi.work_orders.models import Category, WorkOrder, WorkOrderEvent

ESTATE = "广安门北街20号院"
MARK = "WGH"  # external_ref of the walk-round findings: WGH-<day>-<n>
# (category code, where, what the residents said, how it was solved) — 6 top-level categories, 22 items
PROBLEMS: list[tuple[str, str, str, str]] = [
    ("utilities-water-leak", "1号楼地下室", "上水总管锈蚀渗水，地下室常年积水", "更换锈蚀管段12米，加装检修阀"),
    ("utilities-water-leak", "2号楼3单元", "楼道雨水管破裂，下雨时墙面流水", "更换雨水立管"),
    ("utilities-power", "院内主路", "院内路灯一半不亮，晚上看不清路", "更换路灯灯具8套，加装光控开关"),
    ("utilities-power", "1号楼各单元", "楼道声控灯损坏", "更换声控灯24个"),
    ("utilities-heating", "3号楼顶层", "顶层住户暖气不热", "管网排气并加装自动排气阀"),
    ("sanitation-garbage", "院东门", "垃圾桶站无人管理，垃圾满溢", "设置分类桶站，安排专人定时清运"),
    ("sanitation-cleaning", "各楼楼道", "楼道多年无人保洁，小广告多", "建立每周保洁制度，清除小广告"),
    ("sanitation-greening", "中心绿地", "绿地荒废，杂草丛生", "清理杂草，补种绿篱"),
    ("sanitation-pests", "地下室、垃圾站", "老鼠多，夏天蚊蝇多", "投放鼠药并定期消杀"),
    ("property-service-security", "院南门", "大门没人看管，外来人员随意进出", "设立门岗，实行来访登记"),
    ("property-service-fees", "全院", "停车、卫生等费用怎么收没有章程", "物管会拟定收费方案，召开业主代表会"),
    ("property-service-attitude", "全院", "产权单位管理员联系不上，报修无门", "公布物管会电话，建立报修台账"),
    ("facilities-door", "1号楼、2号楼", "单元门锁坏了多年", "更换单元门锁和闭门器"),
    ("facilities-fire", "各楼楼道", "灭火器过期、消火栓无水", "更换灭火器，联系消防部门检修消火栓"),
    ("facilities-roads", "院内主路", "路面坑洼，井盖松动", "修补路面，更换松动井盖"),
    ("facilities-elevator", "3号楼", "老楼无电梯，老人上下楼困难", "征求意见，纳入加装电梯意向统计"),
    ("parking-traffic-disorder", "院内主路", "车辆乱停，消防通道被堵", "划定车位，消防通道设禁停标识"),
    ("parking-traffic-zombie", "院西侧", "三辆僵尸车长期占用车位", "联系车主挪走，无主车辆报交通部门处理"),
    ("parking-traffic-ebike", "2号楼楼道", "电动车楼道充电、飞线充电", "建设集中充电棚，拆除飞线"),
    ("housing-safety-roof", "2号楼顶层", "屋面防水老化，雨天漏雨", "屋面重做防水"),
    ("housing-safety-wall", "1号楼北侧", "外墙皮脱落，有砸人危险", "拉警戒线，铲除空鼓墙皮"),
    ("housing-safety-stairs", "3号楼", "楼梯扶手松动断裂", "加固更换楼梯扶手"),
]
# How far each item has got (the builder's plans): most solved, some late, a few still open.
PLANS = ["normal"] * 15 + ["late"] * 3 + ["stuck_accepted", "stuck_on_site", "stuck_on_site", "street"]


def _quiet_day(estate: Place, now: dt.datetime) -> dt.date:
    """The most recent day 10–40 days back with no demand of the estate (else 10 days back)."""
    today = timezone.localdate(now)
    taken = {
        timezone.localdate(at)
        for at in WorkOrder.objects.filter(estate=estate, submitted_at__gte=now - dt.timedelta(days=41)).values_list(
            "submitted_at", flat=True
        )
    }
    for back in range(10, 41):
        day = today - dt.timedelta(days=back)
        if day not in taken:
            return day
    return today - dt.timedelta(days=10)


def build(*, seed: int = 2026, now: dt.datetime | None = None, log: Any = None) -> dict[str, Any]:
    """Enter the 22 problems (once). Returns how many were made and the day they were entered on."""
    log = log or (lambda _msg: None)
    now = now or timezone.now()
    estate = Place.objects.filter(kind=PlaceKind.ESTATE, name=ESTATE).first()
    if estate is None or WorkOrder.objects.filter(estate=estate, external_ref__startswith=f"{MARK}-").exists():
        return {"items": 0, "day": None}
    builder = demo._Builder(seed + 22, now)
    people = demo._People(community=demo._community_staff(estate))
    categories = {c.code: c for c in Category.objects.filter(code__in={p[0] for p in PROBLEMS})}
    buildings = {p.name: p for p in Place.objects.filter(parent=estate, kind=PlaceKind.BUILDING)}
    day = _quiet_day(estate, now)
    tz = timezone.get_current_timezone()
    with transaction.atomic():
        for n, ((code, where, what, done), plan) in enumerate(zip(PROBLEMS, PLANS, strict=True)):
            # a walk-round from 9:00, one finding every ten minutes or so
            submitted_at = dt.datetime.combine(day, dt.time(9, 0), tzinfo=tz) + dt.timedelta(minutes=11 * n)
            building = next((b for name, b in buildings.items() if where.startswith(name)), None)
            order = services.work_order_submit(
                channel=Channel.PATROL,
                category=categories[code],
                estate=estate,
                building=building,
                location=where,
                description=what,
                external_ref=f"{MARK}-{day:%Y%m%d}-{n + 1:02d}",
                submitted_at=submitted_at,
                actor=people.community,
            )
            builder._lifecycle(order, people, plan, done)
        WorkOrderEvent.objects.bulk_create(builder.events, batch_size=500)
    log(f"演示问题台账：{ESTATE} {day:%Y-%m-%d} 梳理问题 6大类{len(PROBLEMS)}项。")
    return {"items": len(PROBLEMS), "day": day}
