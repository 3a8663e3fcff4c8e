"""Dashboards and reports read from a read replica when there is one (issue 14 §8).

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database; code that only reads and can
live with a replica's lag of a second or so — the street cockpit, the rate reports — runs inside
``reading_from_replica()`` (or is decorated with ``@replica_reads``), and ``ReplicaRouter`` sends its
reads there. Everything else, and every write, stays on the primary. Without a replica the
context changes nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("gongzhi_replica_reads", default=False)

F = TypeVar("F", bound=Callable[..., Any])


def has_replica() -> bool:
    """A replica is configured and reads may go to it (``REPLICA_READS``; the test suite turns it off,
    since a test's rows live in its own uncommitted transaction on the primary)."""
    return REPLICA in settings.DATABASES and getattr(settings, "REPLICA_READS", True)


@contextmanager
def reading_from_replica() -> Iterator[None]:
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(view: F) -> F:
    """Run a read-only view's queries on the replica (the session and user were read before it)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with reading_from_replica():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class ReplicaRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _reading.get() and has_replica():
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # one database, copied: every row is on both

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA  # a replica is migrated by replication, never directly
