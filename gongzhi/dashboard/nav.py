"""Navigation entry of the street overview: street-level roles, Party workers and community staff."""

from django.urls import reverse

from gongzhi.core.plugins import NavItem

VIEWERS = {"street_officer", "department_officer", "party_worker", "community_staff"}


def items(scope) -> list[NavItem]:  # noqa: ANN001
    if scope.everything or scope.roles & VIEWERS:
        return [NavItem("street", "街道总览", reverse("dashboard:street_overview"), order=10)]
    return []
