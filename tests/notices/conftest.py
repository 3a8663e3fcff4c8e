from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gongzhi.notices import services


def local(y, m, d, hour=10):
    return timezone.make_aware(dt.datetime(y, m, d, hour))


def draft(world, **kw):
    today = timezone.localdate()
    fields = {
        "estate": world.estate_a,
        "kind": "notice",
        "title": "停水通知",
        "body": "明日9时至12时停水检修。",
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=7),
        "actor": None,
    }
    fields.update(kw)
    return services.notice_create(**fields)


def posted(world, **kw):
    notice = draft(world, **kw)
    return services.notice_post(notice=notice, actor=None)


@pytest.fixture
def nw(world):
    world.notice = posted(world)
    return world
