from __future__ import annotations

import datetime as dt

from gongzhi.governance import services as gov
from gongzhi.notices import demo, selectors
from gongzhi.notices.models import Notice, Receipt
from gongzhi.registry import services as reg


def test_the_demo_posts_taiyang_lobby_notices_with_reads_by_building_group(world):
    estate = reg.place_create(kind="estate", name=demo.ESTATE, parent=world.community_a, actor=None)
    buildings = [reg.place_create(kind="building", name=f"{n}号楼", parent=estate, actor=None) for n in (1, 2)]
    for b in buildings:
        for n in range(1, 11):
            reg.unit_create(building=b, number=f"{n:02d}01", registered_area=100, actor=None)
        reg.grid_create(kind="building_group", name=f"{b.name}楼组", place=estate, places=[b], actor=None)
    gov.contract_create(
        company=world.company_a, estate=estate, start=dt.date(2024, 1, 1), fee_residential_fen=280, actor=None
    )
    lines = []
    demo.build(seed=2026, log=lines.append)
    notices = Notice.objects.filter(estate=estate)
    assert notices.count() == len(demo.NOTICES) and not notices.exclude(status="posted").exists()
    assert Receipt.objects.filter(notice__estate=estate).exists()
    lift = notices.get(title__contains="电梯")
    groups = selectors.read_counts_by_group(lift)
    assert [g.households for g in groups] == [10, 10] and all(0 < g.read <= 10 for g in groups)
    demo.build(seed=2026, log=lines.append)  # twice: nothing more
    assert Notice.objects.filter(estate=estate).count() == len(demo.NOTICES)
