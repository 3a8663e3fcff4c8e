"""The demo problem ledger: the 广安门北街20号院 物管会's walk-round, "6大类、22项问题" (seed report)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.utils import timezone

from gongzhi.registry import services as reg
from gongzhi.work_orders.choices import OPEN_STATUSES, Channel
from gongzhi.work_orders.models import WorkOrder
from gongzhi.work_orders.reports import demo as demo_reports
from gongzhi.work_orders.reports import selectors as reports
from tests.work_orders.test_reports_world import make_order


def test_the_walk_round_reads_6_categories_22_items_on_its_day(wo):
    estate = reg.place_create(kind="estate", name=demo_reports.ESTATE, parent=wo.community_a, actor=None)
    reg.place_create(kind="building", name="1号楼", parent=estate, actor=None)
    make_order(wo, timezone.now() - dt.timedelta(days=10), estate=estate)  # the quiet day skips this one

    result = demo_reports.build(now=timezone.now())

    assert result["items"] == 22
    assert result["day"] == dt.date(2026, 11, 12)  # 11 days back: the 10th day back has a demand
    made = WorkOrder.objects.filter(estate=estate, channel=Channel.PATROL)
    assert made.count() == 22
    statuses = Counter(made.values_list("status", flat=True))
    assert sum(statuses[s] for s in OPEN_STATUSES) == 4  # three stuck, one escalated to the street and on
    assert made.filter(building__name="1号楼").count() == 4  # findings named "1号楼…" hang on the building
    day = result["day"].isoformat()
    book = reports.problem_ledger(
        wo.users["community_staff"],
        estate,
        reports.parse_period({"period": "custom", "start": day, "end": day}, timezone.localdate()),
        timezone.now(),
    )
    assert (book.top_count, book.item_count) == (6, 22)
    assert [g.category.name for g in book.groups] == [
        "水电气暖",
        "环境卫生",
        "房屋安全",
        "公共设施",
        "停车交通",
        "物业服务",
    ]
    # once only
    assert demo_reports.build(now=timezone.now()) == {"items": 0, "day": None}
    assert made.count() == 22
