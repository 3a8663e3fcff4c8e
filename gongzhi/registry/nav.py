"""Navigation entries of the registry: estates, people and the roster import for staff; my home for residents."""

from django.urls import reverse

from gongzhi.accounts.roles import RESIDENT
from gongzhi.core.plugins import NavItem


def items(scope) -> list[NavItem]:  # noqa: ANN001
    out: list[NavItem] = []
    if scope.everything or scope.roles - {RESIDENT, "volunteer"}:
        out.append(NavItem("estates", "小区", reverse("registry:estate_list"), order=20))
        out.append(NavItem("people", "人员", reverse("registry:person_list"), order=40))
    if scope.everything or scope.can_write("registry"):
        out.append(NavItem("import", "台账导入", reverse("registry:roster_import"), order=60))
    if RESIDENT in scope.roles:
        out.append(NavItem("mine", "我的房屋", reverse("registry:my_home"), order=62))
    return out
