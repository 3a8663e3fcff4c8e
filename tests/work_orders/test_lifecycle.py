"""The life of a work order with time frozen: intake, accept, assign, arrive, resolve, confirm, close,
reopen, cancel, transfer, merge — and refused steps that change nothing."""

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from gongzhi.core.audit import snapshot
from gongzhi.core.models import AuditLog, Notification
from gongzhi.work_orders import services
from gongzhi.work_orders.models import Photo, WorkOrder, WorkOrderCounter, WorkOrderEvent
from tests.work_orders.conftest import MONDAY_10, submit

HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)


def photo(name="after.jpg"):
    # a real (tiny) JPEG: photos are opened and re-encoded (gongzhi.core.uploads)
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 6), (120, 90, 60)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def inbox(world, persona):
    return list(Notification.objects.filter(recipient=world.users[persona]).values_list("title", flat=True))


def kinds(order):
    return list(order.events.values_list("kind", flat=True))


def frozen(order):
    """Everything a refused step must leave untouched."""
    order.refresh_from_db()
    return snapshot(order), order.events.count(), AuditLog.objects.count(), Notification.objects.count()


def test_a_leak_from_report_to_rating(wo):
    # given a resident reports a leaking pipe with a photo, Monday 10:00
    order = submit(wo, photos=[photo("leak.jpg")])
    # then it is numbered, routed to the estate's company and its clocks start (DOMAIN_RULES.md §G 28: 24 h)
    assert re.fullmatch(r"GZ20261123-\d{6}", order.number)
    assert order.status == "submitted" and order.company == wo.company_a
    assert order.accept_by == MONDAY_10 + 30 * MINUTE
    assert order.resolve_by == MONDAY_10 + 24 * HOUR
    assert order.reporter_name == "resident"
    assert kinds(order) == ["submitted", "routed"]
    assert inbox(wo, "property_manager") == [f"新诉求待受理：{order.number}"]
    assert inbox(wo, "property_manager_b") == []
    assert order.photos.get().stage == "before"

    # when the dispatcher accepts 10 minutes later and assigns the technician
    wo.clock.shift(10 * 60)
    services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    services.work_order_assign(work_order=order, assignee=wo.users["technician"], actor=wo.users["property_manager"])
    order.refresh_from_db()
    assert order.status == "accepted" and order.accepted_in_time is True
    assert order.arrive_by == order.resolve_by  # the on-site clock never outruns the case's deadline
    assert inbox(wo, "technician") == [f"新任务：{order.number}"]

    # when the technician arrives and resolves it with an after-photo
    wo.clock.shift(30 * 60)
    services.work_order_arrive(work_order=order, actor=wo.users["technician"])
    wo.clock.shift(60 * 60)
    services.work_order_resolve(work_order=order, note="更换了三通阀门", photos=[photo()], actor=wo.users["technician"])
    order.refresh_from_db()
    assert order.status == "resolved" and order.resolved_in_time is True
    assert order.photos.filter(stage="after").count() == 1
    assert inbox(wo, "resident") == [f"您的诉求已处理：{order.number}"]

    # when the resident rates it 5
    services.work_order_confirm(work_order=order, rating=5, comment="来得很快", actor=wo.users["resident"])
    order.refresh_from_db()
    assert (order.status, order.rating, order.comment) == ("confirmed", 5, "来得很快")

    # then the sweep archives it only after the reopen window (7 days, boundary included)
    resolved_at = order.resolved_at
    assert services.sweep_settled(resolved_at + dt.timedelta(days=7)) == 0
    assert services.sweep_settled(resolved_at + dt.timedelta(days=7, seconds=1)) == 1
    assert services.sweep_settled(resolved_at + dt.timedelta(days=8)) == 0
    order.refresh_from_db()
    assert order.status == "closed"
    assert kinds(order) == ["submitted", "routed", "accepted", "assigned", "arrived", "resolved", "confirmed", "closed"]
    labels = [e.label for e in order.events.all()]
    assert labels[0] == "诉求已提交" and labels[-1] == "已办结"
    assert AuditLog.objects.filter(object_type="work_orders.workorder", object_id=str(order.pk)).count() == 7


