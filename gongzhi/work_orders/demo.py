"""Demo work orders (演示工单): about four months of residents' demands in the demo estates.

Run by ``load_demo`` after the seed estates (gongzhi.demo.builder). Mostly 劲松一区 and 劲松二区
(愿景明德物业, the 劲松 "3 minutes to answer, 10 to the door" tier), some in 广安门北街20号院 (no
property company: the residents' committee handles them) and a few in other estates.

Every order enters through ``work_order_submit`` with its real receipt time (``submitted_at``), so
numbers, routing and the three clocks are the intake's own. The lifecycle services stamp "now", so
the later steps of past orders are written here directly, following the same rules as the services
and the sweep: a step after its clock ran out records the lateness (``*_in_time`` False) and one
rung of escalation at the moment the clock ran out, with the next rung's time to answer
(settings.WORK_ORDER_ESCALATION_MINUTES); orders resolved more than 7 days ago are archived (办结).
Each step is a timeline event with its own time. Deterministic for a given seed and "now".
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import RoleAssignment, User
from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditAction, Notification
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Person, Place
from gongzhi.work_orders import rules, services
from gongzhi.work_orders.choices import (
    IN_TIME_FIELD,
    Channel,
    EscalationLevel,
    EventKind,
    Priority,
    Status,
)
from gongzhi.work_orders.models import Category, WorkOrder, WorkOrderEvent

DAYS = 120
# estate name -> how many orders over the period
ESTATES = {
    "劲松一区": 150,
    "劲松二区": 125,
    "广安门北街20号院": 40,
    "蓟门里小区": 14,
    "老山东里北小区": 12,
    "团结公寓": 10,
}
RESIDENT_USERS = {"劲松一区": "jinsong_owner", "劲松二区": "jinsong_tenant", "广安门北街20号院": "guanganmen_owner"}

# category code -> (weight, descriptions, resolution notes)
DEMANDS: dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]] = {
    "utilities-water-leak": (
        14,
        (
            "厨房水管漏水，已经渗到楼下",
            "卫生间下水管滴水，楼下天花板有水印",
            "楼道暖气管接口漏水",
            "水表井冒水，地面结冰",
        ),
        ("更换三通和阀门，试压无渗漏", "更换下水管接头，楼下住户确认不再滴水", "关阀后更换管段，清理积水"),
    ),
    "utilities-power": (
        11,
        ("单元楼道灯不亮一个多星期了", "整栋楼停电，冰箱里还有药", "楼门口路灯不亮，晚上老人出门不便"),
        ("更换声控灯6个", "配电箱空开跳闸，检修后恢复供电", "更换路灯灯头，加装定时器"),
    ),
    "utilities-heating": (
        5,
        ("暖气不热，屋里只有16度", "暖气片不热，需要放气"),
        ("排气后温度恢复到20度", "联系供热站调整阀门，入户测温19.5度"),
    ),
    "facilities-elevator": (
        8,
        ("电梯停在8层不动，老人下不了楼", "电梯门关不严，运行有异响", "电梯按钮失灵"),
        ("维保单位到场更换门机皮带，试运行正常", "更换外呼按钮，电梯恢复运行"),
    ),
    "facilities-door": (
        6,
        ("单元门禁坏了，门关不上", "单元门闭门器坏了，门一直开着"),
        ("更换门禁电磁锁", "更换闭门器，调整门框"),
    ),
    "sanitation-garbage": (
        12,
        ("垃圾桶满了两天没人清运，有异味", "厨余垃圾桶旁边堆满了装修垃圾", "大件垃圾（旧沙发）堆在楼下"),
        ("已清运，并增加一次下午清运", "联系渣土车清运装修垃圾，张贴告示", "大件垃圾已清运至临时堆放点"),
    ),
    "sanitation-cleaning": (
        5,
        ("楼道很久没打扫了，有小广告", "楼梯扶手很脏"),
        ("楼道清扫并清除小广告", "擦拭扶手，纳入每周保洁计划"),
    ),
    "disputes-occupation": (
        9,
        ("楼道里堆了很多纸箱和旧家具，堵住消防通道", "有人在楼道里放电动车和杂物"),
        ("与住户沟通后清理楼道堆物，消防通道已畅通", "劝导住户移走杂物，张贴楼道禁放提示"),
    ),
    "parking-traffic-disorder": (
        8,
        ("有车常年停在消防通道上", "外来车辆占用小区车位，业主停不进去", "停车纠纷，邻居车辆堵住出口"),
        ("联系车主挪车，设置禁停标识", "加强门岗登记，外来车辆限时停放", "协调双方，划定停车位"),
    ),
    "parking-traffic-ebike": (
        5,
        ("有人从楼上拉电线给电动车充电", "楼道里给电动车充电，担心着火"),
        ("拆除飞线，引导到充电桩充电", "联合社区入户宣传，楼道电动车已移出"),
    ),
    "disputes-noise": (
        7,
        ("楼上每天夜里十一点以后还在跳绳", "底商空调外机噪音很大，晚上睡不着", "广场舞音响声音太大"),
        ("上门沟通，楼上住户承诺晚十点后不再跳绳", "协调商户加装减振垫", "与舞蹈队约定音量和时间"),
    ),
    "disputes-leak-downstairs": (
        4,
        ("楼上卫生间渗水，我家天花板发霉",),
        ("协调楼上住户做闭水试验，重做防水",),
    ),
    "housing-safety-roof": (
        4,
        ("顶层屋面漏雨，下雨时屋里接了三个盆",),
        ("屋面局部重做防水卷材，雨后回访无渗漏",),
    ),
    "housing-safety-wall": (
        3,
        ("外墙保温层有一块脱落，楼下有人走", "楼梯间墙皮大面积脱落"),
        ("拉设警戒线，排除隐患后修补外墙", "铲除空鼓墙皮重新粉刷"),
    ),
    "renovation-illegal-building": (
        3,
        ("一层住户在院子里私搭彩钢房", "顶层住户在楼顶加盖小屋"),
        ("城管执法队到场，违建已拆除", "责令限期自行拆除，已拆除"),
    ),
    "renovation-noise": (
        3,
        ("周末早上七点就开始装修砸墙",),
        ("告知装修时间规定，装修公司已调整施工时间",),
    ),
    "property-service-attitude": (
        2,
        ("门岗保安态度不好",),
        ("项目经理上门致歉，对保安进行培训",),
    ),
}
LOW_COMMENTS = ("处理太慢了", "修完没两天又坏了", "没人回电话", "态度一般，问题只解决了一半")
# plan -> (the clock that ran out, hours since it ran out: low, high). Rungs answer within 24 h
# (settings.WORK_ORDER_ESCALATION_MINUTES), so 2–20 h late is rung 1, 25–46 h the street (吹哨) and
# 49–70 h the district department (报到); 125 h or more and the department's own time has run out too.
STUCK = {
    "stuck_submitted": ("accept", 1, 20),
    "stuck_accepted": ("arrive", 2, 20),
    "stuck_on_site": ("resolve", 2, 20),
    "street": ("resolve", 25, 46),
    "department": ("resolve", 49, 70),
    "overdue": ("resolve", 125, 150),  # past even the department's 3 days: on the overdue list
}
HIGH_COMMENTS = ("师傅来得很快，谢谢", "处理及时，满意", "", "", "问题解决了", "服务很好")


@dataclass
class _People:
    manager: User | None = None
    staff: User | None = None
    community: User | None = None
    callers: list[tuple[str, str]] = field(default_factory=list)
    resident: User | None = None


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _staff_of(company_id: int | None, role: str) -> User | None:
    if company_id is None:
        return None
    ra = (
        RoleAssignment.objects.filter(company_id=company_id, role=role, active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return ra.user if ra else None


def _community_staff(estate: Place) -> User | None:
    ra = (
        RoleAssignment.objects.filter(place_id=estate.parent_id, role="community_staff", active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return ra.user if ra else None


class _Builder:
    def __init__(self, seed: int, now: dt.datetime) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        self.now = now
        self.events: list[WorkOrderEvent] = []
        self.counts = {"orders": 0}
        self.calendar = services.calendar()
        self.case_seq = 0
        self.categories = {c.code: c for c in Category.objects.filter(code__in=DEMANDS)}

    # --- helpers ---------------------------------------------------------------------------------

    def _at(self, day_offset: float) -> dt.datetime:
        """A receipt time ``day_offset`` days back, at a plausible hour (most calls 7:00–22:00)."""
        day = timezone.localdate(self.now) - dt.timedelta(days=int(day_offset))
        hour = self.rng.choices([self.rng.randint(7, 21), self.rng.randint(0, 6)], weights=[92, 8])[0]
        local = dt.datetime.combine(day, dt.time(hour, self.rng.randint(0, 59)), tzinfo=timezone.get_current_timezone())
        return min(local, self.now - dt.timedelta(minutes=self.rng.randint(5, 90)))

    def _event(self, order: WorkOrder, kind: str, at: dt.datetime, actor: User | None, note: str = "", **data: Any):
        self.events.append(WorkOrderEvent(order=order, kind=kind, actor=actor, at=at, note=note, data=data))

    def _deadline(self, start: dt.datetime, minutes: int, order: WorkOrder) -> dt.datetime:
        return rules.deadline(start, minutes, order.sla_working_hours, self.calendar)

    def _run_clock(self, order: WorkOrder, field_name: str, until: dt.datetime, changes: dict[str, Any]) -> bool:
        """The clock ``field_name`` runs until ``until`` (the next step, or now). Each time it runs out
        first, the sweep's escalation happens at that moment. Returns whether it was met."""
        met = True
        while changes[field_name] is not None and changes[field_name] < until:
            met = False
            changes[IN_TIME_FIELD[field_name]] = False
            level = changes["escalation_level"]
            if level >= rules.TOP:
                break
            due = changes[field_name]
            level += 1
            changes["escalation_level"], changes["escalated_at"] = level, due
            changes[field_name] = self._deadline(due, settings.WORK_ORDER_ESCALATION_MINUTES[level], order)
            label = {"accept_by": "受理", "arrive_by": "到场", "resolve_by": "办结"}[field_name]
            note = f"{label}超时（时限{timezone.localtime(due):%m月%d日 %H:%M}），升级至{EscalationLevel(level).label}"
            self._event(order, EventKind.ESCALATED, due, None, note, level=level, automatic=True, clock=field_name)
        return met

    # --- one order ---------------------------------------------------------------------------------

    def order(self, estate: Place, people: _People, age_days: float, plan: str, code: str = "") -> None:
        rng = self.rng
        codes = list(DEMANDS)
        code = code or rng.choices(codes, weights=[DEMANDS[c][0] for c in codes])[0]
        category = self.categories[code]
        _, descriptions, notes = DEMANDS[code]
        priority = (
            Priority.HIGH if code in ("facilities-elevator", "utilities-power") and rng.random() < 0.3 else "normal"
        )
        if code == "housing-safety-wall" and rng.random() < 0.5:
            priority = Priority.EMERGENCY
        if plan in STUCK:
            # an open order whose running clock ran out long enough ago to be on the planned rung
            clock, low, high = STUCK[plan]
            limits = services.sla_limits_for(
                estate=estate, category=category, priority=priority, on=timezone.localdate(self.now)
            )
            minutes = getattr(limits, clock) + rng.uniform(low, high) * 60
            submitted_at = self.now - dt.timedelta(minutes=minutes)
        else:
            submitted_at = self._at(age_days)
        building = rng.choice(estate.buildings) if estate.buildings else None
        location = f"{building.name}{rng.randint(1, 4)}单元" if building else ""
        channel = rng.choices(
            [Channel.HOTLINE, Channel.HOTLINE_12345, Channel.RESIDENT_APP, Channel.PATROL], weights=[42, 28, 22, 8]
        )[0]
        if plan in ("department", "overdue"):
            channel = Channel.HOTLINE_12345
        reporter = None
        name, phone = rng.choice(people.callers) if people.callers else ("", "")
        if channel == Channel.RESIDENT_APP:
            if people.resident is not None and rng.random() < 0.35:
                reporter, name, phone = people.resident, "", ""
            else:
                channel = Channel.HOTLINE
        if channel == Channel.PATROL:
            name, phone = "", ""
        external_ref = ""
        if channel == Channel.HOTLINE_12345:
            self.case_seq += 1
            external_ref = f"{timezone.localdate(submitted_at):%Y%m%d}{self.case_seq:05d}"
        order = services.work_order_submit(
            channel=channel,
            category=category,
            estate=estate,
            building=building,
            location=location,
            description=rng.choice(descriptions),
            priority=priority,
            reporter=reporter,
            reporter_name=name,
            reporter_phone=phone,
            external_ref=external_ref,
            submitted_at=submitted_at,
            actor=reporter or people.staff or people.community,
        )
        self.counts["orders"] += 1
        self._lifecycle(order, people, plan, rng.choice(notes))

    def _lifecycle(self, order: WorkOrder, people: _People, plan: str, note: str) -> None:
        rng = self.rng
        limits = services.sla_limits_for(
            estate=order.estate,
            category=order.category,
            priority=order.priority,
            on=timezone.localdate(order.submitted_at),
        )
        handler = people.manager or people.community
        worker = people.staff or people.manager or people.community
        changes: dict[str, Any] = {
            "accept_by": order.accept_by,
            "resolve_by": order.resolve_by,
            "arrive_by": None,
            "escalation_level": EscalationLevel.PROPERTY,
            "escalated_at": None,
        }
        now = self.now
        late_clock = rng.choice(["accept", "arrive", "resolve"]) if plan == "late" else ""

        def late(clock: str) -> bool:
            if plan in STUCK:
                return False
            return clock == late_clock or (plan == "normal" and rng.random() < 0.035)

        if plan == "cancelled":
            # withdrawn by the caller before the property company took it up
            span = max((changes["accept_by"] - order.submitted_at).total_seconds() / 60, 1)
            at = min(order.submitted_at + dt.timedelta(minutes=span * rng.uniform(0.2, 0.9)), now)
            self._run_clock(order, "accept_by", at, changes)
            changes |= {"status": Status.CANCELLED, "cancelled_at": at}
            self._event(order, EventKind.CANCELLED, at, handler, "报事人来电说明问题已自行解决，申请撤销")
            return self._write(order, changes)
        # accept
        span = max((changes["accept_by"] - order.submitted_at).total_seconds() / 60, 1)
        minutes = span + rng.uniform(1, 120) if late("accept") else span * rng.uniform(0.1, 0.9)
        accepted_at = order.submitted_at + dt.timedelta(minutes=minutes)
        if plan == "stuck_submitted" or accepted_at >= now:
            self._run_clock(order, "accept_by", now, changes)
            return self._write(order, changes)
        changes["accepted_in_time"] = self._run_clock(order, "accept_by", accepted_at, changes)
        arrive_by = min(self._deadline(accepted_at, limits.arrive, order), changes["resolve_by"])
        changes |= {"status": Status.ACCEPTED, "accepted_at": accepted_at, "arrive_by": arrive_by}
        self._event(order, EventKind.ACCEPTED, accepted_at, handler, arrive_by=arrive_by.isoformat())
        if people.staff is not None:
            changes["assignee"] = people.staff
            self._event(order, EventKind.ASSIGNED, accepted_at + dt.timedelta(seconds=30), handler, str(worker))
        # arrive
        span = max((arrive_by - accepted_at).total_seconds() / 60, 1)
        minutes = span + rng.uniform(5, 600) if late("arrive") else span * rng.uniform(0.2, 0.95)
        arrived_at = accepted_at + dt.timedelta(minutes=minutes)
        if plan == "stuck_accepted" or arrived_at >= now:
            self._run_clock(order, "arrive_by", now, changes)
            return self._write(order, changes)
        changes["arrived_in_time"] = self._run_clock(order, "arrive_by", arrived_at, changes)
        changes |= {"status": Status.ON_SITE, "arrived_at": arrived_at}
        self._event(order, EventKind.ARRIVED, arrived_at, worker)
        # resolve: most well within the case's resolve clock, some after it ran out
        remaining = (changes["resolve_by"] - arrived_at).total_seconds() / 60
        if remaining <= 0 or late("resolve"):
            resolved_at = max(arrived_at, changes["resolve_by"]) + dt.timedelta(minutes=rng.uniform(30, 20 * 60))
        else:
            resolved_at = arrived_at + dt.timedelta(minutes=remaining * rng.uniform(0.05, 0.7))
        if plan in STUCK or resolved_at >= now:
            self._run_clock(order, "resolve_by", now, changes)
            return self._write(order, changes)
        changes["resolved_in_time"] = self._run_clock(order, "resolve_by", resolved_at, changes)
        changes |= {"status": Status.RESOLVED, "resolved_at": resolved_at}
        self._event(order, EventKind.RESOLVED, resolved_at, worker, note, in_time=changes["resolved_in_time"])
        # confirm and rate (the reporter, or the community's call-back for phone and 12345 cases)
        confirmer = order.reporter or people.community
        confirmed_at = resolved_at + dt.timedelta(minutes=rng.randint(30, 3 * 24 * 60))
        if order.channel != Channel.PATROL and confirmed_at < now and rng.random() < 0.8:
            slow = changes.get("resolved_in_time") is False or changes["escalation_level"] > 0
            weights = [10, 10, 15, 30, 35] if slow else [1, 2, 6, 28, 63]
            rating = rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
            comment = rng.choice(LOW_COMMENTS if rating <= 2 else HIGH_COMMENTS)
            changes |= {"status": Status.CONFIRMED, "confirmed_at": confirmed_at, "rating": rating, "comment": comment}
            self._event(order, EventKind.CONFIRMED, confirmed_at, confirmer, comment, rating=rating)
        closed_at = resolved_at + dt.timedelta(days=settings.WORK_ORDER_REOPEN_DAYS, minutes=rng.randint(1, 30))
        if closed_at < now:
            rated = "rating" in changes
            changes |= {"status": Status.CLOSED, "closed_at": closed_at}
            note = "已评价，办结归档" if rated else "报事人未在期限内评价，办结归档"
            self._event(order, EventKind.CLOSED, closed_at, None, note)
        return self._write(order, changes)

    def _write(self, order: WorkOrder, changes: dict[str, Any]) -> None:
        # the running clock of an open order is the one its state names; the others stay as recorded
        WorkOrder.objects.filter(pk=order.pk).update(**changes)
        for name, value in changes.items():
            setattr(order, name, value)

    # --- whole estates -----------------------------------------------------------------------------

    def plans(self, count: int) -> list[tuple[float, str]]:
        """(age in days, plan) per order: most done; recent ones in progress; a few stuck and escalated."""
        out = []
        for _ in range(count):
            age = self.rng.triangular(0, DAYS, DAYS * 0.35)
            plan = "normal"
            roll = self.rng.random()
            if roll < 0.02:
                plan = "cancelled"
            elif roll < 0.05:
                plan = "late"
            out.append((age, plan))
        return out

    def estate(self, estate: Place, count: int, extra: list[str]) -> None:
        company_id = services.current_contract(estate, timezone.localdate(self.now))
        company_id = company_id.company_id if company_id else None
        people = _People(
            manager=_staff_of(company_id, "property_manager"),
            staff=_staff_of(company_id, "property_staff"),
            community=_community_staff(estate),
            callers=list(
                Person.objects.filter(place__path__startswith=estate.path)
                .exclude(phone="")
                .order_by("pk")
                .values_list("name", "phone")[:300]
            ),
        )
        resident = RESIDENT_USERS.get(estate.name)
        people.resident = _user(resident) if resident else None
        estate.buildings = list(Place.objects.filter(parent=estate, kind=PlaceKind.BUILDING).order_by("pk")[:40])
        for age, plan in self.plans(count):
            self.order(estate, people, age, plan)
        # orders still open at every stage: received today, overdue and escalated
        for plan, age in [("normal", 0.0)] * 3 + [(p, 0.0) for p in extra]:
            self.order(estate, people, age, plan, code="renovation-illegal-building" if plan == "department" else "")
        self.people = people


