"""Streaming bulk inserts for the demo and the scale data.

``bulk_create`` builds a model instance and prepares every value through its field; for hundreds
of thousands of rows that is most of the time, and SQLite's 999-parameter limit cuts batches to a
few dozen rows. ``BulkWriter`` takes plain tuples instead and writes them in batches: ``COPY`` on
PostgreSQL, ``executemany`` elsewhere. Ids are handed out first by ``IdAllocator`` — from the
table's own sequence on PostgreSQL, so the sequence never needs resetting and concurrent writers
cannot collide — so rows can reference each other (a place's path holds its id) without a second
write. Memory stays bounded by the batch size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


class IdAllocator:
    """Hands out primary keys before the rows are written.

    PostgreSQL: ``nextval`` of the table's sequence, so ids are reserved for good. Elsewhere
    (SQLite, where the caller holds the write lock for the whole transaction): the table's
    current maximum plus what this allocator has already handed out.
    """

    def __init__(self) -> None:
        self._next: dict[type[models.Model], int] = {}

    def take(self, model: type[models.Model], count: int) -> Sequence[int]:
        if count <= 0:
            return range(0)
        table = model._meta.db_table
        column = model._meta.pk.column
        with connection.cursor() as cursor:
            if is_postgres():
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
                )
                return [row[0] for row in cursor.fetchall()]
            quote = connection.ops.quote_name
            cursor.execute(f"SELECT COALESCE(MAX({quote(column)}), 0) FROM {quote(table)}")  # noqa: S608 - model names
            start = max(cursor.fetchone()[0] + 1, self._next.get(model, 0))
        self._next[model] = start + count
        return range(start, start + count)


class BulkWriter:
    """Writes rows of one table in batches. ``fields`` are model field names (foreign keys by their
    ``_id``); ``created_at``/``updated_at`` are filled in when the model has them."""

    def __init__(self, model: type[models.Model], fields: Sequence[str], *, batch: int = 5000) -> None:
        meta = model._meta
        self.model = model
        self.batch = max(1, batch)
        concrete = {f.attname: f for f in meta.concrete_fields}
        self.columns = [concrete[name].column for name in fields]
        self.stamped = "created_at" in concrete and "updated_at" in concrete
        tail: list[Any] = []
        if self.stamped:
            self.columns += ["created_at", "updated_at"]
            now = timezone.now()
            stamp = now if is_postgres() else connection.ops.adapt_datetimefield_value(now)
            tail += [stamp, stamp]
        # Columns the caller does not give (a field added later) get their default (None, "" or the declared one).
        for name, f in concrete.items():
            if name in fields or f.primary_key or name in ("created_at", "updated_at"):
                continue
            self.columns.append(f.column)
            tail.append(f.get_db_prep_save(f.get_default(), connection))
        self.tail = tuple(tail)
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        self.copy_sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"
        placeholders = ", ".join(["%s"] * len(self.columns))
        self.insert_sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row + self.tail if self.tail else row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if is_postgres():
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.insert_sql, self.rows)
        self.written += len(self.rows)
        self.rows = []