def test_numbers_carry_the_beijing_day_and_six_digits_from_one_sequence(wo):
    # issue 14 §3: one sequence for the city (no per-day counter row to lock); the digits are unique and
    # increasing, not a count of the day's orders, and may have gaps (see services.common.next_number)
    first = submit(wo)
    second = submit(wo)
    wo.clock.move_to(dt.datetime(2026, 11, 23, 16, 30, tzinfo=dt.UTC))  # 00:30 on the 24th in Beijing
    third = submit(wo)
    days = [n.number.split("-")[0] for n in (first, second, third)]
    digits = [int(n.number.split("-")[1]) for n in (first, second, third)]
    assert days == ["GZ20261123", "GZ20261123", "GZ20261124"]
    assert all(re.fullmatch(r"GZ\d{8}-\d{6}", n.number) for n in (first, second, third))
    assert digits[0] < digits[1] < digits[2]


def test_the_sqlite_counter_starts_again_after_the_last_number_when_its_row_is_gone(wo):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL numbers from its sequence")
    first = submit(wo)
    WorkOrderCounter.objects.all().delete()
    second = submit(wo)
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(wo):
    before = (WorkOrder.objects.count(), WorkOrderEvent.objects.count(), Notification.objects.count())
    with pytest.raises(ValidationError) as exc:
        submit(wo, description="  ")
    assert exc.value.message_dict == {"description": ["请填写诉求内容"]}
    with pytest.raises(ValidationError, match="不在所选小区"):
        submit(wo, unit=wo.units_b[0])
    with pytest.raises(ValidationError, match="请选择小区"):
        submit(wo, estate=wo.building_a1)
    with pytest.raises(ValidationError, match="最多上传6张照片"):
        submit(wo, photos=[photo(f"{i}.jpg") for i in range(7)])
    with pytest.raises(ValidationError, match="第1张照片"):
        submit(wo, photos=[SimpleUploadedFile("virus.exe", b"MZ")])
    with pytest.raises(ValidationError, match="联系电话只能包含数字"):
        submit(wo, reporter=None, reporter_name="张大爷", reporter_phone="一三八")
    with pytest.raises(ValidationError, match="不能晚于当前时间"):
        submit(wo, submitted_at=MONDAY_10 + HOUR)
    assert (WorkOrder.objects.count(), WorkOrderEvent.objects.count(), Notification.objects.count()) == before
    assert not Photo.objects.exists()


def test_the_same_12345_case_is_taken_in_once(wo):
    kwargs = {"channel": "hotline_12345", "external_ref": "BJ12345-2026-000777", "reporter": None}
    submit(wo, reporter_name="张大爷", reporter_phone="13800138000", **kwargs)
    with pytest.raises(ValidationError, match="已登记"):
        submit(wo, **kwargs)
    # the same number from another channel is another order
    submit(wo, channel="open311", external_ref="BJ12345-2026-000777", reporter=None)
    assert WorkOrder.objects.count() == 2


def test_the_hotline_phone_is_stored_and_shown_masked(wo):
    order = submit(wo, channel="hotline", reporter=None, reporter_name="张大爷", reporter_phone="13800138000")
    assert order.reporter_phone == "13800138000"
    assert order.reporter_phone_masked == "138****8000"  # DOMAIN_RULES.md §I 31


def test_a_12345_case_keeps_its_receipt_time_for_the_clocks(wo):
    received = MONDAY_10 - 3 * HOUR
    order = submit(wo, channel="hotline_12345", external_ref="A1", reporter=None, submitted_at=received)
    assert order.resolve_by == received + 24 * HOUR  # DOMAIN_RULES.md §G 27: the deadline runs from receipt


def test_refused_transitions_change_nothing(wo):
    order = submit(wo)
    manager = wo.users["property_manager"]
    state = frozen(order)
    with pytest.raises(ValidationError, match="不能办结"):
        services.work_order_resolve(work_order=order, note="修好了", actor=manager)
    with pytest.raises(ValidationError, match="不能登记到场"):
        services.work_order_arrive(work_order=order, actor=manager)
    with pytest.raises(ValidationError, match="不能派单"):
        services.work_order_assign(work_order=order, assignee=wo.users["technician"], actor=manager)
    with pytest.raises(ValidationError, match="不能评价"):
        services.work_order_confirm(work_order=order, rating=5, actor=wo.users["resident"])
    with pytest.raises(PermissionDenied):
        services.work_order_accept(work_order=order, actor=wo.users["property_manager_b"])
    with pytest.raises(PermissionDenied):
        services.work_order_accept(work_order=order, actor=wo.users["committee_member"])
    assert frozen(order) == state

    services.work_order_accept(work_order=order, actor=manager)
    state = frozen(order)
    with pytest.raises(ValidationError, match="不能受理"):
        services.work_order_accept(work_order=order, actor=manager)
    with pytest.raises(ValidationError, match="不是责任单位的工作人员"):
        services.work_order_assign(work_order=order, assignee=wo.users["technician_b"], actor=manager)
    assert frozen(order) == state


