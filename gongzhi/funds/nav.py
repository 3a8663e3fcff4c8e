"""Navigation entries of the funds pages (see gongzhi.accounts.context_processors)."""

from django.urls import reverse

from gongzhi.accounts.roles import RESIDENT
from gongzhi.core.plugins import NavItem
from gongzhi.core.scoping import Scope
from gongzhi.funds.permissions import FIELD_ROLES

OVERSIGHT = {"street_officer", "department_officer", "community_staff", "party_worker"}


def items(scope: Scope) -> list[NavItem]:
    out: list[NavItem] = []
    if scope.is_staff:
        out.append(NavItem("funds", "资金与收益", reverse("funds:home"), order=80))
    if scope.everything or scope.roles.intersection(FIELD_ROLES):
        out.append(NavItem("funds_todo", "续筹待办", reverse("funds:todo"), order=80))
    if scope.everything or scope.roles & OVERSIGHT:
        out.append(NavItem("funds_rates", "收缴率", reverse("funds:rates"), order=80))
    if RESIDENT in scope.roles:
        out.append(NavItem("my_bills", "我的账单", reverse("funds:my_bills"), order=80))
    return out
