"""Computes a user's scope from their role assignments and their units (see gongzhi.core.scoping)."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from gongzhi.accounts.roles import RESIDENT, ROLES
from gongzhi.core.scoping import Scope


def scope_for(user) -> Scope:  # noqa: ANN001
    from gongzhi.governance.models import ServiceContract
    from gongzhi.registry.models import Ownership, Residency

    if user.is_superuser:
        return Scope(everything=True, roles=frozenset(ROLES), unmasked_phone=True, unmasked_id=True)

    today = timezone.localdate()
    roles: set[str] = set()
    read: list[str] = []
    write: dict[str, list[str]] = defaultdict(list)
    company_ids: set[int] = set()
    assignments = list(user.role_assignments.filter(active=True).select_related("place"))
    for a in assignments:
        spec = ROLES.get(a.role)
        if spec is None:
            continue
        roles.add(a.role)
        if spec.company_scoped:
            company_ids.add(a.company_id)
            paths = []
        else:
            paths = [a.place.path]
        read.extend(paths)
        for domain in spec.writes:
            write[domain].extend(paths)
    if company_ids:
        # A property company's staff see the estates of its current contracts.
        estate_paths = list(
            ServiceContract.objects.filter(company_id__in=company_ids)
            .current(today)
            .values_list("estate__path", flat=True)
        )
        read.extend(estate_paths)

    unit_ids: set[int] = set()
    public_paths: set[str] = set()
    person_ids: set[int] = set()
    if user.person_id:
        person_ids.add(user.person_id)
        current = Q(person_id=user.person_id, until__isnull=True)
        rows = list(Ownership.objects.filter(current).values_list("unit_id", "unit__estate__path"))
        rows += list(Residency.objects.filter(current).values_list("unit_id", "unit__estate__path"))
        for unit_id, estate_path in rows:
            unit_ids.add(unit_id)
            public_paths.add(estate_path)
        if rows:
            roles.add(RESIDENT)

    return Scope(
        roles=frozenset(roles),
        read_paths=tuple(read),
        write_paths={d: tuple(p) for d, p in write.items()},
        public_paths=tuple(sorted(public_paths)),
        unit_ids=frozenset(unit_ids),
        person_ids=frozenset(person_ids),
        company_ids=frozenset(company_ids),
        unmasked_phone=bool(roles & set(settings.UNMASKED_PHONE_ROLES)),
        unmasked_id=bool(roles & set(settings.UNMASKED_ID_ROLES)),
    )


def is_staff(user) -> bool:  # noqa: ANN001
    """Anyone with a role other than being a resident (staff pages exist only for them)."""
    from gongzhi.core.scoping import scope_of

    scope = scope_of(user)
    return scope.everything or bool(scope.roles - {RESIDENT})


def require_staff(user) -> None:  # noqa: ANN001
    """Staff pages do not exist for residents and users without a role: 404, like for every outsider."""
    from django.http import Http404

    if not is_staff(user):
        raise Http404
