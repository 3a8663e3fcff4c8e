"""Reads of accounts other apps use: who holds a role where (to notify them, to offer them as assignees)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from gongzhi.accounts.models import RoleAssignment, User


def users_holding(q: Q) -> list[User]:
    """Active users with an active role assignment matching ``q`` (a filter on RoleAssignment, e.g.
    ``Q(role="property_manager", company_id=3)``), each once, in a stable order."""
    return list(
        User.objects.filter(is_active=True, role_assignments__in=RoleAssignment.objects.filter(q, active=True))
        .distinct()
        .order_by("pk")
    )


def users_holding_at(roles: tuple[str, ...] | list[str], place_ids: Any) -> list[User]:
    """Active users holding one of ``roles`` at one of the places (e.g. the community above an estate)."""
    ids = [pk for pk in place_ids if pk is not None]
    if not ids:
        return []
    return users_holding(Q(role__in=roles, place_id__in=ids))


def assignments_of(user: Any) -> QuerySet[RoleAssignment]:
    """A user's active role assignments with their place, company, organisation and department."""
    return RoleAssignment.objects.filter(user_id=user.pk, active=True).select_related(
        "place", "company", "organisation", "department"
    )
