"""The work-order pages: who may open each one, who may act, and that a refused request changes nothing.

Reads are scoped through WorkOrder.objects.visible_to (404 for outsiders); handler actions need
editable_by (403 for who may only read); the reporter's actions are the reporter's alone.
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gongzhi.work_orders import services
from gongzhi.work_orders.models import Photo, WorkOrder, WorkOrderEvent
from tests.work_orders.conftest import submit


def png_bytes() -> bytes:
    """A valid 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def png(name: str = "leak.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def state(order: WorkOrder) -> tuple:
    order.refresh_from_db()
    return (
        order.status,
        order.assignee_id,
        order.company_id,
        order.department_id,
        order.rating,
        order.escalation_level,
        order.merged_into_id,
        order.events.count(),
    )


def url(name: str, order: WorkOrder) -> str:
    return reverse(f"work_orders:{name}", args=[order.pk])


# --- the resident's report page ---------------------------------------------------------------------


def test_report_page_offers_categories_and_the_residents_own_places(wo):
    # given the owner of 1号楼1单元101 in estate A
    # when they open the report page
    response = wo.client_for("resident").get(reverse("work_orders:report"))
    # then it offers the two-level categories and their unit, building and estate — nothing of estate B
    assert response.status_code == 200
    html = response.content.decode()
    assert "水电气暖" in html and "跑冒滴漏" in html
    assert f'value="unit-{wo.units_a[0].pk}"' in html
    assert f'value="building-{wo.building_a1.pk}"' in html
    assert f'value="estate-{wo.estate_a.pk}"' in html
    assert "乙小区" not in html
    assert 'accept="image/*"' in html and "capture" in html and "multiple" in html


def test_resident_reports_a_leak_with_a_photo_from_the_phone(wo):
    # given the resident
    client = wo.client_for("resident")
    # when they report a leak in their own unit with a photo
    response = client.post(
        reverse("work_orders:report"),
        {
            "category": wo.leak.pk,
            "place": f"unit-{wo.units_a[0].pk}",
            "location": "厨房",
            "description": "厨房水管漏水，流到楼下了",
            "photos": [png()],
        },
    )
    # then one order exists through the intake service: resident channel, their unit, routed to company A
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == url("detail", order)
    assert order.channel == "resident_app"
    assert order.reporter == wo.users["resident"]
    assert order.unit == wo.units_a[0] and order.building == wo.building_a1
    assert order.company == wo.company_a
    assert order.photos.filter(stage="before").count() == 1
    # and the order's page shows the timeline in plain Chinese and serves the photo to the reporter
    page = client.get(url("detail", order)).content.decode()
    assert "诉求已提交" in page and "已分派给责任单位" in page
    photo = order.photos.get()
    assert client.get(reverse("work_orders:photo", args=[order.pk, photo.pk])).status_code == 200


def test_public_spot_needs_a_location_and_a_refused_report_creates_nothing(wo):
    # when the resident picks "a public spot" without saying where, and leaves out the description
    response = wo.client_for("resident").post(
        reverse("work_orders:report"),
        {"category": wo.garbage.pk, "place": f"estate-{wo.estate_a.pk}", "location": "", "description": ""},
    )
    # then the page says which fields are missing, and no order was made
    assert response.status_code == 400
    html = response.content.decode()
    assert "请写明小区里的具体位置" in html and "请写一下遇到了什么问题" in html
    assert not WorkOrder.objects.exists()


def test_report_in_someone_elses_estate_is_refused(wo):
    # when the resident posts a unit of estate B (not theirs)
    response = wo.client_for("resident").post(
        reverse("work_orders:report"),
        {"category": wo.leak.pk, "place": f"unit-{wo.units_b[0].pk}", "description": "漏水"},
    )
    # then it is refused and nothing is made
    assert response.status_code == 400
    assert "请选择问题在哪里" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_seven_photos_are_refused_and_nothing_is_made(wo):
    response = wo.client_for("resident").post(
        reverse("work_orders:report"),
        {
            "category": wo.leak.pk,
            "place": f"unit-{wo.units_a[0].pk}",
            "description": "漏水",
            "photos": [png(f"p{i}.png") for i in range(7)],
        },
    )
    assert response.status_code == 400
    assert "最多上传6张照片" in response.content.decode()
    assert not WorkOrder.objects.exists() and not Photo.objects.exists()


def test_user_without_a_home_cannot_post_a_report(wo):
    # given a user with no unit (the page explains itself on GET)
    assert "还没有关联登记的房屋" in wo.client_for("no_role").get(reverse("work_orders:report")).content.decode()
    # when they post anyway
    response = wo.client_for("no_role").post(
        reverse("work_orders:report"),
        {"category": wo.leak.pk, "place": f"estate-{wo.estate_a.pk}", "location": "门口", "description": "漏水"},
    )
    # then it is refused and nothing is made
    assert response.status_code == 403
    assert not WorkOrder.objects.exists()


# --- lists ----------------------------------------------------------------------------------------


def test_my_orders_lists_only_mine(wo, query_baseline):
    mine = [submit(wo, description=f"第{i}次漏水") for i in range(5)]
    other = submit(wo, reporter="tenant", description="租户的事")
    client = wo.client_for("resident")
    with query_baseline("page work_orders:mine resident, 5 orders"):
        response = client.get(reverse("work_orders:mine"))
    html = response.content.decode()
    assert response.status_code == 200
    assert all(o.number in html for o in mine)
    assert other.number not in html


def test_queue_shows_the_companys_open_orders_with_time_left(wo, query_baseline):
    # given six open orders in estate A, one of them accepted
    orders = [submit(wo, description=f"漏水{i}") for i in range(6)]
    services.work_order_accept(work_order=orders[0], actor=wo.users["property_manager"])
    client = wo.client_for("property_manager")
    # when the dispatcher opens the queue
    with query_baseline("page work_orders:queue property_manager, 6 orders"):
        response = client.get(reverse("work_orders:queue"))
    # then every order is there with its running clock
    html = response.content.decode()
    assert response.status_code == 200
    assert all(o.number in html for o in orders)
    assert "剩" in html
    # and company B's dispatcher sees none of them (a company's staff never see another company's estates)
    html_b = wo.client_for("property_manager_b").get(reverse("work_orders:queue")).content.decode()
    assert not any(o.number in html_b for o in orders)


def test_queue_filters_and_marks_overdue_in_red(wo):
    late = submit(wo)
    garbage = submit(wo, category=wo.garbage, description="垃圾没人清")
    services.work_order_accept(work_order=garbage, actor=wo.users["property_manager"])
    # when the accept clock of the first has run out
    wo.clock.shift(dt.timedelta(hours=3))
    client = wo.client_for("property_manager")
    overdue = client.get(reverse("work_orders:queue"), {"overdue": "1", "category": wo.leak.parent_id}).content
    html = overdue.decode()
    assert late.number in html and garbage.number not in html
    assert 'class="overdue"' in html and "超时" in html
    accepted = client.get(reverse("work_orders:queue"), {"status": "accepted"}).content.decode()
    assert garbage.number in accepted and late.number not in accepted


def test_overdue_and_escalation_pages(wo, query_baseline):
    order = submit(wo)
    wo.clock.shift(dt.timedelta(hours=3))
    client = wo.client_for("street_officer")
    with query_baseline("page work_orders:overdue street_officer, 1 order"):
        response = client.get(reverse("work_orders:overdue"))
    assert order.number in response.content.decode()
    # climbed to the department rung, it is on the department page
    for _ in range(3):
        services.work_order_escalate(work_order=order, reason="督办", actor=wo.users["street_officer"])
    officer = wo.client_for("housing_officer")
    with query_baseline("page work_orders:escalations housing_officer, 1 order"):
        response = officer.get(reverse("work_orders:escalations"))
    assert order.number in response.content.decode()


def test_staff_lists_do_not_exist_for_residents(wo):
    for name in ("queue", "tasks", "overdue", "escalations"):
        assert wo.client_for("resident").get(reverse(f"work_orders:{name}")).status_code == 404


def test_technician_sees_only_tasks_given_to_them(wo, query_baseline):
    mine, other = submit(wo), submit(wo, description="另一处漏水")
    for order in (mine, other):
        services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    services.work_order_assign(work_order=mine, assignee=wo.users["technician"], actor=wo.users["property_manager"])
    technician = wo.client_for("technician")
    with query_baseline("page work_orders:tasks technician, 1 of 2 orders"):
        html = technician.get(reverse("work_orders:tasks")).content.decode()
    assert mine.number in html and other.number not in html


# --- one order's page -------------------------------------------------------------------------------


def test_detail_shows_actions_only_when_the_guard_and_role_allow(wo):
    order = submit(wo)
    manager = wo.client_for("property_manager").get(url("detail", order)).content.decode()
    assert url("accept", order) in manager and url("resolve", order) not in manager
    reader = wo.client_for("committee_member").get(url("detail", order)).content.decode()
    assert url("accept", order) not in reader
    reporter = wo.client_for("resident").get(url("detail", order)).content.decode()
    assert url("accept", order) not in reporter and url("confirm", order) not in reporter
    street = wo.client_for("street_officer").get(url("detail", order)).content.decode()
    assert url("escalate", order) in street


def test_detail_and_photo_are_404_for_outsiders(wo):
    order = submit(wo, photos=[png()])
    photo = order.photos.get()
    for persona in ("property_manager_b", "community_staff_b", "tenant", "outsider", "technician_b"):
        client = wo.client_for(persona)
        assert client.get(url("detail", order)).status_code == 404, persona
        assert client.get(reverse("work_orders:photo", args=[order.pk, photo.pk])).status_code == 404, persona


# --- actions: allowed, read-only 403, outsider 404, refused changes nothing --------------------------

HANDLER_ACTIONS = ["accept", "assign", "transfer", "merge", "arrive", "resolve", "escalate"]


@pytest.mark.parametrize("action", HANDLER_ACTIONS)
@pytest.mark.parametrize(("persona", "status"), [("committee_member", 403), ("resident", 403), ("grid_worker", 403)])
def test_read_only_personas_get_403_and_change_nothing(wo, action, persona, status):
    order = submit(wo)
    before = state(order)
    response = wo.client_for(persona).post(url(action, order), {"reason": "试试", "note": "试试"})
    assert response.status_code == status
    assert state(order) == before


@pytest.mark.parametrize("action", [*HANDLER_ACTIONS, "confirm", "reopen", "cancel"])
def test_outsiders_get_404_and_change_nothing(wo, action):
    order = submit(wo)
    before = state(order)
    response = wo.client_for("property_manager_b").post(url(action, order), {"reason": "试试", "rating": "5"})
    assert response.status_code == 404
    assert state(order) == before


def test_accept_assign_arrive_resolve_confirm_through_the_pages(wo):
    order = submit(wo)
    manager, tech, resident = (wo.client_for(p) for p in ("property_manager", "technician", "resident"))
    assert manager.post(url("accept", order)).status_code == 302
    assert manager.post(url("assign", order), {"assignee": wo.users["technician"].pk}).status_code == 302
    order.refresh_from_db()
    assert order.status == "accepted" and order.assignee == wo.users["technician"]
    assert tech.post(url("arrive", order)).status_code == 302
    response = tech.post(url("resolve", order), {"note": "更换了进水管接头", "photos": [png("after.png")]})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "resolved" and order.photos.filter(stage="after").count() == 1
    page = resident.get(url("detail", order)).content.decode()
    assert url("confirm", order) in page and url("reopen", order) in page and "★★★★★" in page
    assert resident.post(url("confirm", order), {"rating": "5", "comment": "很快"}).status_code == 302
    order.refresh_from_db()
    assert (order.status, order.rating, order.comment) == ("confirmed", 5, "很快")
    assert "您已确认并评价" in resident.get(url("detail", order)).content.decode()


def test_assigning_another_companys_technician_is_refused(wo):
    order = submit(wo)
    services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    before = state(order)
    response = wo.client_for("property_manager").post(url("assign", order), {"assignee": wo.users["technician_b"].pk})
    assert response.status_code == 302
    assert state(order) == before


def test_a_refused_transition_says_why_and_changes_nothing(wo):
    # resolving before anyone is on site is refused by the guard
    order = submit(wo)
    before = state(order)
    response = wo.client_for("property_manager").post(url("resolve", order), {"note": "修好了"}, follow=True)
    assert "不能办结" in response.content.decode()
    assert state(order) == before


def test_only_the_reporter_rates_and_a_bad_rating_changes_nothing(wo):
    order = submit(wo)
    manager = wo.users["property_manager"]
    services.work_order_accept(work_order=order, actor=manager)
    services.work_order_arrive(work_order=order, actor=manager)
    services.work_order_resolve(work_order=order, note="修好了", actor=manager)
    before = state(order)
    # the company's manager may see it but may not rate it for the resident
    assert wo.client_for("property_manager").post(url("confirm", order), {"rating": "5"}).status_code == 403
    # a rating out of 1–5 is refused
    response = wo.client_for("resident").post(url("confirm", order), {"rating": "7"}, follow=True)
    # the page parses through the API's schema (ConfirmIn): the same message as the API gives
    assert "满意度评分：应不大于 5" in response.content.decode()
    assert state(order) == before


def test_reporter_reopens_within_the_window_but_not_after(wo):
    """DOMAIN_RULES.md §G: reopen within 7 days of resolution (以内, the boundary included)."""
    order = submit(wo)
    manager = wo.users["property_manager"]
    services.work_order_accept(work_order=order, actor=manager)
    services.work_order_arrive(work_order=order, actor=manager)
    services.work_order_resolve(work_order=order, note="修好了", actor=manager)
    wo.clock.shift(dt.timedelta(days=8))
    before = state(order)
    response = wo.client_for("resident").post(url("reopen", order), {"reason": "又漏了"}, follow=True)
    assert "不能重新办理" in response.content.decode()
    assert state(order) == before
    wo.clock.shift(dt.timedelta(days=-2))
    wo.client_for("resident").post(url("reopen", order), {"reason": "又漏了"})
    order.refresh_from_db()
    assert order.status == "accepted" and order.reopen_count == 1


def test_transfer_to_a_department_needs_a_reason(wo):
    order = submit(wo)
    client = wo.client_for("property_manager")
    before = state(order)
    client.post(url("transfer", order), {"target": f"department-{wo.housing.pk}", "reason": ""})
    assert state(order) == before
    client.post(url("transfer", order), {"target": f"department-{wo.housing.pk}", "reason": "属于房屋安全"})
    order.refresh_from_db()
    assert order.department == wo.housing and order.company is None
    assert WorkOrderEvent.objects.filter(order=order, kind="transferred").exists()


def test_merge_into_another_order_by_number(wo):
    first, duplicate = submit(wo), submit(wo, reporter="tenant", description="楼上漏水到我家")
    client = wo.client_for("property_manager")
    before = state(duplicate)
    client.post(url("merge", duplicate), {"into": "GZ00000000-999999"})
    assert state(duplicate) == before
    client.post(url("merge", duplicate), {"into": first.number})
    duplicate.refresh_from_db()
    assert duplicate.merged_into == first and duplicate.status == "cancelled"


def test_street_blows_the_whistle(wo):
    order = submit(wo)
    before = state(order)
    wo.client_for("street_officer").post(url("escalate", order), {"reason": ""})
    assert state(order) == before
    wo.client_for("street_officer").post(url("escalate", order), {"reason": "居民多次反映"})
    order.refresh_from_db()
    assert order.escalation_level == 1


def test_reporter_cancels_with_a_reason(wo):
    order = submit(wo)
    wo.client_for("resident").post(url("cancel", order), {"reason": "自己修好了"})
    order.refresh_from_db()
    assert order.status == "cancelled"


def test_actions_refuse_get(wo):
    order = submit(wo)
    assert wo.client_for("property_manager").get(url("accept", order)).status_code == 405
    assert state(order)[0] == "submitted"


# --- the place and the reporter's phone for the people doing the work (issue 20) ------------------


def test_handler_sees_the_flat_and_the_technician_can_call_the_reporter(wo):
    from gongzhi.core.models import AuditLog

    unit = wo.units_a[0]
    unit.floor = 1
    unit.save(update_fields=["floor"])
    order = submit(wo, unit=unit, building=unit.building, location="", reporter_phone="13800001234")
    manager = wo.client_for("property_manager")
    page = manager.get(url("detail", order)).content.decode()
    assert "甲小区 1号楼1单元101（1层）" in page
    assert "138****1234" in page and "tel:" not in page
    services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    services.work_order_assign(work_order=order, assignee=wo.users["technician"], actor=wo.users["property_manager"])
    before = AuditLog.objects.filter(event="work_orders.order.reporter_phone_revealed").count()
    page = wo.client_for("technician").get(url("detail", order)).content.decode()
    assert "1号楼1单元101（1层）" in page
    assert 'href="tel:13800001234"' in page
    row = AuditLog.objects.filter(event="work_orders.order.reporter_phone_revealed").last()
    assert AuditLog.objects.filter(event="work_orders.order.reporter_phone_revealed").count() == before + 1
    assert row.actor_id == wo.users["technician"].pk and "13800001234" not in str(row.after) + row.summary
    # the dispatcher still sees the masked number; a reader without a role on the order sees no flat
    assert "13800001234" not in manager.get(url("detail", order)).content.decode()
    reader = wo.client_for("committee_member").get(url("detail", order)).content.decode()
    assert "1单元101" not in reader and "13800001234" not in reader
    # once done, the technician no longer reads the whole number
    services.work_order_arrive(work_order=order, actor=wo.users["technician"])
    services.work_order_resolve(work_order=order, note="换了接头", actor=wo.users["technician"])
    assert "13800001234" not in wo.client_for("technician").get(url("detail", order)).content.decode()


def test_an_orders_notice_line_names_the_flat_without_stray_marks(wo):
    unit = wo.units_a[0]
    order = submit(wo, unit=unit, building=unit.building, location="", description="厨房漏水，请尽快来修。")
    line = order.notice_line
    assert line.startswith("甲小区 1号楼1单元101，") and line.endswith("请尽快来修")
    assert " ，" not in line and "。。" not in f"{line}。请于11月23日 12:00前到场。"


def test_transfer_lists_only_the_departments_of_the_orders_own_district(wo):
    from gongzhi.governance import services as gov
    from gongzhi.registry import services as reg

    other = reg.place_create(kind="district", name="东城区", parent=wo.district.parent, actor=None)
    gov.department_create(kind="housing", name="东城区住房城市建设委员会", place=other, actor=None)
    order = submit(wo)
    services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    page = wo.client_for("property_manager").get(url("detail", order)).content.decode()
    assert "西城区住房城市建设委员会" in page and "东城区住房城市建设委员会" not in page


def test_transfer_to_another_districts_department_is_refused_and_changes_nothing(wo):
    from gongzhi.governance import services as gov
    from gongzhi.registry import services as reg

    other = reg.place_create(kind="district", name="东城区", parent=wo.district.parent, actor=None)
    far = gov.department_create(kind="housing", name="东城区住房城市建设委员会", place=other, actor=None)
    order = submit(wo)
    services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    before = state(order)
    response = wo.client_for("property_manager").post(
        url("transfer", order), {"target": f"department-{far.pk}", "reason": "不归我们管"}
    )
    assert response.status_code in (302, 400) and state(order) == before
