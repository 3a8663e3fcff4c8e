"""Named permissions (谁可以做什么): one predicate per act, decided from the request's Scope alone.

Each app's ``permissions.py`` declares its acts with ``@permission``::

    @permission("work_orders.escalate", "只有督办的社区、街道工作人员可以上报", who="社区、街道工作人员")
    def can_escalate(scope: Scope, order: WorkOrder) -> bool:
        return scope.holds(SUPERVISORS, order.estate.path)

The same predicate is then the only place the decision is made:
- the service guards with it: ``can_escalate.require(actor, order)`` raises ``Forbidden`` with the
  code and the Chinese reason (the system itself, ``actor=None``, may do everything);
- pages and templates ask it: ``can_escalate(scope, order)`` → bool (views pass the answers of
  ``allowed(scope, obj, ...)`` to the template);
- the tests derive the expected statuses of the page and API matrices from it, and a persona ×
  service table checks that the service refuses whoever the predicate refuses.

Workflow state ("already resolved") is not a permission: that is the model's ``can_<transition>()``
guard and a ``Conflict`` (409). A permission says who, never when.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gongzhi.core.errors import Forbidden
from gongzhi.core.scoping import Scope, actor_scope

REGISTERED: dict[str, Permission] = {}


@dataclass(frozen=True)
class Permission:
    """An act some people may do: its code, the reason given to who may not, and the test."""

    code: str
    message: str
    test: Callable[..., bool]
    who: str = ""

    def __call__(self, scope: Scope, *objects: Any) -> bool:
        if scope.everything:
            return True
        return bool(self.test(scope, *objects))

    def allows(self, actor: Any, *objects: Any) -> bool:
        """For a user (or ``None``, the system) rather than a scope."""
        return self(actor_scope(actor), *objects)

    def require(self, actor: Any, *objects: Any) -> None:
        """The service's guard: refuse with ``Forbidden`` (403, this permission's code and reason)."""
        if not self(actor_scope(actor), *objects):
            raise Forbidden(self.message, code=self.code)

    @property
    def name(self) -> str:
        return self.code.rsplit(".", 1)[-1]


def permission(code: str, message: str, *, who: str) -> Callable[[Callable[..., bool]], Permission]:
    """Declare a named permission (see the module docstring). Codes are unique across the project.

    ``message`` is the reason given to who may not (Chinese); ``who`` says in a few Chinese words who
    may (the README's "who may do what" table is generated from it: ``manage.py permissions_table``)."""

    def declare(test: Callable[..., bool]) -> Permission:
        if code in REGISTERED and REGISTERED[code].test.__qualname__ != test.__qualname__:
            raise ValueError(f"permission {code} declared twice")
        declared = Permission(code=code, message=message, test=test, who=who)
        REGISTERED[code] = declared
        return declared

    return declare


def held_at(code: str, message: str, *, who: str, roles: tuple[str, ...] | frozenset[str]) -> Permission:
    """The commonest permission: the user holds one of ``roles`` at or above the place of the object it is
    asked about (``obj.path``: an estate, a building…). Declared like any other (``permission``)."""

    def test(scope: Scope, place: Any) -> bool:
        return scope.holds(roles, place.path)

    test.__qualname__ = f"held_at[{code}]"
    return permission(code, message, who=who)(test)


def allowed(scope: Scope, *objects: Any, acts: dict[str, Permission] | tuple[Permission, ...]) -> dict[str, bool]:
    """What the user may do with ``objects``, for a template: ``{"escalate": True, …}``."""
    items = acts.items() if isinstance(acts, dict) else ((p.name, p) for p in acts)
    return {name: perm(scope, *objects) for name, perm in items}


def permissions_table() -> str:
    """The README's "who may do what" table: every declared permission, grouped by app (markdown)."""
    import importlib

    from gongzhi.core.plugins import gongzhi_apps

    for config in gongzhi_apps():  # declaring happens on import
        try:
            importlib.import_module(f"{config.name}.permissions")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.permissions":
                raise
    lines = ["| 动作 act | 谁可以 who may | 其他人得到的答复 refusal |", "|---|---|---|"]
    for code in sorted(REGISTERED):
        p = REGISTERED[code]
        lines.append(f"| `{code}` | {p.who} | {p.message} |")
    return "\n".join(lines)
