"""A small world of orders with known rates (DOMAIN_RULES.md §G 26), for the rates and ledger tests.

Time is frozen (the ``wo`` fixture: Monday 2026-11-23 10:00 in Beijing); each order is taken through
the real services at its own moment, so ``accepted_in_time`` and the rest are the services' own.

November 2026 ("this month"):
- estate A (company A): a1 accepted in time, resolved, rated 5; a2 accepted late, resolved, rated 3;
  a3 accepted in time, still open; a4 withdrawn (not received).
- estate B (company B): b1 accepted in time, resolved, rated 4.
October 2026 ("last month"): a5 in estate A at 23:59:59 on the 31st, never accepted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gongzhi.work_orders import services
from tests.work_orders.conftest import MONDAY_10, SH


def at(day: int, hour: int = 10, minute: int = 0, second: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=SH)


def make_order(
    world,
    when: dt.datetime,
    *,
    estate=None,
    category=None,
    accept: str = "",  # "", "in_time" or "late"
    resolve: bool = False,
    rating: int | None = None,
    cancel: bool = False,
    description: str = "厨房水管漏水，已经流到楼下",
):
    """An order submitted at ``when`` and taken as far as asked; the clock is left at MONDAY_10."""
    estate = estate or world.estate_a
    in_a = estate == world.estate_a
    reporter = world.users["resident" if in_a else "outsider"]
    handler = world.users["property_manager" if in_a else "property_manager_b"]
    world.clock.move_to(when)
    order = services.work_order_submit(
        channel="resident_app",
        category=category or world.leak,
        estate=estate,
        location="1号楼1单元",
        description=description,
        reporter=reporter,
        # intake is guarded (work_orders.report): in an estate nobody of the world lives in, the system files it
        actor=reporter if estate in (world.estate_a, world.estate_b) else None,
    )
    if cancel:
        order = services.work_order_cancel(work_order=order, reason="问题已自行解决", actor=reporter)
    if accept:
        # the default accept clock is 30 minutes (settings.WORK_ORDER_SLA_DEFAULTS)
        world.clock.move_to(when + (dt.timedelta(minutes=5) if accept == "in_time" else dt.timedelta(hours=2)))
        order = services.work_order_accept(work_order=order, actor=handler)
    if resolve:
        world.clock.shift(dt.timedelta(minutes=10))
        order = services.work_order_arrive(work_order=order, actor=handler)
        world.clock.shift(dt.timedelta(minutes=30))
        order = services.work_order_resolve(work_order=order, note="已修好", actor=handler)
    if rating is not None:
        world.clock.shift(dt.timedelta(hours=1))
        order = services.work_order_confirm(work_order=order, rating=rating, actor=reporter)
    world.clock.move_to(MONDAY_10)
    return order


@dataclass
class Orders:
    a1: object
    a2: object
    a3: object
    a4: object
    a5: object
    b1: object


def build_orders(world) -> Orders:
    return Orders(
        a1=make_order(world, at(2), accept="in_time", resolve=True, rating=5),
        a2=make_order(world, at(3), category=world.garbage, accept="late", resolve=True, rating=3),
        a3=make_order(world, at(4), category=world.noise, accept="in_time"),
        a4=make_order(world, at(5), cancel=True),
        a5=make_order(world, at(31, 23, 59, 59, month=10)),
        b1=make_order(world, at(10), estate=world.estate_b, accept="in_time", resolve=True, rating=4),
    )


def test_the_small_world_is_what_the_rate_tests_assume(wo):
    # The services decided these (accepted within 30 minutes or not, resolved, rated): the rate tests
    # below rely on them.
    o = build_orders(wo)
    assert (o.a1.status, o.a1.accepted_in_time, o.a1.rating) == ("confirmed", True, 5)
    assert (o.a2.status, o.a2.accepted_in_time, o.a2.rating) == ("confirmed", False, 3)
    assert (o.a3.status, o.a3.accepted_in_time, o.a3.rating) == ("accepted", True, None)
    assert o.a4.status == "cancelled"
    assert (o.a5.status, o.a5.submitted_at) == ("submitted", at(31, 23, 59, 59, month=10))
    assert (o.b1.status, o.b1.company, o.b1.rating) == ("confirmed", wo.company_b, 4)
