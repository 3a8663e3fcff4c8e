"""12345 cases in and feedback out (12345工单导入、办结反馈导出), for street and community office staff.

Import is all or nothing: every row is checked first (columns, times, category, estate within the
importer's scope, case numbers repeated in the file); any bad row and nothing is imported, with the
row number, column and reason of each problem. A case number already imported (channel
hotline_12345) is reported as "已导入，跳过" and changes nothing, so the same file can be uploaded
twice. Each new case goes through ``work_order_submit`` — received time, caller, phone — so it is
routed, timed and escalated like any other demand. Its resolve clock is the file's 办理时限 when
given (else the category's default, DOMAIN_RULES.md §G 28); the accept clock starts when the case
reaches the responsible body, i.e. at import (the first unit to receive it is responsible, §G 27).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from gongzhi.core.audit import audit_record
from gongzhi.core.models import AuditAction
from gongzhi.core.scoping import actor_scope
from gongzhi.registry.models import Place
from gongzhi.work_orders import services
from gongzhi.work_orders.bridges.hotline12345 import files as hotline
from gongzhi.work_orders.choices import OPEN_STATUSES, Channel, EventKind, Status
from gongzhi.work_orders.models import Category, WorkOrder, WorkOrderEvent
from gongzhi.work_orders.permissions import can_import_hotline, handled_q, supervised_q

SKIPPED = "已导入，跳过"
RATING_WORDS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}


@dataclass
class ImportResult:
    """What an upload did: orders made, rows skipped as already imported, or the errors (then nothing)."""

    rows: int = 0
    created: list[WorkOrder] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, case number)
    errors: list[hotline.RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


class _Categories:
    """Category lookup by the names a 12345 file uses: "child", "parent/child" or "parent"."""

    def __init__(self) -> None:
        self.by_path: dict[tuple[str, ...], Category] = {}
        self.by_name: dict[str, list[Category]] = {}
        for c in Category.objects.filter(active=True).select_related("parent"):
            if c.parent_id and not c.parent.active:
                continue
            path = (_key(c.parent.name), _key(c.name)) if c.parent_id else (_key(c.name),)
            self.by_path[path] = c
            self.by_name.setdefault(_key(c.name), []).append(c)

    def find(self, text: str) -> tuple[Category | None, str]:
        parts = tuple(_key(p) for p in hotline.split_category(text))
        if len(parts) > 1:
            found = self.by_path.get(parts[-2:])
            if found is not None:
                return found, ""
            parts = parts[-1:]
        matches = self.by_name.get(parts[0], []) if parts else []
        if len(matches) == 1:
            return matches[0], ""
        if len(matches) > 1:
            return None, f"问题分类“{text}”有多个同名类别，请写成“大类/小类”，如“{matches[0].parent}/{text}”。"
        return None, f"问题分类“{text}”不是本系统的诉求类别。请改为系统中的类别名称，如“水电气暖/跑冒滴漏、管道漏水”。"


class _Estates:
    """The estates the importer may write to, found by the start of the address (longest name wins)."""

    def __init__(self, actor: Any, estate: Place | None) -> None:
        self.fixed = estate
        self.names: dict[str, list[Place]] = {}
        if estate is None:
            for place in Place.objects.estates().filter(supervised_q(actor_scope(actor))).only("id", "name", "path"):
                self.names.setdefault(_key(place.name), []).append(place)

    def find(self, address: str) -> tuple[Place | None, str, str]:
        """(estate, location left after the estate name, error)."""
        if self.fixed is not None:
            text = address.strip()
            name = self.fixed.name
            location = text[len(name) :].strip() if text.startswith(name) else text
            return self.fixed, location or text, ""
        key = _key(address)
        for name in sorted(self.names, key=len, reverse=True):
            if key.startswith(name):
                places = self.names[name]
                if len(places) > 1:
                    return None, "", f"您管辖范围内有多个名为“{places[0].name}”的小区，请在页面上选定小区后再导入。"
                rest = address.strip()
                raw = places[0].name
                location = rest[len(raw) :].strip() if rest.startswith(raw) else rest
                return places[0], location, ""
        # The same words whether the estate exists elsewhere or not at all (no leak of other scopes).
        return None, "", f"“{address}”不在您管辖范围内的小区中。地址应以小区名称开头，或在页面上选定小区。"


def _check_file(content: bytes, file_name: str, actor: Any, estate: Place | None, now: dt.datetime) -> tuple:
    table = hotline.read_table(content, file_name)
    header_row, index = hotline.find_header(table)
    data = [(n, v) for n, v in table if n > header_row and not hotline.is_blank(v)]
    if len(data) > hotline.MAX_ROWS:
        raise hotline.HotlineFileError(f"一次最多导入 {hotline.MAX_ROWS} 行，请按日期分成几个文件。")
    result = ImportResult(rows=len(data))
    if not data:
        raise hotline.HotlineFileError("文件里没有工单数据（表头下面是空的）。")
    checked = [(number, *hotline.check_row(number, values, index, now)) for number, values in data]
    cases = {row.case for _, row, _ in checked if row.case}
    existing = set(
        WorkOrder.objects.filter(channel=Channel.HOTLINE_12345, external_ref__in=cases).values_list(
            "external_ref", flat=True
        )
    )
    categories = _Categories()
    estates = _Estates(actor, estate)
    seen: dict[str, int] = {}
    plan: list[tuple[hotline.CaseRow, Category, Place, str]] = []
    for number, row, errors in checked:
        if row.case in seen:
            errors.append(hotline.RowError(number, "工单编号", f"与第{seen[row.case]}行的工单编号重复。"))
        elif row.case:
            seen[row.case] = number
        if not errors and row.case in existing:
            result.skipped.append((number, row.case))
            continue
        category = place = None
        if row.category_text:
            category, problem = categories.find(row.category_text)
            if problem:
                errors.append(hotline.RowError(number, "问题分类", problem))
        if row.address:
            place, location, problem = estates.find(row.address)
            if problem:
                errors.append(hotline.RowError(number, "诉求地址/小区", problem))
        if errors:
            result.errors.extend(errors)
        elif category is not None and place is not None:
            plan.append((row, category, place, location))
    return result, plan


class _Rollback(Exception):
    """Raised inside the import transaction to undo every row when any row is refused."""


def hotline_import(*, content: bytes, file_name: str, actor: Any, estate: Place | None = None) -> ImportResult:
    """Check and import a 12345 file (all rows or none). ``estate``, when given, takes every case;
    otherwise each row's 诉求地址/小区 must start with the name of an estate the importer may change.
    Raises ``HotlineFileError`` for a file that cannot be read, ``Forbidden`` (``can_import_hotline``)
    for a user who may not import or an estate outside their scope."""
    can_import_hotline.require(actor)
    if estate is not None:
        can_import_hotline.require(actor, estate)
    now = timezone.now()
    result, plan = _check_file(content, file_name, actor, estate, now)
    if result.errors:
        result.errors.sort(key=lambda e: e.row)
        return result
    try:
        with transaction.atomic():
            for row, category, place, location in plan:
                try:
                    order = services.work_order_submit(
                        channel=Channel.HOTLINE_12345,
                        category=category,
                        estate=place,
                        description=row.content,
                        location=location,
                        reporter_name=row.caller,
                        reporter_phone=row.phone,
                        external_ref=row.case,
                        submitted_at=row.received,
                        accept_from=now,  # the accept clock starts when the case reaches the body
                        resolve_by=row.deadline,  # the file's 办理时限, else the category's default
                        actor=actor,
                    )
                except ValidationError as exc:
                    for name, messages in exc.message_dict.items():
                        column = {"external_ref": "工单编号", "reporter_phone": "联系电话"}.get(name, "诉求内容")
                        result.errors.extend(hotline.RowError(row.row, column, m) for m in messages)
                    raise _Rollback from exc
                result.created.append(order)
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                object_type="work_orders.hotline12345",
                object_id=file_name[:64],
                summary=f"导入12345工单：新增{len(result.created)}件，跳过{len(result.skipped)}件（{file_name}）",
            )
    except _Rollback:
        result.created = []
    return result


# ---------------------------------------------------------------------------------------------
# Feedback (办结反馈)


def _when(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def is_overdue(order: WorkOrder, now: dt.datetime) -> bool:
    """Whether the case missed (or is past) its resolve clock."""
    if order.resolved_at is not None:
        return order.resolved_in_time is False or (
            order.resolve_by is not None and order.resolved_at > order.resolve_by
        )
    return order.status in OPEN_STATUSES and order.resolve_by is not None and order.resolve_by < now


def feedback_row(order: WorkOrder, now: dt.datetime) -> tuple:
    events = list(order.feedback_events)  # prefetched, oldest first
    resolved = [e for e in events if e.kind == EventKind.RESOLVED]
    if order.status == Status.CANCELLED:
        cancelled = [e for e in events if e.kind in (EventKind.CANCELLED, EventKind.MERGED)]
        result = f"已撤销：{cancelled[-1].note}" if cancelled else "已撤销"
    elif resolved and order.resolved_at is not None:
        result = resolved[-1].note
    else:
        result = "办理中"
    status = order.get_status_display()
    rating = f"{order.rating}分（{RATING_WORDS[order.rating]}）" if order.rating else "未评价"
    visits = []
    for e in events:
        who = e.actor.display_name or e.actor.get_username() if e.actor_id else "报事人"
        if e.kind == EventKind.CONFIRMED:
            score = e.data.get("rating")
            visits.append(f"{_when(e.at)} {who}回访：评分{score}分" + (f"，{e.note}" if e.note else ""))
        elif e.kind == EventKind.REOPENED:
            visits.append(f"{_when(e.at)} 来电人反映未解决，重新办理：{e.note}")
    return (
        order.external_ref,
        status,
        _when(order.resolved_at),
        result,
        rating,
        "是" if is_overdue(order, now) else "否",
        "；\n".join(visits) or "未回访",
    )


def feedback_orders(
    actor: Any, *, estate: Place | None = None, since: dt.date | None = None, until: dt.date | None = None
):
    """The 12345 cases the user handles or supervises, oldest case first, with what the feedback needs."""
    kinds = [EventKind.RESOLVED, EventKind.CONFIRMED, EventKind.REOPENED, EventKind.CANCELLED, EventKind.MERGED]
    qs = (
        WorkOrder.objects.filter(handled_q(actor_scope(actor)))
        .filter(channel=Channel.HOTLINE_12345)
        .prefetch_related(
            Prefetch(
                "events",
                queryset=WorkOrderEvent.objects.filter(kind__in=kinds).select_related("actor").order_by("at", "id"),
                to_attr="feedback_events",
            )
        )
        .order_by("submitted_at", "id")
    )
    if estate is not None:
        qs = qs.filter(estate=estate)
    if since is not None:
        qs = qs.filter(submitted_at__gte=dt.datetime.combine(since, dt.time(0), tzinfo=hotline.SH))
    if until is not None:
        qs = qs.filter(
            submitted_at__lt=dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), tzinfo=hotline.SH)
        )
    return qs


def hotline_feedback_export(
    *, actor: Any, estate: Place | None = None, since: dt.date | None = None, until: dt.date | None = None
) -> tuple[bytes, int]:
    """The 办结反馈 workbook for upload to the 12345 system, and how many cases it lists."""
    can_import_hotline.require(actor)
    now = timezone.now()
    orders = list(feedback_orders(actor, estate=estate, since=since, until=until))
    return hotline.build_feedback(feedback_row(o, now) for o in orders), len(orders)
