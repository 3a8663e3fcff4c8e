"""Scoped reads: the three rates as exact fractions, the overdue list, the timeline."""

import datetime as dt
from fractions import Fraction

from gongzhi.work_orders import selectors, services
from gongzhi.work_orders.models import WorkOrder
from tests.work_orders.conftest import MONDAY_10, submit


def _done(wo, rating=None, late=False):
    order = submit(wo)
    if late:
        wo.clock.shift(31 * 60)
    services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    services.work_order_arrive(work_order=order, actor=wo.users["property_manager"])
    services.work_order_resolve(work_order=order, note="已修复", actor=wo.users["property_manager"])
    if rating:
        services.work_order_confirm(work_order=order, rating=rating, actor=wo.users["resident"])
    return order


def test_rates_are_exact_and_count_what_the_definitions_say(wo):
    # DOMAIN_RULES.md §G 26: 响应率、解决率、满意率
    _done(wo, rating=5)
    _done(wo, rating=4)  # 4 counts as satisfied (以上 includes the mark, §A 1)
    _done(wo, rating=3, late=True)
    submit(wo)  # received, not yet accepted
    cancelled = submit(wo)
    services.work_order_cancel(work_order=cancelled, reason="误报", actor=wo.users["resident"])
    submit(wo, estate=wo.estate_b, reporter="outsider")  # another company's estate

    rates = selectors.rates(WorkOrder.objects.visible_to(wo.users["property_manager"]))
    assert (rates.received, rates.accepted_in_time, rates.resolved, rates.rated, rates.satisfied) == (4, 2, 3, 3, 2)
    assert rates.response == Fraction(1, 2)
    assert rates.resolution == Fraction(3, 4)
    assert rates.satisfaction == Fraction(2, 3)
    assert selectors.rates(WorkOrder.objects.none()).response is None


def test_overdue_list_is_scoped_and_one_query(wo, django_assert_num_queries):
    late = submit(wo)
    submit(wo, estate=wo.estate_b, reporter="outsider")
    fresh = submit(wo)
    services.work_order_accept(work_order=fresh, actor=wo.users["property_manager"])
    now = MONDAY_10 + dt.timedelta(hours=1)
    user = wo.users["property_manager"]
    list(selectors.overdue_for_user(user, now))  # the scope is computed once per request
    with django_assert_num_queries(1):
        rows = [(o.number, str(o.category), str(o.estate)) for o in selectors.overdue_for_user(user, now)]
    assert rows == [(late.number, "水电气暖/跑冒滴漏、管道漏水", "甲小区")]


def test_the_timeline_reads_in_chinese(wo):
    order = submit(wo)
    services.work_order_accept(work_order=order, actor=wo.users["property_manager"])
    assert [e.label for e in selectors.timeline(order)] == ["诉求已提交", "已分派给责任单位", "责任单位已受理"]


def test_active_categories_are_the_seeded_tree(db):
    top = [c.name for c in selectors.active_categories() if c.parent_id is None]
    assert top == ["水电气暖", "环境卫生", "房屋安全", "公共设施", "停车交通", "物业服务", "邻里纠纷", "装修违建"]
    children = [c for c in selectors.active_categories() if c.parent_id]
    counts = {}
    for c in children:
        counts[c.parent.name] = counts.get(c.parent.name, 0) + 1
    assert all(2 <= n <= 4 for n in counts.values()) and len(counts) == 8