def test_only_the_reporter_rates_and_ratings_are_1_to_5(wo):
    order = submit(wo)
    for step in (services.work_order_accept, services.work_order_arrive):
        step(work_order=order, actor=wo.users["property_manager"])
    services.work_order_resolve(work_order=order, note="已疏通", actor=wo.users["property_manager"])
    state = frozen(order)
    with pytest.raises(PermissionDenied):
        services.work_order_confirm(work_order=order, rating=5, actor=wo.users["property_manager"])
    for bad in (0, 6, "五", 4.5, None):
        with pytest.raises(ValidationError, match="评分应为1到5之间的整数"):
            services.work_order_confirm(work_order=order, rating=bad, actor=wo.users["resident"])
    assert frozen(order) == state
    services.work_order_confirm(work_order=order, rating="3", actor=wo.users["resident"])
    order.refresh_from_db()
    assert order.rating == 3


def test_community_staff_record_the_callback_rating_of_a_hotline_order(wo):
    order = submit(wo, channel="hotline", reporter=None, reporter_name="张大爷")
    for step in (services.work_order_accept, services.work_order_arrive):
        step(work_order=order, actor=wo.users["property_manager"])
    services.work_order_resolve(work_order=order, note="已修复", actor=wo.users["property_manager"])
    with pytest.raises(PermissionDenied):
        services.work_order_confirm(work_order=order, rating=5, actor=wo.users["community_staff_b"])
    services.work_order_confirm(work_order=order, rating=4, actor=wo.users["community_staff"], comment="电话回访")
    order.refresh_from_db()
    assert order.status == "confirmed"


def _resolved(wo):
    order = submit(wo)
    for step in (services.work_order_accept, services.work_order_arrive):
        step(work_order=order, actor=wo.users["property_manager"])
    services.work_order_resolve(work_order=order, note="已修复", actor=wo.users["technician"])
    order.refresh_from_db()
    return order


def test_reopen_on_the_seventh_day_boundary_is_allowed(wo):
    # DOMAIN_RULES.md §A 1: 7 日以内 includes the boundary
    order = _resolved(wo)
    services.work_order_confirm(work_order=order, rating=2, actor=wo.users["resident"])
    wo.clock.move_to(order.resolved_at + dt.timedelta(days=7))
    services.work_order_reopen(work_order=order, reason="又漏了", actor=wo.users["resident"])
    order.refresh_from_db()
    assert order.status == "accepted" and order.reopen_count == 1
    assert order.rating is None and order.resolved_at is None
    now = order.updated_at
    assert order.resolve_by == now + 24 * HOUR and order.arrive_by == now + 24 * HOUR
    assert kinds(order)[-1] == "reopened"
    assert f"诉求被重新打开：{order.number}" in inbox(wo, "property_manager")


def test_reopen_after_the_seventh_day_is_refused_and_changes_nothing(wo):
    order = _resolved(wo)
    wo.clock.move_to(order.resolved_at + dt.timedelta(days=7, microseconds=1))
    state = frozen(order)
    with pytest.raises(ValidationError, match="已超过7日"):
        services.work_order_reopen(work_order=order, reason="又漏了", actor=wo.users["resident"])
    with pytest.raises(PermissionDenied):
        services.work_order_reopen(work_order=order, reason="又漏了", actor=wo.users["tenant"])
    assert frozen(order) == state


def test_cancel_needs_a_reason_and_an_open_order(wo):
    order = submit(wo)
    state = frozen(order)
    with pytest.raises(ValidationError, match="请填写撤销原因"):
        services.work_order_cancel(work_order=order, reason=" ", actor=wo.users["resident"])
    with pytest.raises(PermissionDenied):
        services.work_order_cancel(work_order=order, reason="不需要了", actor=wo.users["outsider"])
    assert frozen(order) == state
    services.work_order_cancel(work_order=order, reason="自己修好了", actor=wo.users["resident"])
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.events.last().note == "自己修好了"
    with pytest.raises(ValidationError, match="不能撤销"):
        services.work_order_cancel(work_order=order, reason="再撤一次", actor=wo.users["resident"])
    # a handler's cancellation is told to the reporter
    other = submit(wo)
    services.work_order_cancel(work_order=other, reason="重复报事", actor=wo.users["property_manager"])
    assert f"您的诉求已撤销：{other.number}" in inbox(wo, "resident")


