"""Navigation entries of the accounts: personal API tokens for staff, the admin for administrators."""

from django.urls import reverse

from gongzhi.accounts.roles import RESIDENT
from gongzhi.core.plugins import NavItem


def items(scope) -> list[NavItem]:  # noqa: ANN001
    out: list[NavItem] = []
    if scope.everything or scope.roles - {RESIDENT, "volunteer"}:
        out.append(NavItem("tokens", "接口令牌", reverse("accounts:tokens"), order=900))
    if scope.everything:
        out.append(NavItem("admin", "后台管理", reverse("admin:index"), order=910))
    return out
