"""The querysets every funds table uses: rows hang under an estate (``estate__path``); per-unit rows
are also their owners'."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from gongzhi.core.scoping import Scope, ScopedQuerySet, path_q, scope_of


class FundsQuerySet(ScopedQuerySet):
    """Rows of an estate: staff see their estates; residents see their estate's public matters.

    Who may change them is not a queryset's business: gongzhi.funds.permissions decides, and the
    services guard with it."""

    scope_path = "estate__path"
    scope_domain = "funds"


def owner_q(scope: Scope, user: Any, unit_lookup: str) -> Q:
    """Rows of units the user owns now (bills are the owner's, not a tenant's)."""
    person_id = getattr(user, "person_id", None)
    if not person_id:
        return Q(pk__in=[])
    return Q(**{f"{unit_lookup}__ownerships__person_id": person_id, f"{unit_lookup}__ownerships__until__isnull": True})


class PrivateQuerySet(FundsQuerySet):
    """Per-unit rows (bills, payments): staff of the estate and the unit's current owners only."""

    unit_lookup = "unit"

    def visible_to(self, user: Any) -> PrivateQuerySet:
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        q = path_q(self.scope_path, scope.read_paths)
        if scope.person_ids:
            q |= owner_q(scope, user, self.unit_lookup)
            return self.filter(q).distinct()
        return self.filter(q)
