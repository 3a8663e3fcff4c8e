"""Seal the rows written before the sequencer existed: each gets its leaf hash, its place in the chain
(in the order they were written) and one batch that records the old chain's head as its predecessor.

The hashing is written out here (not imported) so this migration keeps computing what it computed
when it was written, whatever the code later does."""

import hashlib
import json

from django.db import migrations
from django.utils import timezone

GENESIS = "0" * 64


def _leaf(row) -> str:  # noqa: ANN001
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


def reseal(apps, schema_editor) -> None:  # noqa: ANN001, ARG001
    AuditLog = apps.get_model("core", "AuditLog")
    AuditBatch = apps.get_model("core", "AuditBatch")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    head = AuditChainHead.objects.filter(pk=1).first()
    old_head = head.last_hash if head else GENESIS
    rows = list(AuditLog.objects.order_by("id"))
    if not rows:
        AuditChainHead.objects.update_or_create(pk=1, defaults={"last_hash": GENESIS, "count": 0})
        return
    prev = GENESIS
    for seq, row in enumerate(rows, start=1):
        row.leaf_hash = _leaf(row)
        row.seq, row.prev_hash = seq, prev
        row.hash = prev = hashlib.sha256(f"{row.prev_hash}:{row.leaf_hash}".encode()).hexdigest()
    batch = AuditBatch.objects.create(
        first_seq=1, last_seq=len(rows), head_hash=prev, prev_head=old_head, sealed_at=timezone.now()
    )
    for row in rows:
        row.batch_id = batch.pk
    AuditLog.objects.bulk_update(rows, ["leaf_hash", "seq", "prev_hash", "hash", "batch"], batch_size=1000)
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_hash": prev, "count": len(rows)})


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_sequencer")]

    operations = [migrations.RunPython(reseal, migrations.RunPython.noop)]
