"""Every write to notices (公告公示): drafting, posting with the posting rules checked, withdrawing, and a
household's read receipt. The only place notices and receipts are written.

Posting (§L 40): the moment is the service's own clock, never typed. A notice's period cannot start
before the day it is posted: an earlier start is moved to the posting day, so an assembly notice cannot
be backdated to meet the 15 days of §E 19. The posting rules of ``rules.check_posting`` are checked on
the posting day; 物管会 decisions count working days on the working calendar the work orders use
(``WORK_ORDER_WORKING_HOURS``: weekdays, holidays and 调休 workdays).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gongzhi.core.audit import audit_record, audited_create, audited_update
from gongzhi.core.errors import Conflict, Invalid, invalid
from gongzhi.core.models import AuditAction
from gongzhi.core.scoping import actor_scope, path_q, scope_of
from gongzhi.notices import rules
from gongzhi.notices.choices import EVENT_DATE_LABEL, PURPOSE_KINDS, Audience, NoticeKind, NoticeStatus, Purpose
from gongzhi.notices.errors import NoticesError
from gongzhi.notices.models import Notice, Receipt
from gongzhi.notices.permissions import VISITOR_ROLES, can_acknowledge, can_publish, can_see_unread, publishable_kinds
from gongzhi.registry.choices import PlaceKind
from gongzhi.registry.models import Place, Unit
from gongzhi.work_orders.rules import WorkingCalendar


def working_calendar() -> WorkingCalendar:
    """The official working-day calendar (the same data as the work orders' clocks)."""
    return WorkingCalendar.from_setting(settings.WORK_ORDER_WORKING_HOURS)


def _check_fields(
    *,
    estate: Place,
    kind: str,
    purpose: str,
    audience: str,
    buildings: list[Place],
    starts_on: dt.date,
    ends_on: dt.date,
    event_on: dt.date | None,
) -> None:
    if estate.kind != PlaceKind.ESTATE:
        raise invalid("estate_id", "小区：请选择小区")
    if kind not in NoticeKind.values:
        raise invalid("kind", "种类：请选择公告种类")
    if purpose not in Purpose.values:
        raise invalid("purpose", "事项：请选择事项")
    if audience not in Audience.values:
        raise invalid("audience", "发布范围：请选择发布范围")
    if ends_on < starts_on:
        raise invalid("ends_on", "结束日期：不能早于开始日期")
    allowed_kinds = PURPOSE_KINDS.get(purpose)
    if allowed_kinds and kind not in allowed_kinds:
        names = "、".join(str(NoticeKind(k).label) for k in sorted(allowed_kinds))
        raise invalid("kind", f"种类：{Purpose(purpose).label}应以{names}发布")
    if purpose in EVENT_DATE_LABEL and event_on is None:
        raise invalid("event_on", f"会议或决定日期：请填写{EVENT_DATE_LABEL[purpose]}")
    if audience == Audience.BUILDINGS:
        if not buildings:
            raise invalid("building_ids", "楼栋：发布到部分楼栋时请至少选择一栋")
        for b in buildings:
            if b.kind != PlaceKind.BUILDING or not b.is_under(estate):
                raise invalid("building_ids", f"楼栋：{b.name}不在本小区，超出了公告的发布范围")
    elif buildings:
        raise invalid("building_ids", "楼栋：只有发布到部分楼栋时才选择楼栋")


def notice_create(
    *,
    estate: Place,
    kind: str,
    title: str,
    body: str,
    starts_on: dt.date,
    ends_on: dt.date,
    actor: Any,
    purpose: str = Purpose.GENERAL,
    audience: str = Audience.ESTATE,
    buildings: list[Place] | None = None,
    event_on: dt.date | None = None,
) -> Notice:
    """Draft a notice (起草公告). Nothing is shown to residents until it is posted."""
    buildings = list(buildings or [])
    can_publish.require(actor, estate, kind)
    _check_fields(
        estate=estate,
        kind=kind,
        purpose=purpose,
        audience=audience,
        buildings=buildings,
        starts_on=starts_on,
        ends_on=ends_on,
        event_on=event_on,
    )
    if not title.strip():
        raise invalid("title", "标题：请填写标题")
    if not body.strip():
        raise invalid("body", "正文：请填写正文")
    with transaction.atomic():
        notice = Notice(
            estate=estate,
            kind=kind,
            purpose=purpose,
            audience=audience,
            title=title.strip(),
            body=body.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            event_on=event_on,
            created_by=actor,
        )
        audited_create(notice, actor=actor, event="notices.notice.created", summary=f"起草公告 {notice.title}")
        if buildings:
            notice.buildings.set(buildings)
    return notice


def notice_post(*, notice: Notice, actor: Any, now: dt.datetime | None = None) -> Notice:
    """Post a draft (发布): ``posted_at`` is now; the period starts no earlier than today; the posting rules
    of §E 19–21 and §F 24 are checked on today's date. Refused: nothing written."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().select_related("estate").get(pk=notice.pk)
        can_publish.require(actor, notice.estate, notice.kind)
        if not notice.can_post():
            raise Conflict("只有草稿可以发布", code=NoticesError.NOT_DRAFT)
        start = max(notice.starts_on, today)
        if notice.ends_on < start:
            raise invalid("ends_on", "结束日期：公示期已过，请修改结束日期后再发布", code=NoticesError.PERIOD_TOO_SHORT)
        breach = rules.check_posting(
            notice.purpose,
            posted_on=today,
            start=start,
            end=notice.ends_on,
            event_on=notice.event_on,
            is_workday=working_calendar().is_workday,
        )
        if breach is not None:
            raise Invalid(breach.message, code=breach.code, fields={breach.field: breach.message})
        audited_update(
            notice,
            {"status": NoticeStatus.POSTED, "posted_at": now, "starts_on": start, "posted_by": actor},
            actor=actor,
            event="notices.notice.posted",
            summary=f"发布公告 {notice.title}",
        )
    return notice


def notice_withdraw(*, notice: Notice, reason: str, actor: Any, now: dt.datetime | None = None) -> Notice:
    """Withdraw a posted notice (撤回) with a reason; its receipts stay."""
    reason = (reason or "").strip()
    with transaction.atomic():
        notice = Notice.objects.select_for_update().select_related("estate").get(pk=notice.pk)
        can_publish.require(actor, notice.estate, notice.kind)
        if not notice.can_withdraw():
            raise Conflict("只有已发布的公告可以撤回", code=NoticesError.NOT_POSTED)
        if not reason:
            raise invalid("reason", "撤回原因：请填写撤回原因")
        audited_update(
            notice,
            {"status": NoticeStatus.WITHDRAWN, "withdrawn_at": now or timezone.now(), "withdraw_reason": reason},
            actor=actor,
            event="notices.notice.withdrawn",
            summary=f"撤回公告 {notice.title}",
        )
    return notice


def addressed_units(notice: Notice):  # noqa: ANN201 - a QuerySet[Unit]
    """The households a notice is addressed to: the estate's homes, of the chosen buildings, or those
    with a current owner (parking spaces are not households)."""
    units = Unit.objects.filter(estate_id=notice.estate_id).exclude(use="parking")
    if notice.audience == Audience.BUILDINGS:
        units = units.filter(building__in=notice.buildings.all())
    elif notice.audience == Audience.OWNERS:
        units = units.filter(ownerships__until__isnull=True).distinct()
    return units


def notice_open(*, notice: Notice, actor: Any, now: dt.datetime | None = None) -> int:
    """A resident opened a posted notice: a receipt for each of their households it is addressed to,
    once (已读). Returns how many receipts were new. Staff opening it record nothing."""
    can_acknowledge.require(actor, notice)
    if notice.status != NoticeStatus.POSTED or actor is None:
        return 0
    scope = scope_of(actor)
    mine = scope.owned_unit_ids if notice.audience == Audience.OWNERS else scope.unit_ids
    units = list(addressed_units(notice).filter(pk__in=mine).values_list("pk", "building_id"))
    if not units:
        return 0
    seen = set(
        Receipt.objects.filter(notice=notice, unit_id__in=[u for u, _b in units]).values_list("unit_id", flat=True)
    )
    fresh = [(u, b) for u, b in units if u not in seen]
    if not fresh:
        return 0
    at = now or timezone.now()
    created = Receipt.objects.bulk_create(
        [Receipt(notice=notice, unit_id=u, building_id=b, read_by=actor, read_at=at) for u, b in fresh],
        ignore_conflicts=True,
    )
    return len(created)


def notice_mark_told(*, notice: Notice, units: list[Unit], actor: Any, now: dt.datetime | None = None) -> int:
    """A grid worker or volunteer told these households in person (上门告知): their receipts, once each,
    marked ``in_person``. Grid workers and volunteers only for the units of their own buildings."""
    can_see_unread.require(actor, notice)
    if notice.status != NoticeStatus.POSTED:
        raise Conflict("只有已发布的公告可以登记已读", code=NoticesError.NOT_POSTED)
    scope = actor_scope(actor)
    addressed = addressed_units(notice).filter(pk__in=[u.pk for u in units])
    if not (scope.everything or publishable_kinds(scope, notice.estate)):
        mine = scope.paths(*VISITOR_ROLES)
        if not any(notice.estate.path.startswith(p) for p in mine):
            addressed = addressed.filter(path_q("path", [p for p in mine if p.startswith(notice.estate.path)]))
    rows = list(addressed.values_list("pk", "building_id"))
    if len(rows) != len({u.pk for u in units}):
        raise invalid("unit_ids", "住户：有的住户不在公告的发布范围或不在您负责的楼栋")
    seen = set(
        Receipt.objects.filter(notice=notice, unit_id__in=[u for u, _b in rows]).values_list("unit_id", flat=True)
    )
    at = now or timezone.now()
    fresh = [
        Receipt(notice=notice, unit_id=u, building_id=b, read_by=actor, read_at=at, in_person=True)
        for u, b in rows
        if u not in seen
    ]
    with transaction.atomic():
        created = Receipt.objects.bulk_create(fresh, ignore_conflicts=True)
        if created:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                event="notices.receipt.told_in_person",
                obj=notice,
                after={"units": [r.unit_id for r in fresh]},
                summary=f"上门告知 {len(fresh)} 户：{notice.title}",
            )
    return len(created)