def build(*, seed: int = 2026, now: dt.datetime | None = None, log: Any = None) -> dict[str, int]:
    """Make the demo orders (once: nothing is made if demo orders exist). Returns counts and seconds."""
    log = log or (lambda _msg: None)
    now = now or timezone.now()
    started = time.monotonic()
    builder = _Builder(seed, now)
    estates = {p.name: p for p in Place.objects.filter(kind=PlaceKind.ESTATE, name__in=ESTATES).order_by("pk")}
    if not estates or WorkOrder.objects.filter(estate__in=estates.values()).exists():
        return {"orders": 0, "seconds": 0.0}
    extras = {
        "劲松一区": ["stuck_submitted", "stuck_accepted", "stuck_on_site", "street", "street", "overdue"],
        "劲松二区": ["stuck_accepted", "stuck_on_site", "street", "department", "overdue"],
        "广安门北街20号院": ["stuck_on_site", "street"],
    }
    with transaction.atomic():
        for name, count in ESTATES.items():
            estate = estates.get(name)
            if estate is None:
                continue
            builder.estate(estate, count, extras.get(name, []))
        WorkOrderEvent.objects.bulk_create(builder.events, batch_size=500)
        # Old orders' "please accept" messages are long dealt with: leave only open orders' unread.
        open_links = [
            reverse("work_orders:detail", args=[pk])
            for pk in WorkOrder.objects.filter(estate__in=estates.values()).open().values_list("pk", flat=True)
        ]
        Notification.objects.filter(read_at__isnull=True, link__startswith="/work-orders/").exclude(
            link__in=open_links
        ).update(read_at=now)
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            object_type="work_orders.demo",
            object_id=str(seed),
            summary=f"加载演示工单：{builder.counts['orders']} 件（种子 {seed}）",
        )
    from gongzhi.work_orders.reports import (
        demo as demo_reports,  # the 物管会's 6大类22项 (it builds on this module's builder)
    )

    builder.counts["ledger"] = demo_reports.build(seed=seed, now=now, log=log)
    from gongzhi.work_orders.routing import (
        demo as demo_rules,  # routing rules and time limits for the orders filed from now on
    )

    builder.counts["rules"] = demo_rules.build(seed=seed, log=log)["rules"]
    builder.counts["seconds"] = round(time.monotonic() - started, 1)
    log(f"演示工单：{builder.counts['orders']} 件，用时 {builder.counts['seconds']} 秒。")
    return builder.counts


__all__ = ["build"]
