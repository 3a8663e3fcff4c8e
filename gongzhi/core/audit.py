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
from gongzhi.core.models import AuditAction, AuditBatch, AuditChainHead, AuditLog

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


def leaf_hash(row: AuditLog) -> str:
    """The hash of a row's own content (who, what, which row, when, before and after)."""
    fields = [
        row.at.isoformat(),
        row.actor_id,
        row.action,
        row.object_type,
        row.object_id,
        row.summary,
        row.before,
        row.after,
        row.event,
    ]
    payload = json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def chain_hash(prev_hash: str, leaf: str) -> str:
    """A sealed row's hash: it covers the previous row's hash and its own leaf hash."""
    return hashlib.sha256(f"{prev_hash}:{leaf}".encode()).hexdigest()


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
    """Append rows to the audit log: one insert, no lock — a writer never waits on another writer for
    the audit log. The rows are sealed into the chain after the transaction commits (``seal_soon``).
    Call inside the write's transaction, so the rows exist exactly when the write does."""
    entries = list(entries)
    if not entries:
        return []
    at = timezone.now()
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
        )
        row.leaf_hash = leaf_hash(row)
        rows.append(row)
    if len(rows) == 1:
        rows[0].save()  # keeps the id on every database
    else:
        AuditLog.objects.bulk_create(rows, batch_size=500)
    transaction.on_commit(seal_soon)
    return rows


# --- The sequencer ---------------------------------------------------------------------------------

SEAL_BATCH = 5000
_sealer: Any = None


def register_sealer(enqueue: Any) -> None:
    """How ``seal_soon`` reaches the background worker (set by core's tasks module at start-up)."""
    global _sealer
    _sealer = enqueue


def seal_soon() -> None:
    """Ask for the new rows to be sealed: the background worker does it (``tasks.seal_audit``), so the
    writer spends no statement on it; without a worker, seal here."""
    if _sealer is not None:
        _sealer()
    else:
        seal_pending()


def seal_pending(*, limit: int = SEAL_BATCH) -> int:
    """Seal every row not yet sealed, in batches, and return how many were sealed.

    One sequencer at a time holds the chain head (``SKIP LOCKED``: a second one returns at once,
    the first will see its rows); rows get their place in the order the sequencer finds them, so a
    row committed late is simply sealed later. After releasing the head, look again: a row committed
    while the head was held, whose own request to seal found it busy, is picked up here."""
    sealed = 0
    while True:
        done, busy = _seal_batch(limit)
        sealed += done
        if busy:
            return sealed
        if done == 0 and not AuditLog.objects.filter(seq__isnull=True).exists():
            return sealed


def _seal_batch(limit: int) -> tuple[int, bool]:
    """(rows sealed, whether another sequencer holds the head)."""
    with transaction.atomic():
        AuditChainHead.objects.get_or_create(pk=1, defaults={"last_hash": GENESIS})
        locking = AuditChainHead.objects.select_for_update(skip_locked=True)
        head = locking.filter(pk=1).first() if connection_supports_skip_locked() else locking.get(pk=1)
        if head is None:
            return 0, True
        rows = list(AuditLog.objects.filter(seq__isnull=True).order_by("id")[:limit])
        if not rows:
            return 0, False
        prev, seq = head.last_hash, head.count
        first = seq + 1
        for row in rows:
            seq += 1
            row.seq, row.prev_hash = seq, prev
            row.hash = prev = chain_hash(prev, row.leaf_hash)
        batch = AuditBatch.objects.create(
            first_seq=first, last_seq=seq, head_hash=prev, prev_head=head.last_hash, sealed_at=timezone.now()
        )
        for row in rows:
            row.batch = batch
        AuditLog.objects.bulk_update(rows, ["seq", "prev_hash", "hash", "batch"], batch_size=1000)
        AuditChainHead.objects.filter(pk=1).update(last_hash=prev, count=seq)
    return len(rows), False


def connection_supports_skip_locked() -> bool:
    from django.db import connection

    return connection.features.has_select_for_update_skip_locked


def verify_chain(*, seal: bool = True) -> tuple[bool, AuditLog | None]:
    """Check the whole log; return (True, None) or (False, the first row that does not fit).

    Every row must match its leaf hash (an edited row does not); sealed rows, in chain order, must
    each cover the previous one's hash with no gap (a deleted or inserted row breaks it), and each
    batch head must be the hash of its last row. Pending rows are sealed first unless ``seal`` is off."""
    if seal:
        seal_pending()
    prev, expected_seq, last = GENESIS, 1, None
    heads = dict(AuditBatch.objects.values_list("last_seq", "head_hash"))
    for row in AuditLog.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000):
        if (
            row.seq != expected_seq
            or leaf_hash(row) != row.leaf_hash
            or row.prev_hash != prev
            or chain_hash(prev, row.leaf_hash) != row.hash
            or (row.seq in heads and heads[row.seq] != row.hash)
        ):
            return False, row
        prev, expected_seq = row.hash, expected_seq + 1
        last = row
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.count != expected_seq - 1 or head.last_hash != prev):
        return False, last  # the chain ends early: rows after this one were removed
    for row in AuditLog.objects.filter(seq__isnull=True).order_by("id").iterator(chunk_size=2000):
        if leaf_hash(row) != row.leaf_hash:
            return False, row
    return True, None


def published_heads(day: Any) -> list[Any]:
    """The batch heads sealed on a day (Asia/Shanghai), last one last: what a street publishes so that
    anyone can later check the log against it."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return list(AuditBatch.objects.filter(sealed_at__gte=start, sealed_at__lt=start + dt.timedelta(days=1)))


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
