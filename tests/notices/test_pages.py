"""Notice pages and API answer what the predicates say (tests/authz.expected_status); the page forms
survive hostile values (tests/hostile.py); a resident opening a notice moves the count once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse

from gongzhi.core.permissions import Permission
from gongzhi.core.scoping import forget_scope
from gongzhi.notices.models import Notice, Receipt
from gongzhi.notices.permissions import can_acknowledge, can_publish, can_see_unread
from tests.api.conftest import call
from tests.authz import expected_status
from tests.hostile import fuzz_form
from tests.notices.conftest import draft, posted
from tests.personas import ALL

FAR = dt.date(2099, 1, 1)
TABLES = (Notice, Receipt)


@dataclass
class Route:
    name: str
    setup: Callable[[Any], Any]
    url: Callable[[Any], str]
    data: Callable[[Any], dict | None]
    permission: Permission | None
    objects: Callable[[Any], tuple]
    ok: int
    api: bool = False


def _draft(w):
    w.notice = draft(w, ends_on=FAR)


def _posted(w):
    w.notice = posted(w, ends_on=FAR)


def _new_body(w):
    return {
        "estate_id": w.estate_a.pk,
        "kind": "notice",
        "title": "停水通知",
        "body": "明日停水",
        "starts_on": str(dt.date.today()),
        "ends_on": str(FAR),
    }


ROUTES = [
    Route(
        "page post",
        _draft,
        lambda w: reverse("notices:post", args=[w.notice.pk]),
        lambda w: {},
        can_publish,
        lambda w: (w.estate_a, "notice"),
        302,
    ),
    Route(
        "page withdraw",
        _posted,
        lambda w: reverse("notices:withdraw", args=[w.notice.pk]),
        lambda w: {"reason": "错发"},
        can_publish,
        lambda w: (w.estate_a, "notice"),
        302,
    ),
    Route(
        "api create",
        lambda w: None,
        lambda w: "/notices",
        _new_body,
        can_publish,
        lambda w: (w.estate_a, "notice"),
        201,
        api=True,
    ),
    Route(
        "api post",
        _draft,
        lambda w: f"/notices/{w.notice.pk}/post",
        lambda w: None,
        can_publish,
        lambda w: (w.estate_a, "notice"),
        200,
        api=True,
    ),
    Route(
        "api withdraw",
        _posted,
        lambda w: f"/notices/{w.notice.pk}/withdraw",
        lambda w: {"reason": "错发"},
        can_publish,
        lambda w: (w.estate_a, "notice"),
        200,
        api=True,
    ),
    Route(
        "page told",
        _posted,
        lambda w: reverse("notices:told", args=[w.notice.pk]),
        lambda w: {"unit_ids": [w.units_a[1].pk]},
        can_see_unread,
        lambda w: (w.notice,),
        302,
    ),
    Route(
        "api told",
        _posted,
        lambda w: f"/notices/{w.notice.pk}/told",
        lambda w: {"unit_ids": [w.units_a[1].pk]},
        can_see_unread,
        lambda w: (w.notice,),
        200,
        api=True,
    ),
    Route(
        "api receipt",
        _posted,
        lambda w: f"/notices/{w.notice.pk}/receipt",
        lambda w: None,
        can_acknowledge,
        lambda w: (w.notice,),
        200,
        api=True,
    ),
]


def _visible(w, user, route) -> bool:
    if route.name == "api create":
        from gongzhi.registry.models import Place

        return Place.objects.visible_to(user).filter(pk=w.estate_a.pk).exists()
    return Notice.objects.visible_to(user).filter(pk=w.notice.pk).exists()


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_pages_and_api_answer_as_the_predicates_say(world, route):
    route.setup(world)
    for persona in ALL:
        user = world.users[persona]
        forget_scope(user)
        visible = _visible(world, user, route)
        if not route.api:
            from gongzhi.core.scoping import scope_of

            visible = visible and scope_of(user).is_staff  # staff pages: 404 for everyone else
        expected = expected_status(user, visible, route.permission, *route.objects(world), ok=route.ok)
        client = world.client_for(persona)
        sid = transaction.savepoint()
        try:
            if route.api:
                response = call(client, "POST", route.url(world), route.data(world))
            else:
                response = client.post(route.url(world), route.data(world))
            assert response.status_code == expected, (route.name, persona, response.status_code, expected)
            if route.api and expected == 403:
                assert response.json()["error"]["code"] == route.permission.code
            if not route.api and expected == 403:
                assert route.permission.message in response.content.decode()
        finally:
            transaction.savepoint_rollback(sid)
            forget_scope(user)


@pytest.mark.parametrize("path", ["/notices", "/notices/{id}", "/notices/{id}/reads"])
def test_api_reads_matrix(world, path):
    notice = posted(world, ends_on=FAR)
    for persona in ALL:
        user = world.users[persona]
        forget_scope(user)
        sees = Notice.objects.visible_to(user).filter(pk=notice.pk).exists()
        response = call(world.client_for(persona), "GET", path.format(id=notice.pk))
        if path == "/notices":
            assert response.status_code == 200
            assert (notice.pk in [n["id"] for n in response.json()["items"]]) == sees, persona
        else:
            assert response.status_code == (200 if sees else 404), (persona, path)


def test_unread_households_only_for_publishers_and_their_visitors(world):
    notice = posted(world, ends_on=FAR)
    url = f"/notices/{notice.pk}/reads"
    tenant = call(world.client_for("tenant"), "GET", url).json()
    assert tenant["households"] == 3 and all(not b["unread_units"] for b in tenant["buildings"])
    volunteer = call(world.client_for("volunteer"), "GET", url).json()
    assert {b["name"]: b["unread_units"] for b in volunteer["buildings"]} == {
        "1号楼": ["1单元101", "1单元102"],
        "2号楼": [],
    }


def test_api_refuses_an_end_before_the_start_naming_the_field(world):
    body = {**_new_body(world), "starts_on": "2026-03-10", "ends_on": "2026-03-09"}
    before = Notice.objects.count()
    response = call(world.client_for("community_staff"), "POST", "/notices", body)
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"ends_on": "结束日期：不能早于开始日期"}
    assert Notice.objects.count() == before


def test_a_resident_reads_on_the_phone_and_the_count_moves_once(world):
    notice = posted(world, ends_on=FAR, title="电梯维保公告")
    client = world.client_for("resident")
    listing = client.get(reverse("notices:mine")).content.decode()
    assert "电梯维保公告" in listing and "未读" in listing
    page = client.get(reverse("notices:my_notice", args=[notice.pk])).content.decode()
    assert "1 / 3 户已读" in page
    client.get(reverse("notices:my_notice", args=[notice.pk]))
    assert Receipt.objects.filter(notice=notice).count() == 1
    staff = world.client_for("community_staff").get(reverse("notices:detail", args=[notice.pk])).content.decode()
    assert "1 / 3 户已读" not in staff and "<strong>1</strong> / 3 户已读" in staff
    assert "1单元102" in staff and "1单元101" not in staff.split("未读住户")[1]


def test_staff_opening_records_nothing(world):
    notice = posted(world, ends_on=FAR)
    world.client_for("community_staff").get(reverse("notices:my_notice", args=[notice.pk]))
    assert not Receipt.objects.exists()


def test_poster_has_the_online_address_and_no_inline_style(world):
    notice = posted(world, ends_on=FAR, title="楼道张贴测试")
    html = world.client_for("resident").get(reverse("notices:poster", args=[notice.pk])).content.decode()
    assert "楼道张贴测试" in html and f"/notices/mine/{notice.pk}/" in html
    assert "style=" not in html and "<script>" not in html


def test_the_page_shows_the_service_reason_for_a_late_assembly_notice(world):
    notice = draft(
        world,
        purpose="assembly_notice",
        event_on=dt.date.today() + dt.timedelta(days=14),
        ends_on=dt.date.today() + dt.timedelta(days=14),
    )
    client = world.client_for("community_staff")
    response = client.post(reverse("notices:post", args=[notice.pk]), follow=True)
    assert "15日" in response.content.decode()
    notice.refresh_from_db()
    assert notice.status == "draft"


class Rollback:
    def __init__(self, client) -> None:
        self.client = client
        self.sid = transaction.savepoint()

    def __call__(self) -> None:
        transaction.savepoint_rollback(self.sid)
        self.client.cookies.pop("messages", None)
        self.sid = transaction.savepoint()


def test_hostile_values_in_the_notice_forms(world):
    client = world.client_for("community_staff")
    n = fuzz_form(
        client,
        reverse("notices:create"),
        _new_body(world),
        titles={
            "estate_id": "小区",
            "kind": "种类",
            "purpose": "事项",
            "audience": "发布范围",
            "building_ids": "楼栋",
            "title": "标题",
            "body": "正文",
            "starts_on": "开始日期",
            "ends_on": "结束日期",
            "event_on": "会议或决定日期",
        },
        tables=TABLES,
        after=Rollback(client),
    )
    notice = posted(world, ends_on=FAR)
    n += fuzz_form(
        client,
        reverse("notices:withdraw", args=[notice.pk]),
        {"reason": "错发"},
        titles={"reason": "撤回原因"},
        tables=TABLES,
        after=Rollback(client),
    )
    volunteer = world.client_for("volunteer")
    n += fuzz_form(
        volunteer,
        reverse("notices:told", args=[notice.pk]),
        {"unit_ids": [world.units_a[1].pk]},
        titles={"unit_ids": "住户"},
        tables=TABLES,
        after=Rollback(volunteer),
    )
    assert n > 200


def test_hostile_values_in_the_list_filters(world):
    from tests.hostile import HOSTILE

    posted(world, ends_on=FAR)
    client = world.client_for("community_staff")
    for value in HOSTILE.values():
        # a NUL in any query string is refused before the view (gongzhi.core.middleware.NulByteMiddleware)
        expected = 400 if "\x00" in value else 200
        for param in ("status", "page"):
            assert client.get(reverse("notices:list"), {param: value}).status_code == expected, (param, value)
        assert world.client_for("resident").get(reverse("notices:mine"), {"page": value}).status_code == expected


def test_every_write_service_is_in_the_persona_table():
    from gongzhi.notices import services
    from tests.notices.test_permissions import CASES

    writes = {n for n in dir(services) if n.startswith("notice_") and callable(getattr(services, n))}
    assert writes == {c.name.split()[0] for c in CASES}
