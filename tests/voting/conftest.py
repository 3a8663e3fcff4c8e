"""The shared world plus an open vote in estate A (甲小区): three units — 1号楼1单元101 (王业主, 60.50 ㎡),
102 (no owner on record, a tenant lives there, 75.25 ㎡) and 2号楼201 (a rights unit, 88.00 ㎡)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.voting import services


def make_assembly(world, *, motions=(("选聘物业服务企业", "manager"),), actor="committee_member", open_it=True, **kw):
    now = timezone.now()
    assembly = services.assembly_create(
        estate=world.estate_a,
        title=kw.pop("title", "甲小区2026年业主大会"),
        opens_at=kw.pop("opens_at", now - dt.timedelta(hours=1)),
        closes_at=kw.pop("closes_at", now + dt.timedelta(days=7)),
        actor=world.users[actor],
        **kw,
    )
    made = []
    for item in motions:
        title, matter, *rest = item
        made.append(
            services.motion_add(
                assembly=assembly,
                title=title,
                matter=matter,
                actor=world.users[actor],
                buildings=rest[0] if rest else (),
                documents=[("物业服务合同（草案）", "服务内容、标准和收费")],
            )
        )
    if open_it:
        services.assembly_post_notice(
            assembly=assembly, actor=world.users[actor], noticed_on=timezone.localdate() - dt.timedelta(days=20)
        )
        services.assembly_open(assembly=assembly, actor=world.users[actor])
    assembly.refresh_from_db()
    for m in made:
        m.refresh_from_db()
    return assembly, made


@pytest.fixture
def vote(world):
    """Estate A's open assembly and its one motion (an ordinary matter under the Civil Code)."""
    assembly, (motion,) = make_assembly(world)
    world.assembly, world.motion = assembly, motion
    return world
