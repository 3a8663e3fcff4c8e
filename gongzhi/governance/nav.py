"""Navigation entry of the governance bodies: staff."""

from django.urls import reverse

from gongzhi.accounts.roles import RESIDENT
from gongzhi.core.plugins import NavItem


def items(scope) -> list[NavItem]:  # noqa: ANN001
    if scope.everything or scope.roles - {RESIDENT, "volunteer"}:
        return [NavItem("committees", "业委会/物管会", reverse("governance:committee_list"), order=30)]
    return []
