"""Audit appends in different estates do not wait on each other, and sealing still catches an altered
row (PostgreSQL: SQLite serializes every write, so there is nothing to race there)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from gongzhi.core.audit import audit_record, seal_pending, verify_chain
from gongzhi.core.models import AuditAction, AuditLog
from gongzhi.registry import services as reg

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL writers")


@pytest.mark.django_db(transaction=True)
def test_a_write_in_estate_b_does_not_wait_for_an_open_write_in_estate_a(world):
    holding = threading.Event()
    release = threading.Event()
    finished: dict[str, float] = {}

    def slow_writer_in_a() -> None:
        try:
            with transaction.atomic():
                reg.place_update(place=world.estate_a, note="甲小区备注", actor=None)  # audited
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def writer_in_b() -> None:
        try:
            start = time.monotonic()
            with transaction.atomic():
                reg.place_update(place=world.estate_b, note="乙小区备注", actor=None)
            finished["b"] = time.monotonic() - start
        finally:
            connections.close_all()

    a = threading.Thread(target=slow_writer_in_a)
    a.start()
    assert holding.wait(10)
    b = threading.Thread(target=writer_in_b)
    b.start()
    b.join(5)
    still_waiting = b.is_alive()
    release.set()
    a.join(10)
    b.join(10)
    assert not still_waiting, "a write in estate B waited for an open write in estate A"
    assert finished["b"] < 5
    seal_pending()
    assert verify_chain() == (True, None)
    assert AuditLog.objects.filter(seq__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_are_all_sealed_and_one_altered_row_is_named(world):
    def writer(n: int) -> None:
        try:
            for i in range(25):
                audit_record(
                    actor=None,
                    action=AuditAction.UPDATE,
                    object_type="test.load",
                    object_id=n * 100 + i,
                    summary="并发",
                )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    seal_pending()
    assert AuditLog.objects.filter(object_type="test.load", seq__isnull=False).count() == 200
    assert verify_chain() == (True, None)
    victim = AuditLog.objects.filter(object_type="test.load").order_by("seq")[77]
    AuditLog.objects.filter(pk=victim.pk).update(summary="改过")
    ok, bad = verify_chain()
    assert not ok and bad.pk == victim.pk
