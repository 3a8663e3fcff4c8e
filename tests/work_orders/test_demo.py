"""The demo work orders (gongzhi.work_orders.demo): months of orders in the demo estates, in every
state, with non-trivial 响应率、解决率、满意率 (DOMAIN_RULES.md §G 26) from the existing selectors.

The registry demo and the orders are loaded once for the module inside a transaction rolled back at
the end; each test runs in a savepoint within it.
"""

from __future__ import annotations

import io
import time
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from gongzhi.work_orders import demo, selectors
from gongzhi.work_orders.choices import OPEN_STATUSES, Channel, EscalationLevel, Status
from gongzhi.work_orders.models import WorkOrder, WorkOrderEvent


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):  # noqa: ARG001
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        started = time.monotonic()
        call_command("load_demo", stdout=out)
        seconds = time.monotonic() - started
        yield {"out": out.getvalue(), "seconds": seconds}
        transaction.set_rollback(True)


def test_load_demo_builds_months_of_orders_mostly_in_jinsong(loaded, db):
    orders = WorkOrder.objects.all()
    assert "演示工单" in loaded["out"]
    by_estate = Counter(orders.values_list("estate__name", flat=True))
    assert by_estate["劲松一区"] + by_estate["劲松二区"] > sum(by_estate.values()) / 2
    assert by_estate["广安门北街20号院"] > 0 and len(by_estate) >= 4
    first = orders.order_by("submitted_at").first().submitted_at
    assert (timezone.now() - first).days >= 90
    assert Counter(orders.values_list("channel", flat=True)).keys() >= {
        Channel.RESIDENT_APP,
        Channel.HOTLINE,
        Channel.HOTLINE_12345,
    }
    cases = orders.filter(channel=Channel.HOTLINE_12345)
    assert not cases.filter(external_ref="").exists()


def test_every_state_and_every_rung_is_present(loaded, db):
    now = timezone.now()
    statuses = Counter(WorkOrder.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    assert statuses[Status.CLOSED] > sum(statuses.values()) / 2  # most are done
    assert WorkOrder.objects.overdue(now).exists()
    levels = Counter(WorkOrder.objects.values_list("escalation_level", flat=True))
    assert levels[EscalationLevel.STREET] >= 2
    department = WorkOrder.objects.filter(escalation_level=EscalationLevel.DEPARTMENT, status__in=OPEN_STATUSES)
    assert department.exists()


def test_timelines_follow_the_clocks(loaded, db):
    # every escalation is an event at the moment a clock ran out, and a late step is recorded as late
    orders = WorkOrder.objects.all()
    escalated = orders.filter(escalation_level__gt=0)
    for order in escalated[:50]:
        events = order.events.filter(kind="escalated")
        assert events.count() == order.escalation_level
        assert events.order_by("-at").first().at == order.escalated_at
    for order in orders.exclude(accepted_at=None)[:200]:
        assert order.submitted_at <= order.accepted_at <= timezone.now()
        assert order.accepted_in_time == (
            order.escalation_level == 0 or not order.events.filter(kind="escalated", data__clock="accept_by").exists()
        )
    for order in orders.filter(status__in=[Status.RESOLVED, Status.CONFIRMED, Status.CLOSED])[:200]:
        assert order.accepted_at <= order.arrived_at <= order.resolved_at
    assert not orders.filter(rating__isnull=False, confirmed_at__isnull=True).exists()
    assert WorkOrderEvent.objects.filter(kind="confirmed").count() == orders.filter(rating__isnull=False).count()


def test_rates_from_the_selectors_are_non_trivial(loaded, db):
    rates = selectors.rates(WorkOrder.objects.all())
    assert 0.6 < rates.response < 1
    assert 0.7 < rates.resolution < 1
    assert 0.6 < rates.satisfaction < 1
    low = WorkOrder.objects.filter(rating__lte=2).count()
    assert 0 < low < rates.rated / 5


def test_build_is_deterministic_and_runs_once(loaded, db):
    before = WorkOrder.objects.count()
    assert demo.build(seed=2026)["orders"] == 0  # orders exist: nothing is added
    assert WorkOrder.objects.count() == before
