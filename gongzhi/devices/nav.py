"""Navigation entry for the device pages: staff only (residents have none)."""

from django.urls import reverse

from gongzhi.accounts.roles import RESIDENT


def items(scope) -> list[tuple[str, str, str]]:  # noqa: ANN001
    if scope.everything or scope.roles - {RESIDENT, "volunteer"}:
        return [("devices", "智能终端", reverse("devices:index"))]
    return []
