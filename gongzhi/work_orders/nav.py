"""Navigation entries of the work orders: the queue for staff, my demands for residents."""

from django.urls import reverse

from gongzhi.accounts.roles import RESIDENT
from gongzhi.core.plugins import NavItem


def items(scope) -> list[NavItem]:  # noqa: ANN001
    out: list[NavItem] = []
    if scope.is_staff:  # the one definition of staff, the same the queue page asks (volunteers included)
        out.append(NavItem("work_orders", "工单", reverse("work_orders:queue"), order=50))
    if RESIDENT in scope.roles:
        out.append(NavItem("my_orders", "我的诉求", reverse("work_orders:mine"), order=64))
    return out
