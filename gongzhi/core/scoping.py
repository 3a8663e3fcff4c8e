"""The one place data is scoped to a user (可见范围).

A user's ``Scope`` is computed once per request from their role assignments (see
``gongzhi.accounts.scoping.scope_for``). Every scoped model's queryset inherits ``ScopedQuerySet``
and says, with ``scope_path``, which place path it hangs under; ``visible_to(user)`` and
``editable_by(user)`` are then the only filters views, the API and tasks use. ``get_for_user``
turns "not visible" into 404 and "visible but not editable" into 403.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404


@dataclass(frozen=True)
class Held:
    """One active role assignment, as an authorization decision needs it (角色授权).

    ``paths`` are the place-path prefixes the assignment covers: the node it was made at, or for a
    property company's roles the estates of the company's current service contracts.
    """

    role: str
    paths: tuple[str, ...]
    place_kind: str = ""
    company_id: int | None = None
    department_id: int | None = None
    organisation_id: int | None = None


@dataclass(frozen=True)
class Scope:
    """What one user may see and change, computed once per request (see ``scope_of``).

    ``read_paths``/``write_paths`` are place-path prefixes (a role at a node covers its subtree);
    ``write_paths`` maps a domain ("registry", "governance") to the prefixes writable in it.
    ``held`` keeps every assignment (role, covered paths, the place kind it sits at, its company,
    department or organisation) so that each app's permission predicates decide from the scope
    alone, never by querying role assignments or contracts again. A resident sees their own units
    (``unit_ids``; ``owned_unit_ids`` are those they own now), themselves (``person_ids``) and the
    public matters of their estates (``public_paths``).
    """

    everything: bool = False
    user_id: int | None = None
    roles: frozenset[str] = frozenset()
    held: tuple[Held, ...] = ()
    read_paths: tuple[str, ...] = ()
    write_paths: dict[str, tuple[str, ...]] = field(default_factory=dict)
    public_paths: tuple[str, ...] = ()
    unit_ids: frozenset[int] = frozenset()
    owned_unit_ids: frozenset[int] = frozenset()
    person_ids: frozenset[int] = frozenset()
    company_ids: frozenset[int] = frozenset()
    department_ids: frozenset[int] = frozenset()
    organisation_ids: frozenset[int] = frozenset()
    served_estate_ids: frozenset[int] = frozenset()
    unmasked_phone: bool = False
    unmasked_id: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.everything or self.read_paths or self.public_paths or self.unit_ids or self.person_ids)

    @property
    def is_staff(self) -> bool:
        """The one definition of staff (工作人员): an administrator or anyone holding an assigned role —
        volunteers and building-group leaders included. Being a resident is not an assigned role."""
        return self.everything or bool(self.held)

    def can_write(self, domain: str) -> bool:
        return self.everything or bool(self.write_paths.get(domain))

    def paths(self, *roles: str, kinds: frozenset[str] | set[str] | None = None) -> tuple[str, ...]:
        """The place-path prefixes where the user holds any of ``roles`` (assignments at a place of one
        of ``kinds`` only, when given)."""
        return tuple(
            p
            for h in self.held
            if h.role in roles and (kinds is None or h.place_kind in kinds or h.company_id is not None)
            for p in h.paths
        )

    def holds(self, roles: tuple[str, ...] | frozenset[str] | set[str], path: str, **kwargs: Any) -> bool:
        """The user holds one of ``roles`` over the place at ``path`` (administrators hold every role)."""
        if self.everything:
            return True
        return any(path.startswith(p) for p in self.paths(*roles, **kwargs))

    def holds_anywhere(self, *roles: str) -> bool:
        return self.everything or bool(self.roles.intersection(roles))

    def may_write(self, domain: str, path: str) -> bool:
        """The user may change ``domain`` data under the place at ``path``."""
        return self.everything or any(path.startswith(p) for p in self.write_paths.get(domain, ()))


NOTHING = Scope()
SYSTEM = Scope(everything=True)  # what a service does on its own (a sweep, an import, the demo): actor None

_provider: Callable[[Any], Scope] | None = None


def register_scope_provider(provider: Callable[[Any], Scope]) -> None:
    """The app that knows roles (accounts) tells core how to compute a user's scope (core knows no app)."""
    global _provider
    _provider = provider


def scope_of(user: Any) -> Scope:
    """The scope of a user, cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOTHING
    cached = getattr(user, "_gongzhi_scope", None)
    if cached is None:
        if _provider is None:
            raise RuntimeError("no scope provider registered (gongzhi.accounts must be installed)")
        cached = _provider(user)
        user._gongzhi_scope = cached
    return cached


def actor_scope(actor: Any) -> Scope:
    """The scope a service acts with: ``None`` is the system itself (every right), a user their scope."""
    return SYSTEM if actor is None else scope_of(actor)


def forget_scope(user: Any) -> None:
    """Drop a user's cached scope (after their roles or units changed within the same request)."""
    if user is not None:
        user.__dict__.pop("_gongzhi_scope", None)


def path_q(lookup: str, prefixes: tuple[str, ...] | list[str]) -> models.Q:
    """``lookup`` starts with any of ``prefixes``; an empty list matches nothing."""
    if not prefixes:
        return models.Q(pk__in=[])
    return reduce(or_, (models.Q(**{f"{lookup}__startswith": p}) for p in _collapse(prefixes)))


def _collapse(prefixes: tuple[str, ...] | list[str]) -> list[str]:
    """Drop prefixes covered by a shorter one, so the SQL stays small."""
    kept: list[str] = []
    for p in sorted(set(prefixes), key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return kept


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to scope itself to a user.

    Subclasses set ``scope_path`` (the lookup of a place path, e.g. ``"path"`` or ``"estate__path"``)
    and ``scope_domain`` (which write permission applies), and may override ``resident_q`` for what a
    resident sees beyond their roles.
    """

    scope_path: str = "path"
    scope_domain: str = "registry"

    def resident_q(self, scope: Scope) -> models.Q:
        return path_q(self.scope_path, scope.public_paths)

    def visible_to(self, user: Any) -> ScopedQuerySet:
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        q = path_q(self.scope_path, scope.read_paths)
        if scope.public_paths or scope.unit_ids or scope.person_ids:
            q |= self.resident_q(scope)
        return self.filter(q)

    def editable_by(self, user: Any) -> ScopedQuerySet:
        scope = scope_of(user)
        if scope.everything:
            return self.all()
        return self.filter(path_q(self.scope_path, scope.write_paths.get(self.scope_domain, ())))


def get_for_user(queryset: ScopedQuerySet, user: Any, *, write: bool = False, **lookup: Any) -> Any:
    """One row the user may see (else 404); with ``write``, one they may also change (else 403)."""
    try:
        obj = queryset.visible_to(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if write and not queryset.model._default_manager.filter(pk=obj.pk).editable_by(user).exists():
        raise PermissionDenied
    return obj


def require_write(user: Any, domain: str, place_path: str) -> None:
    """403 unless the user may change ``domain`` data under ``place_path`` (for creating new rows)."""
    scope = scope_of(user)
    if scope.everything:
        return
    if not any(place_path.startswith(p) for p in scope.write_paths.get(domain, ())):
        raise PermissionDenied


def is_staff(user: Any) -> bool:
    """Anyone with an assigned role (``Scope.is_staff``: the one definition of staff)."""
    return scope_of(user).is_staff


def require_staff(user: Any) -> None:
    """Staff pages do not exist for residents and users without a role: 404, like for every outsider."""
    if not is_staff(user):
        raise Http404
