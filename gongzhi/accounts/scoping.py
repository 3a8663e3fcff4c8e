"""Computes a user's scope (gongzhi.core.scoping.Scope) from their role assignments and their units.

Registered with core by ``AccountsConfig.ready`` (core knows no app). Everything an authorization
decision needs is read here once per request — the assignments with their places, companies,
departments and organisations; the estates each company serves now; the units the user owns or
lives in — so that no app queries role assignments or contracts again to decide who may act.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.utils import timezone

from gongzhi.accounts.roles import RESIDENT, ROLES
from gongzhi.core.scoping import Held, Scope


def scope_for(user: Any) -> Scope:
    from gongzhi.governance.selectors import served_estates
    from gongzhi.registry.selectors import current_units_of

    if user.is_superuser:
        return Scope(everything=True, user_id=user.pk, roles=frozenset(ROLES), unmasked_phone=True, unmasked_id=True)

    assignments = list(
        user.role_assignments.filter(active=True).values_list(
            "role", "place__path", "place__kind", "company_id", "department_id", "organisation_id"
        )
    )
    company_ids = {row[3] for row in assignments if row[3] is not None and row[0] in ROLES}
    served = served_estates(company_ids, timezone.localdate())
    served_paths: dict[int, list[str]] = defaultdict(list)
    for company_id, _estate_id, estate_path in served:
        served_paths[company_id].append(estate_path)

    roles: set[str] = set()
    held: list[Held] = []
    read: list[str] = []
    write: dict[str, list[str]] = defaultdict(list)
    for role, path, kind, company_id, department_id, organisation_id in assignments:
        spec = ROLES.get(role)
        if spec is None:
            continue
        roles.add(role)
        # A property company's staff cover the estates of its current contracts, not a place.
        paths = tuple(served_paths.get(company_id, ())) if spec.company_scoped else (path,)
        held.append(Held(role, paths, kind or "", company_id, department_id, organisation_id))
        read.extend(paths)
        if not spec.company_scoped:
            for domain in spec.writes:
                write[domain].extend(paths)

    units = current_units_of(user.person_id) if user.person_id else []
    if units:
        roles.add(RESIDENT)
    return Scope(
        user_id=user.pk,
        roles=frozenset(roles),
        held=tuple(held),
        read_paths=tuple(read),
        write_paths={d: tuple(p) for d, p in write.items()},
        public_paths=tuple(sorted({u.estate_path for u in units})),
        unit_ids=frozenset(u.unit_id for u in units),
        owned_unit_ids=frozenset(u.unit_id for u in units if u.owns),
        person_ids=frozenset({user.person_id}) if user.person_id else frozenset(),
        company_ids=frozenset(company_ids),
        department_ids=frozenset(h.department_id for h in held if h.department_id is not None),
        organisation_ids=frozenset(h.organisation_id for h in held if h.organisation_id is not None),
        served_estate_ids=frozenset(estate_id for _c, estate_id, _p in served),
        unmasked_phone=bool(roles & set(settings.UNMASKED_PHONE_ROLES)),
        unmasked_id=bool(roles & set(settings.UNMASKED_ID_ROLES)),
    )
