"""Demo notices (演示公告公示): 太阳都市花园后期小区 posted its notices in every lobby, consulted residents in
building-group chats and answered questions at briefings in batches (报道 004). Here: a lift
maintenance 通知, an assembly 会议通知 posted 18 days before the meeting (§E 19), an owners'
committee 决议公告 posted on the 2nd day (§E 20), a 审计报告 公示 for 30 days and the quarter's public
revenue (§F 24); read receipts by building group — some households read online, the rest the 楼组长
told in person, building by building. Everything goes through the services. Deterministic for a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from gongzhi.notices import services
from gongzhi.notices.models import Notice
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place

ESTATE = "太阳都市花园后期小区"

# (days ago posted, kind, purpose, title, body, days up, days from posting to the event (None: no event))
NOTICES: list[tuple[int, str, str, str, str, int, int | None]] = [
    (
        40,
        "finance",
        "audit_report",
        "2026年度物业服务专项审计报告公示",
        "受业主委员会委托，会计师事务所对本小区物业服务收支进行了专项审计。审计报告全文张贴于各楼大堂，"
        "线上可查阅。公示期30日，对报告有疑问的业主请在公示期内向业主委员会书面提出。",
        30,
        None,
    ),
    (
        20,
        "notice",
        "assembly_notice",
        "关于召开2026年第二次业主大会会议的通知",
        "业主委员会定于会议日期召开业主大会会议，表决《续聘物业服务企业》《公共收益使用方案》两项议题。"
        "表决以楼组为单位开展，楼组长将逐户送达表决票并在楼组群内答疑；居委会在小区会所分批召开说明会。",
        19,
        18,
    ),
    (
        8,
        "notice",
        "general",
        "2号楼电梯维保停运通知",
        "2号楼1号电梯将于本周六8时至17时进行年度维保，期间停运，请住户使用2号电梯。给您带来不便，敬请谅解。",
        7,
        None,
    ),
    (
        3,
        "resolution",
        "committee_decision",
        "业主委员会关于地下车库照明改造的决定",
        "业主委员会第十二次会议应到委员5人，实到5人，5人签字同意：使用公共收益对地下车库照明进行节能改造，"
        "改造方案和费用明细附后。",
        15,
        -2,
    ),
    (
        1,
        "finance",
        "public_revenue",
        "2026年第三季度公共收益收支情况公示",
        "本季度公共收益收入（停车、广告、场地租用）及支出明细如下，账目由物业服务企业单独列账，业主委员会已核对。",
        30,
        None,
    ),
]
READ_SHARE = (0.35, 0.9)  # per building group: what share of households read (online or told in person)


def build(*, seed: int = 0, log: Any = print) -> None:
    estate = Place.objects.filter(kind=PlaceKind.ESTATE, name=ESTATE).order_by("pk").first()
    if estate is None:
        log(f"演示公告：没有{ESTATE}，跳过")
        return
    if Notice.objects.filter(estate=estate).exists():
        log("演示公告：已存在，跳过")
        return
    rng = random.Random(seed)  # noqa: S311 - demo data
    now = timezone.now()
    owner = get_user_model().objects.filter(username="taiyang_owner").first()
    made = []
    for days_ago, kind, purpose, title, body, days_up, event_days in NOTICES:
        at = now - dt.timedelta(days=days_ago)
        day = timezone.localtime(at).date()
        notice = services.notice_create(
            estate=estate,
            kind=kind,
            purpose=purpose,
            title=title,
            body=body,
            starts_on=day,
            ends_on=day + dt.timedelta(days=days_up - 1),
            event_on=day + dt.timedelta(days=event_days) if event_days is not None else None,
            actor=None,
        )
        made.append(services.notice_post(notice=notice, actor=None, now=at))
    units_by_building: dict[int, list] = {}
    for notice in made:
        units = list(services.addressed_units(notice).order_by("path", "number"))
        units_by_building.clear()
        for unit in units:
            units_by_building.setdefault(unit.building_id, []).append(unit)
        age = (now - notice.posted_at).days
        for building_units in units_by_building.values():
            share = rng.uniform(*READ_SHARE) * min(1.0, 0.4 + age / 10)
            told = [u for u in building_units if rng.random() < share]
            if told:
                services.notice_mark_told(
                    notice=notice, units=told, actor=None, now=notice.posted_at + dt.timedelta(days=1)
                )
        if owner is not None:
            services.notice_open(notice=notice, actor=owner)
    log(f"演示公告：{ESTATE} {len(made)} 则公告，按楼组的已读回执")
