"""Routing (estate × category → responsible body, falling back to the contract company) and who sees
which orders (a company's staff never see another company's estates; residents see their own)."""

import pytest
from django.http import Http404

from gongzhi.core.models import Notification
from gongzhi.core.scoping import scope_of
from gongzhi.governance.models import ServiceContract
from gongzhi.registry import services as reg
from gongzhi.work_orders import selectors, services
from gongzhi.work_orders.models import RoutingRule, SlaPolicy, WorkOrder
from gongzhi.work_orders.permissions import can_handle
from tests.work_orders.conftest import submit


def test_routing_walks_the_category_then_the_estate_default_then_the_contract(wo):
    # given: old public pipes of estate A are the rights unit's, noise goes to the housing department
    RoutingRule.objects.create(estate=wo.estate_a, category=wo.leak.parent, rights_unit=wo.rights_unit)
    # then a sub-category follows its parent's rule
    leak = submit(wo)
    assert (leak.rights_unit, leak.company) == (wo.rights_unit, None)
    # and a category without a rule goes to the company of the current contract
    assert submit(wo, category=wo.garbage).company == wo.company_a
    # an estate-wide default rule beats the contract
    RoutingRule.objects.create(estate=wo.estate_a, category=None, department=wo.housing)
    assert submit(wo, category=wo.garbage).department == wo.housing
    # the most specific rule still wins
    RoutingRule.objects.create(estate=wo.estate_a, category=wo.leak, company=wo.company_b)
    assert submit(wo).company == wo.company_b
    # the rights unit's staff are told of their orders
    assert Notification.objects.filter(recipient=wo.users["rights_unit"]).count() == 1


def test_an_estate_without_a_company_goes_to_the_community(wo):
    bare = reg.place_create(kind="estate", name="丙小区", parent=wo.community_a, actor=None)
    order = submit(wo, estate=bare, reporter=None, reporter_name="张大爷")
    assert order.responsible is None
    assert [e.kind for e in order.events.all()] == ["submitted"]
    assert Notification.objects.get(recipient=wo.users["community_staff"]).title == f"无责任单位的诉求：{order.number}"
    assert not Notification.objects.filter(recipient=wo.users["property_manager"]).exists()


def test_the_tier_of_the_current_contract_picks_the_policy(wo):
    SlaPolicy.objects.create(tier="livable", category=None, accept_minutes=3, arrive_minutes=10)
    assert submit(wo).accept_by == submit(wo, estate=wo.estate_b, reporter="outsider").accept_by
    ServiceContract.objects.filter(estate=wo.estate_a).update(service_tier="livable")
    order = submit(wo)
    assert (order.accept_by - order.submitted_at).total_seconds() == 180


@pytest.fixture
def orders(wo):
    a = submit(wo)  # the resident's, estate A
    a_tenant = submit(wo, reporter="tenant", category=wo.noise)
    b = submit(wo, estate=wo.estate_b, reporter="outsider")
    return wo, a, a_tenant, b


def visible(world, persona):
    return set(WorkOrder.objects.visible_to(world.users[persona]).values_list("number", flat=True))


def test_who_sees_which_orders(orders):
    wo, a, a_tenant, b = orders
    estate_a = {a.number, a_tenant.number}
    assert visible(wo, "property_manager") == estate_a
    assert visible(wo, "technician") == estate_a
    assert visible(wo, "property_manager_b") == {b.number}
    assert visible(wo, "community_staff") == estate_a
    assert visible(wo, "community_staff_b") == {b.number}
    assert visible(wo, "committee_member") == estate_a
    assert visible(wo, "street_officer") == visible(wo, "admin") == {a.number, a_tenant.number, b.number}
    # residents see only what they reported, not their neighbours' demands
    assert visible(wo, "resident") == {a.number}
    assert visible(wo, "tenant") == {a_tenant.number}
    assert visible(wo, "outsider") == {b.number}
    assert visible(wo, "no_role") == set()


def test_get_for_user_is_404_for_outsiders_and_the_permission_decides_who_handles(orders):
    """Seeing is the selector's (404 for outsiders); handling is ``can_handle``'s (the service's guard)."""
    wo, a, _, _ = orders

    def handles(persona):
        user = wo.users[persona]
        return can_handle(scope_of(user), selectors.work_order_for_user(user, a.pk))

    assert handles("property_manager")
    with pytest.raises(Http404):
        selectors.work_order_for_user(wo.users["property_manager_b"], a.pk)
    with pytest.raises(Http404):
        selectors.work_order_for_user(wo.users["tenant"], a.pk)
    assert not handles("committee_member")
    assert not handles("resident")
    # community staff supervise (and may blow the whistle); the other community's do not even see it
    assert handles("community_staff")
    with pytest.raises(Http404):
        selectors.work_order_for_user(wo.users["community_staff_b"], a.pk)


def test_an_order_transferred_to_another_company_is_seen_by_it(orders):
    wo, a, _, _ = orders
    services.work_order_transfer(
        work_order=a, reason="专业维修", company=wo.company_b, actor=wo.users["street_officer"]
    )
    assert a.number in visible(wo, "property_manager_b")
    services.work_order_accept(work_order=a, actor=wo.users["property_manager_b"])


def test_list_selector_is_one_query(orders, django_assert_num_queries):
    wo, *_ = orders
    user = wo.users["street_officer"]
    list(selectors.work_orders_for_user(user))  # the scope is computed once per request, then cached
    with django_assert_num_queries(1):
        rows = list(selectors.work_orders_for_user(user))
        assert [str(r.category) for r in rows] and [str(r.company) for r in rows]
