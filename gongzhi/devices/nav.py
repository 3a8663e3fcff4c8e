"""Navigation entry for the device pages: staff only (residents have none)."""

from django.urls import reverse

from gongzhi.accounts.roles import RESIDENT
from gongzhi.core.plugins import NavItem


def items(scope) -> list[NavItem]:  # noqa: ANN001
    if scope.everything or scope.roles - {RESIDENT, "volunteer"}:
        return [NavItem("devices", "智能终端", reverse("devices:index"), order=90)]
    return []
