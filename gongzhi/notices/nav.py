"""Navigation: 公告 for everyone with a home or a role (residents read theirs, staff manage them)."""

from django.urls import reverse

from gongzhi.core.plugins import NavItem


def items(scope) -> list[NavItem]:  # noqa: ANN001
    if scope.is_staff:
        return [NavItem("notices", "公告公示", reverse("notices:list"), order=80)]
    if scope.unit_ids:
        return [NavItem("notices", "公告", reverse("notices:mine"), order=80)]
    return []
