"""The escalation ladder (督办升级): escalating by hand (吹哨), the sweep that escalates overdue orders, and
the sweep that archives settled ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from gongzhi.core.audit import AuditEntry, audit_record, audit_record_many
from gongzhi.core.models import AuditAction
from gongzhi.core.notifications import notify_many
from gongzhi.work_orders import rules
from gongzhi.work_orders.choices import (
    DEADLINE_FIELD,
    IN_TIME_FIELD,
    EscalationLevel,
    EventKind,
    Status,
)
from gongzhi.work_orders.errors import WorkOrdersError
from gongzhi.work_orders.models import (
    WorkOrder,
    WorkOrderEvent,
)
from gongzhi.work_orders.permissions import (
    can_escalate,
)
from gongzhi.work_orders.services.common import (
    RungPeople,
    _event,
    _events,
    _link,
    _local,
    _lock,
    _notify,
    _save,
    _text,
    _wrong_state,
    deadline,
    rung_users,
)

# --- Escalation -------------------------------------------------------------------------------------


def _escalation_deadline(order: WorkOrder, level: int, now: dt.datetime) -> dt.datetime:
    return deadline(now, settings.WORK_ORDER_ESCALATION_MINUTES[level], order.sla_working_hours)


def _rung_message(order: WorkOrder, level: int, reason: str) -> tuple[str, str]:
    field = order.deadline_field
    return (
        f"{EscalationLevel(level).label}：{order.number}",
        f"{order.estate.name}，{order.category}：{order.description[:60]}。{reason}"
        f"请督促责任单位（{order.responsible or '无'}），于{_local(getattr(order, field) if field else None)}前答复。",
    )


def _tell_rung(order: WorkOrder, level: int, reason: str) -> None:
    title, body = _rung_message(order, level, reason)
    _notify(rung_users(order, level), title, body, order)


def work_order_escalate(*, work_order: WorkOrder, reason: str, actor: Any) -> WorkOrder:
    """Move the order one rung up the ladder by hand (督办升级) — the street blowing the whistle (吹哨)
    before the clock runs out. A clock still running keeps its deadline (the next rung follows when it
    runs out); a clock already run out gives the new rung its own time to answer."""
    now = timezone.now()
    reason = _text(reason, "reason", "升级原因", 500)
    with transaction.atomic():
        order = _lock(work_order)
        can_escalate.require(actor, order)
        if not order.can_escalate():
            if order.is_open:
                _wrong_state("已是最高督办层级（部门报到）", WorkOrdersError.TOP_RUNG)
            _wrong_state(f"工单{order.get_status_display()}，不能升级")
        level = rules.next_rung(order.escalation_level)
        field = order.deadline_field
        changes: dict[str, Any] = {"escalation_level": level, "escalated_at": now}
        if getattr(order, field) is None or getattr(order, field) < now:
            # the clock has already run out: it stays missed, and the new rung gets its own time
            changes |= {field: _escalation_deadline(order, level, now), IN_TIME_FIELD[field]: False}
        _save(order, actor, changes, f"升级至{EscalationLevel(level).label}", event="escalated")
        _event(order, EventKind.ESCALATED, actor, now, note=reason, level=level, automatic=False)
        _tell_rung(order, level, f"督办原因：{reason[:60]}。")
    return order


def _claim_overdue(rows: list[tuple[int, str, int, bool, dt.datetime]], now: dt.datetime) -> int:
    """Escalate the overdue orders of ``rows`` (pk, status, level, working hours, the clock that ran out)
    that nobody else has claimed, all in one transaction: a compare-and-set ``UPDATE … RETURNING`` per
    (state, rung, calendar) — a concurrent sweeper's UPDATE of the same row waits for this one and then
    no longer matches — then one insert of timeline events, one run of audit rows, and each rung told."""
    due_before = {pk: due for pk, _status, _level, _hours, due in rows}
    groups: dict[tuple[str, int, bool], list[int]] = {}
    for pk, status, level, working_hours, _due in rows:
        groups.setdefault((status, level, working_hours), []).append(pk)
    table = connection.ops.quote_name(WorkOrder._meta.db_table)
    with transaction.atomic():
        claimed: dict[int, tuple[str, int]] = {}
        for (status, level, working_hours), pks in groups.items():
            field = DEADLINE_FIELD[status]
            new_level = rules.next_rung(level)
            new_due = deadline(now, settings.WORK_ORDER_ESCALATION_MINUTES[new_level], working_hours)
            sql = (
                f"UPDATE {table} SET escalation_level = %s, escalated_at = %s, updated_at = %s, "  # noqa: S608 — column names from the model, values bound
                f"{field} = %s, {IN_TIME_FIELD[field]} = %s "
                f"WHERE id IN ({', '.join(['%s'] * len(pks))}) AND status = %s AND escalation_level = %s "
                f"AND sla_working_hours = %s AND {field} < %s RETURNING id"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [new_level, now, now, new_due, False, *pks, status, level, working_hours, now])
                claimed.update({pk: (field, level) for (pk,) in cursor.fetchall()})
        if not claimed:
            return 0
        # One read of the claimed orders with their categories, estates and bodies; one of the rungs'
        # people (RungPeople); one INSERT each of timeline rows, audit rows and inbox rows — a batch
        # costs the same number of statements for 10 orders as for 1,000.
        orders = list(
            WorkOrder.objects.filter(pk__in=claimed)
            .select_related("estate", "category", "category__parent", "company", "department", "rights_unit")
            .order_by("pk")
        )
        labels = {"accept_by": "受理", "arrive_by": "到场", "resolve_by": "办结"}
        _events(
            [
                WorkOrderEvent(
                    order=order,
                    kind=EventKind.ESCALATED,
                    at=now,
                    note=f"{labels[claimed[order.pk][0]]}超时（时限{_local(due_before[order.pk])}），"
                    f"升级至{EscalationLevel(order.escalation_level).label}",
                    data={"level": order.escalation_level, "automatic": True, "clock": claimed[order.pk][0]},
                )
                for order in orders
            ]
        )
        audit_record_many(
            [
                AuditEntry(
                    actor=None,
                    action=AuditAction.UPDATE,
                    obj=order,
                    before={"escalation_level": claimed[order.pk][1], claimed[order.pk][0]: due_before[order.pk]},
                    after={
                        "escalation_level": order.escalation_level,
                        claimed[order.pk][0]: getattr(order, claimed[order.pk][0]),
                    },
                    summary=f"{order.number} 超时自动升级",
                    event="work_orders.order.escalated",
                )
                for order in orders
            ]
        )
        people = RungPeople([(order, order.escalation_level) for order in orders])
        notify_many(
            [
                (
                    people.of(order),
                    *_rung_message(order, order.escalation_level, f"{labels[claimed[order.pk][0]]}已超时。"),
                    _link(order),
                )
                for order in orders
            ],
            channels=settings.WORK_ORDER_NOTIFY_CHANNELS,
        )
    return len(orders)


def sweep_overdue(now: dt.datetime | None = None, *, batch: int = 1000) -> int:
    """Find open orders whose running clock has passed and move each one rung up (超时自动升级).

    Any number of workers may sweep at once: each order is claimed by a compare-and-set update that
    only one of them wins, so it is escalated and announced exactly once. One query per state finds
    the candidates (each uses that state's partial index on its clock). Returns how many this worker
    escalated.
    """
    now = now or timezone.now()
    rows: list[tuple[int, str, int, bool, dt.datetime]] = []
    for status, field in DEADLINE_FIELD.items():
        rows += (
            WorkOrder.objects.filter(status=status, escalation_level__lt=rules.TOP, **{f"{field}__lt": now})
            .order_by(field)
            .values_list("pk", "status", "escalation_level", "sla_working_hours", field)[: batch - len(rows)]
        )
        if len(rows) >= batch:
            break
    return _claim_overdue(rows, now) if rows else 0


def sweep_settled(now: dt.datetime | None = None, *, batch: int = 1000) -> int:
    """Archive (办结) resolved or confirmed orders whose reopen window has passed, each once."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.WORK_ORDER_REOPEN_DAYS)
    rows = list(
        WorkOrder.objects.filter(status__in=[Status.RESOLVED, Status.CONFIRMED], resolved_at__lt=limit)
        .order_by()
        .values_list("pk", "status")[:batch]
    )
    done = 0
    for pk, status in rows:
        with transaction.atomic():
            if (
                WorkOrder.objects.filter(pk=pk, status=status).update(
                    status=Status.CLOSED, closed_at=now, updated_at=now
                )
                != 1
            ):
                continue
            order = WorkOrder.objects.get(pk=pk)
            note = "已评价，办结归档" if status == Status.CONFIRMED else "报事人未在期限内评价，办结归档"
            _event(order, EventKind.CLOSED, None, now, note=note)
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                obj=order,
                before={"status": status},
                after={"status": Status.CLOSED},
                summary=f"{order.number} 办结归档",
                event="work_orders.order.closed",
            )
            done += 1
    return done
