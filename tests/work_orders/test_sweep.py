"""The periodic sweep: two workers at once escalate each overdue order exactly once; the Huey task."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from gongzhi.core.models import Notification
from gongzhi.work_orders import services, tasks
from gongzhi.work_orders.models import Category, WorkOrder, WorkOrderEvent
from gongzhi.work_orders.services import escalation
from tests.work_orders.conftest import MONDAY_10, submit


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_escalate_each_order_once(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite lets only one writer in at a time")
    # given 30 orders whose accept clock has run out
    world.leak = Category.objects.get(code="utilities-water-leak")
    orders = [submit(world) for _ in range(30)]
    now = timezone.now() + dt.timedelta(days=1)

    # both workers read the same overdue list before either claims anything
    barrier = threading.Barrier(2, timeout=30)
    claim = escalation._claim_overdue
    waited = threading.local()

    def claim_after_both_have_read(*args):
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return claim(*args)

    monkeypatch.setattr(
        escalation, "_claim_overdue", claim_after_both_have_read
    )  # the sweep lives in services/escalation.py
    results, errors = [], []

    def worker():
        try:
            results.append(services.sweep_overdue(now))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    # then every order went up exactly one rung, with one event, and its rung was told once
    assert errors == []
    assert sum(results) == 30 and len(results) == 2
    assert set(WorkOrder.objects.values_list("escalation_level", flat=True)) == {1}
    assert WorkOrderEvent.objects.filter(kind="escalated").count() == 30
    staff = world.users["community_staff"]
    assert Notification.objects.filter(recipient=staff, title__startswith="居委会").count() == len(orders)


def test_the_task_escalates_and_archives(wo):
    order = submit(wo)
    done = submit(wo, category=wo.garbage)
    for step in (services.work_order_accept, services.work_order_arrive):
        step(work_order=done, actor=wo.users["property_manager"])
    services.work_order_resolve(work_order=done, note="已清运", actor=wo.users["property_manager"])
    wo.clock.move_to(MONDAY_10 + dt.timedelta(days=7, hours=1))
    # the task runs at once in tests (immediate Huey) and returns what it changed
    assert tasks.sweep_task().get() == 2
    order.refresh_from_db()
    done.refresh_from_db()
    assert order.escalation_level == 1 and done.status == "closed"
    assert done.events.last().note == "报事人未在期限内评价，办结归档"
