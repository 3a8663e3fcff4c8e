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
