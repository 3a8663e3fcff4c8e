"""Persona × service: each notices service refuses, by itself, whoever its permission refuses — with the
permission's code and reason, changing nothing — and lets the others act (tests/authz.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core.scoping import scope_of
from gongzhi.notices import services
from gongzhi.notices.models import Notice, Receipt
from gongzhi.notices.permissions import can_acknowledge, can_publish, can_see_unread
from tests.authz import ServiceCase, check_service_case
from tests.notices.conftest import draft, posted

TABLES = (Notice, Receipt)
FAR = dt.date(2099, 1, 1)


def _create(kind):
    return lambda w, u: services.notice_create(
        estate=w.estate_a,
        kind=kind,
        title="议事结果公告",
        body="正文",
        starts_on=dt.date.today(),
        ends_on=FAR,
        actor=u,
    )


def _draft(w):
    w.draft = draft(w, ends_on=FAR)


def _posted(w):
    w.posted = posted(w, ends_on=FAR)


CASES = [
    ServiceCase(
        "notice_create 通知",
        can_publish,
        objects=lambda w: (w.estate_a, "notice"),
        call=_create("notice"),
        tables=TABLES,
    ),
    ServiceCase(
        "notice_create 决议公告",
        can_publish,
        objects=lambda w: (w.estate_a, "resolution"),
        call=_create("resolution"),
        tables=TABLES,
    ),
    ServiceCase(
        "notice_create 财务公开",
        can_publish,
        objects=lambda w: (w.estate_a, "finance"),
        call=_create("finance"),
        tables=TABLES,
    ),
    ServiceCase(
        "notice_post",
        can_publish,
        objects=lambda w: (w.estate_a, "notice"),
        call=lambda w, u: services.notice_post(notice=w.draft, actor=u),
        tables=TABLES,
        setup=_draft,
    ),
    ServiceCase(
        "notice_withdraw",
        can_publish,
        objects=lambda w: (w.estate_a, "notice"),
        call=lambda w, u: services.notice_withdraw(notice=w.posted, reason="内容有误", actor=u),
        tables=TABLES,
        setup=_posted,
    ),
    ServiceCase(
        "notice_open",
        can_acknowledge,
        objects=lambda w: (w.posted,),
        call=lambda w, u: services.notice_open(notice=w.posted, actor=u),
        tables=TABLES,
        setup=_posted,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_service_refuses_whom_its_permission_refuses(world, case):
    outcome = check_service_case(world, case, sorted(world.users))
    assert "allowed" in outcome.values(), "someone must be able to act"
    assert "refused" in outcome.values(), "and someone must not"


def _allowed(world, case):
    return sorted(p for p, o in check_service_case(world, case, sorted(world.users)).items() if o == "allowed")


def test_who_publishes_what_in_estate_a(world):
    """Community and street staff every kind; the estate's committee members decisions and finance;
    the serving company's manager 通知 only; nobody of estate B, no read-only role, no resident."""
    staff = ["admin", "community_staff", "street_officer"]
    assert _allowed(world, CASES[0]) == sorted([*staff, "property_manager"])
    assert _allowed(world, CASES[1]) == sorted([*staff, "committee_member"])
    assert _allowed(world, CASES[2]) == sorted([*staff, "committee_member"])


def test_who_records_a_receipt(world):
    assert _allowed(world, CASES[5]) == ["admin", "resident", "tenant"]


def test_who_sees_unread_households(world):
    notice = posted(world, ends_on=FAR)
    who = sorted(p for p, u in world.users.items() if can_see_unread(scope_of(u), notice))
    assert who == sorted(
        [
            "admin",
            "committee_member",
            "community_staff",
            "grid_worker",
            "property_manager",
            "street_officer",
            "volunteer",
        ]
    )


CASES.append(
    ServiceCase(
        "notice_mark_told",
        can_see_unread,
        objects=lambda w: (w.posted,),
        call=lambda w, u: services.notice_mark_told(notice=w.posted, units=[w.units_a[1]], actor=u),
        tables=TABLES,
        setup=_posted,
    )
)


def test_who_marks_a_household_told_in_person(world):
    assert _allowed(world, CASES[-1]) == sorted(
        [
            "admin",
            "committee_member",
            "community_staff",
            "grid_worker",
            "property_manager",
            "street_officer",
            "volunteer",
        ]
    )