def test_transfer_to_a_department_restarts_the_accept_clock(wo):
    order = submit(wo)
    services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    wo.clock.shift(2 * 60 * 60)
    with pytest.raises(ValidationError, match="请填写转办原因"):
        services.work_order_transfer(
            work_order=order, reason="", department=wo.housing, actor=wo.users["property_manager"]
        )
    with pytest.raises(ValidationError, match="请选择一个接收单位"):
        services.work_order_transfer(work_order=order, reason="产权问题", actor=wo.users["property_manager"])
    with pytest.raises(ValidationError, match="相同"):
        services.work_order_transfer(
            work_order=order, reason="x", company=wo.company_a, actor=wo.users["property_manager"]
        )
    resolve_by = order.resolve_by
    services.work_order_transfer(
        work_order=order, reason="公共管线属市政产权", department=wo.housing, actor=wo.users["property_manager"]
    )
    order.refresh_from_db()
    assert (order.status, order.company, order.department) == ("submitted", None, wo.housing)
    assert order.accept_by == MONDAY_10 + 2 * HOUR + 30 * MINUTE
    assert order.resolve_by == resolve_by and order.accepted_at is None
    assert order.events.last().data == {"previous": "甲物业有限公司", "to": "西城区住房城市建设委员会"}
    assert f"转办诉求待受理：{order.number}" in inbox(wo, "housing_officer")
    # the company no longer handles it; the department does
    with pytest.raises(PermissionDenied):
        services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    services.work_order_accept(work_order=order, actor=wo.users["housing_officer"])


def test_merge_a_duplicate_into_an_open_order_of_the_same_estate(wo):
    first = submit(wo)
    duplicate = submit(wo, reporter="tenant", description="楼上漏水到我家")
    other_estate = submit(wo, estate=wo.estate_b, reporter="outsider")
    manager = wo.users["property_manager"]
    with pytest.raises(ValidationError, match="不能与自身合并"):
        services.work_order_merge(work_order=first, into=first, actor=manager)
    with pytest.raises(PermissionDenied):
        services.work_order_merge(work_order=other_estate, into=first, actor=manager)
    with pytest.raises(ValidationError, match="同一小区"):
        services.work_order_merge(work_order=duplicate, into=other_estate, actor=wo.users["street_officer"])
    services.work_order_merge(work_order=duplicate, into=first, actor=manager)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == ("cancelled", first)
    assert kinds(duplicate)[-1] == "merged" and kinds(first)[-1] == "merged_in"
    assert f"您的诉求已合并办理：{duplicate.number}" in inbox(wo, "tenant")
    with pytest.raises(ValidationError, match="不能合并"):
        services.work_order_merge(work_order=duplicate, into=first, actor=manager)


def test_a_photo_that_is_not_an_image_is_refused_and_a_real_one_loses_its_exif(wo):
    """Issue 12 §4: a "photo" of random bytes is refused naming it; a real one is stored re-encoded."""
    import io

    from PIL import Image

    with pytest.raises(ValidationError, match="第1张照片：不是有效的图片"):
        submit(wo, photos=[SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40)])
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    Image.new("RGB", (8, 6)).save(out, format="JPEG", exif=exif)
    order = submit(wo, photos=[SimpleUploadedFile("门口.jpg", out.getvalue(), content_type="image/jpeg")])
    stored = order.photos.get()
    with Image.open(stored.image) as image:
        assert not image.getexif()


def test_photos_have_a_daily_quota_per_user(wo, monkeypatch):
    from gongzhi.work_orders.services import common

    monkeypatch.setattr(common, "PHOTO_DAILY_QUOTA", 3)
    submit(wo, photos=[photo("1.jpg"), photo("2.jpg")])
    with pytest.raises(ValidationError, match="每人每天最多上传 3 张，今天已上传 2 张"):
        submit(wo, photos=[photo("3.jpg"), photo("4.jpg")])
