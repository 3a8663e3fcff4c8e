"""Writing and checking the hash-chained audit log."""

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from gongzhi.core.masking import mask_id_number, mask_phone
from gongzhi.core.models import AuditAction, AuditChainHead, AuditLog

GENESIS = "0" * 64


def _jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


# Personal numbers are kept masked in the audit log: it is append-only and kept for years, so a whole
# number written there could never be taken back (DOMAIN_RULES.md §I 31).
PERSONAL_FIELDS = {"phone": mask_phone, "contact_phone": mask_phone, "id_number": mask_id_number}


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON-safe picture of a row's concrete fields (foreign keys by id, personal numbers masked)."""
    wanted = set(fields) if fields is not None else None
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if wanted is not None and field.name not in wanted:
            continue
        if field.name in {"created_at", "updated_at", "password"}:
            continue
        value = getattr(instance, field.attname)
        if field.name in PERSONAL_FIELDS and value:
            value = PERSONAL_FIELDS[field.name](value)
        data[field.attname] = _jsonable(value)
    return data


def _row_hash(prev_hash: str, row: AuditLog) -> str:
    fields = [
        prev_hash,
        row.at.isoformat(),
        row.actor_id,
        row.action,
        row.object_type,
        row.object_id,
        row.summary,
        row.before,
        row.after,
    ]
    if row.event:  # rows from before event codes existed hash as they did then
        fields.append(row.event)
    payload = json.dumps(
        fields,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class AuditEntry:
    """One row to append with ``audit_record_many`` (the same fields as ``audit_record``)."""

    actor: Any
    action: str
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str | int = ""
    summary: str = ""
    before: dict | None = None
    after: dict | None = None
    ip: str | None = None
    event: str = ""


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
    event: str = "",
) -> AuditLog:
    """Append one row to the audit log, chained to the previous one. Call inside the write's transaction.

    ``event`` is the machine-readable code of what happened ("work_orders.order.escalated")."""
    entry = AuditEntry(actor, action, obj, object_type, object_id, summary, before, after, ip, event)
    return audit_record_many([entry])[0]


def audit_record_many(entries: Iterable[AuditEntry]) -> list[AuditLog]:
    """Append several rows in order under one lock of the chain head and one insert (a sweep that
    escalates a thousand orders writes its thousand rows at once). Call inside the write's transaction."""
    entries = list(entries)
    if not entries:
        return []
    at = timezone.now()
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        prev = head.last_hash
        rows = []
        for e in entries:
            object_type, object_id = e.object_type, e.object_id
            if e.obj is not None:
                object_type = object_type or e.obj._meta.label_lower
                object_id = object_id or e.obj.pk
            user = e.actor if getattr(e.actor, "is_authenticated", False) else None
            row = AuditLog(
                at=at,
                actor=user,
                actor_label=(user.get_username() if user else "系统")[:150],
                action=e.action,
                event=e.event,
                object_type=object_type,
                object_id=str(object_id),
                summary=e.summary[:300],
                before=_jsonable(e.before) if e.before is not None else None,
                after=_jsonable(e.after) if e.after is not None else None,
                ip=e.ip,
                prev_hash=prev,
            )
            row.hash = prev = _row_hash(prev, row)
            rows.append(row)
        if len(rows) == 1:
            rows[0].save()  # keeps the id on every database
        else:
            # ids follow the list's order: the chain head is locked, so no other writer interleaves
            AuditLog.objects.bulk_create(rows, batch_size=500)
        AuditChainHead.objects.filter(pk=1).update(last_hash=prev, count=models.F("count") + len(rows))
    return rows


def verify_chain() -> tuple[bool, AuditLog | None]:
    """Walk the chain from the start; return (True, None) or (False, the first row that does not fit)."""
    prev = GENESIS
    for row in AuditLog.objects.order_by("id").iterator(chunk_size=2000):
        # Round-trip the datetime the way it was hashed (the database may drop sub-microsecond detail).
        if row.prev_hash != prev or _row_hash(prev, row) != row.hash:
            return False, row
        prev = row.hash
    return True, None


def audited_update(
    obj: models.Model, changes: dict[str, Any], *, actor: Any, event: str, summary: str = ""
) -> models.Model:
    """Change some fields of a row and audit it, in one step: the before/after of just those fields,
    saved with ``update_fields`` (``updated_at`` too when the model has it), one audit row with the
    event code. Call inside the service's transaction, on a row it has locked."""
    before = snapshot(obj, changes)
    for name, value in changes.items():
        setattr(obj, name, value)
    update_fields = list(changes)
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        update_fields.append("updated_at")
    obj.save(update_fields=update_fields)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        event=event,
        obj=obj,
        before=before,
        after=snapshot(obj, changes),
        summary=summary or f"{obj} {event}",
    )
    return obj


def audited_create(obj: models.Model, *, actor: Any, event: str, summary: str = "") -> models.Model:
    """Save a new row and audit it with its whole snapshot and the event code (inside the transaction)."""
    obj.save()
    audit_record(
        actor=actor, action=AuditAction.CREATE, event=event, obj=obj, after=snapshot(obj), summary=summary or str(obj)
    )
    return obj
