"""Checks of the one authorization model: the service itself refuses whoever its permission refuses.

A ``ServiceCase`` names one write service, the permission that guards it and how to call it for a
persona. ``check_service_case`` runs it once per persona, each time in a savepoint rolled back
afterwards, and asserts, independent of any page or endpoint:

- a persona the permission allows is not refused for who they are (the call may still be refused
  for its input — a case gives valid input, so it must succeed);
- a persona the permission refuses gets ``Forbidden`` with the permission's code and its reason,
  and nothing changed: every row of the case's tables and the audit log are as they were.

``expected_status`` derives what a page or endpoint must answer from the same predicate, so the page
and API matrices cannot disagree with the services.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from gongzhi.core.errors import Forbidden
from gongzhi.core.models import AuditLog
from gongzhi.core.permissions import Permission
from gongzhi.core.scoping import forget_scope, is_staff, scope_of


@dataclass
class ServiceCase:
    """One write service in the persona × service table."""

    name: str
    permission: Permission
    objects: Callable[[Any], tuple]  # world → the objects the permission is asked about
    call: Callable[[Any, Any], Any]  # (world, user) → runs the service as that user
    tables: tuple[type[models.Model], ...] = ()  # rows that must not change when refused
    setup: Callable[[Any], None] | None = None  # world → make what the call needs (inside the savepoint)
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def fingerprint(tables: Iterable[type[models.Model]]) -> str:
    """A digest of every row of the tables and of the audit log (small worlds only)."""
    digest = hashlib.sha256()
    for model in (*tables, AuditLog):
        rows = list(model._default_manager.order_by("pk").values())
        digest.update(model._meta.label.encode())
        digest.update(json.dumps(rows, default=str, sort_keys=True).encode())
    return digest.hexdigest()


def _refresh(objects: Iterable[Any]) -> None:
    for obj in objects:
        if isinstance(obj, models.Model) and obj.pk is not None:
            obj.refresh_from_db()


def check_service_case(world: Any, case: ServiceCase, personas: Iterable[str]) -> dict[str, str]:
    """Run the case for every persona; return persona → "allowed" / "refused" (for a readable table)."""
    outcome: dict[str, str] = {}
    for persona in personas:
        user = world.users[persona]
        forget_scope(user)
        sid = transaction.savepoint()
        try:
            if case.setup is not None:
                case.setup(world)
            objects = case.objects(world)
            allowed = case.permission(scope_of(user), *objects)
            before = fingerprint(case.tables)
            try:
                case.call(world, user)
            except Forbidden as exc:
                assert not allowed, f"{case.name}: {persona} is allowed by {case.permission.code} but refused: {exc}"
                assert exc.code == case.permission.code, (
                    f"{case.name}: {persona} refused with {exc.code}, expected {case.permission.code}"
                )
                assert fingerprint(case.tables) == before, f"{case.name}: refusing {persona} changed data"
                outcome[persona] = "refused"
            except PermissionDenied as exc:
                raise AssertionError(
                    f"{case.name}: {persona} refused without a code (plain PermissionDenied): {exc}"
                ) from exc
            except ValidationError as exc:
                raise AssertionError(
                    f"{case.name}: {persona} ({'allowed' if allowed else 'not allowed'}) got a validation refusal "
                    f"instead of {'success' if allowed else 'Forbidden'}: {exc}"
                ) from exc
            else:
                assert allowed, f"{case.name}: {persona} may not ({case.permission.code}) but the service did it"
                outcome[persona] = "allowed"
        finally:
            transaction.savepoint_rollback(sid)
            _refresh(case.objects(world) if case.setup is None else ())
    return outcome


def expected_status(
    user: Any, visible: bool, permission: Permission | None, *objects: Any, ok: int = 200, staff_page: bool = False
) -> int:
    """What a page or endpoint must answer: 404 to who may not see the row, 403 to who may see it but
    not act (the permission refuses), ``ok`` otherwise. A staff page (``staff_page``) is a 404 for
    residents and users without a role whatever the permission says: it does not exist for them."""
    if not visible or (staff_page and not is_staff(user)):
        return 404
    if permission is not None and not permission(scope_of(user), *objects):
        return 403
    return ok
