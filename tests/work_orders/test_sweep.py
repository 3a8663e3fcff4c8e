"""The periodic sweep: two workers at once escalate each overdue order exactly once; the Huey task."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def _overdue_orders(wo, n):
    """``n`` open orders over two estates (two companies) and two categories."""
    out = []
    for i in range(n):
        estate = wo.estate_a if i % 2 == 0 else wo.estate_b
        category = wo.leak if i % 3 else wo.garbage
        out.append(submit(wo, estate=estate, category=category, actor=None, reporter=None, channel="hotline"))
    return out


def _sweep_statements(now):
    with CaptureQueriesContext(connection) as ctx:
        done = services.sweep_overdue(now)
    return done, len(ctx.captured_queries)


@pytest.mark.parametrize("n", [3, 12])
def test_the_sweep_costs_the_same_statements_for_any_number_of_orders(wo, n):
    # issue 14 §5: categories, estates and recipients read once per batch, not per order (before: 1,264
    # statements for 1,000 orders; each order read its category's parent, its estate's ancestors, its
    # rung's people and wrote its own inbox rows)
    orders = _overdue_orders(wo, n)
    # the first sweep: every accept clock has run out, each order goes to the residents' committee
    done, statements = _sweep_statements(timezone.now() + dt.timedelta(days=1))
    # 3 candidate reads (one per open state) + SAVEPOINT + 1 compare-and-set UPDATE per (state, rung,
    # calendar) — one here — + the claimed orders with their categories, estates and bodies + timeline
    # rows + audit rows + the estates' ancestors + the rungs' role assignments + their users + inbox rows
    # + RELEASE = 13, for 3 orders as for 12 (before: each order also read its category's parent and
    # wrote its inbox rows, and each estate × body read its ancestors and its rung's people)
    assert (done, statements) == (n, 13)
    # the second: the committee did not answer, each goes to the street (吹哨)
    done, statements = _sweep_statements(timezone.now() + dt.timedelta(days=3))
    assert (done, statements) == (n, 13)
    # and each rung was told what one escalation by hand tells it (rung_users, one order at a time)
    for order in orders:
        order.refresh_from_db()
        told = set(Notification.objects.filter(title__endswith=order.number).values_list("recipient_id", flat=True))
        expected = {u.pk for level in (1, 2) for u in services.rung_users(order, level)}
        assert told >= expected and expected
