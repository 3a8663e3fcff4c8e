"""The audit log: every write leaves a row with before/after; the hash chain detects tampering."""

from decimal import Decimal

from gongzhi.core.audit import verify_chain
from gongzhi.core.models import AuditAction, AuditLog
from gongzhi.registry import services as reg


def test_every_service_write_is_audited_with_before_and_after(world):
    unit = world.units_a[0]
    reg.unit_update(unit=unit, surveyed_area=Decimal("61.00"), actor=world.users["community_staff"])
    row = AuditLog.objects.filter(
        action=AuditAction.UPDATE, object_type="registry.unit", object_id=str(unit.pk)
    ).first()
    assert row is not None
    assert row.actor == world.users["community_staff"]
    assert row.before["surveyed_area"] is None
    assert row.after["surveyed_area"] == "61.00"


def test_chain_verifies_and_names_the_tampered_row(world):
    ok, bad = verify_chain()
    assert ok and bad is None
    victim = AuditLog.objects.order_by("id")[5]
    AuditLog.objects.filter(pk=victim.pk).update(summary="被篡改")
    ok, bad = verify_chain()
    assert not ok
    assert bad.pk == victim.pk


def test_deleting_a_row_breaks_the_chain(world):
    victim = AuditLog.objects.order_by("id")[3]
    AuditLog.objects.filter(pk=victim.pk).delete()
    ok, bad = verify_chain()
    assert not ok


def test_an_edited_row_is_named_before_it_is_even_sealed(world):
    from gongzhi.core.audit import audit_record

    row = audit_record(actor=None, action=AuditAction.UPDATE, object_type="test.thing", object_id=1, summary="原文")
    assert row.seq is None  # inside the test's transaction: not sealed until it commits
    AuditLog.objects.filter(pk=row.pk).update(summary="被改过")
    ok, bad = verify_chain(seal=False)
    assert not ok and bad.pk == row.pk


def test_sealing_gives_each_row_its_place_and_each_batch_a_head(world):
    from gongzhi.core.audit import audit_record, chain_hash, seal_pending
    from gongzhi.core.models import AuditBatch

    seal_pending()
    rows = [
        audit_record(actor=None, action=AuditAction.UPDATE, object_type="test.thing", object_id=i, summary=f"第{i}条")
        for i in range(3)
    ]
    assert seal_pending() == 3
    sealed = list(AuditLog.objects.filter(pk__in=[r.pk for r in rows]).order_by("seq"))
    assert [r.seq for r in sealed] == [sealed[0].seq, sealed[0].seq + 1, sealed[0].seq + 2]
    assert sealed[1].prev_hash == sealed[0].hash and sealed[2].hash == chain_hash(sealed[1].hash, sealed[2].leaf_hash)
    batch = AuditBatch.objects.get(last_seq=sealed[2].seq)
    assert batch.head_hash == sealed[2].hash and batch.first_seq == sealed[0].seq
    assert verify_chain() == (True, None)


def test_removing_the_newest_sealed_rows_is_noticed(world):
    from gongzhi.core.audit import seal_pending

    seal_pending()
    newest = AuditLog.objects.filter(seq__isnull=False).order_by("-seq").first()
    AuditLog.objects.filter(pk=newest.pk).delete()
    ok, bad = verify_chain()
    assert not ok and bad.seq == newest.seq - 1  # the chain ends early after this row


def test_a_writer_takes_no_lock_for_the_audit_log(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.core.audit import audit_record

    with CaptureQueriesContext(connection) as ctx:
        audit_record(actor=None, action=AuditAction.UPDATE, object_type="test.thing", object_id=9, summary="x")
    statements = [q["sql"] for q in ctx.captured_queries]
    assert len(statements) == 1 and statements[0].startswith("INSERT"), statements


def test_audit_heads_command_verifies_and_lists_the_day(world):
    from io import StringIO

    from django.core.management import call_command

    from gongzhi.registry import services as reg

    reg.place_update(place=world.estate_a, note="公示前的一次修改", actor=None)
    out = StringIO()
    call_command("audit_heads", "--verify", stdout=out)
    text = out.getvalue()
    assert "审计链校验通过" in text
    assert "序号" in text  # today's sealed batch, with its head hash
