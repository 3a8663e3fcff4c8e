"""Exact query counts of pages and list endpoints, pinned in checked-in baseline files.

Each app keeps its counts in ``tests/<app>/query_counts.json``, a flat object of key → count::

    {"page registry:estate_list street_officer": 7, "api GET /units street_officer": 6}

A test measures one request with the ``query_baseline`` fixture (tests/conftest.py)::

    def test_estate_list(world, query_baseline):
        client = world.client_for("street_officer")
        with query_baseline("page registry:estate_list street_officer"):
            client.get(reverse("registry:estate_list"))

The count must equal the baseline: one query more fails, and so does one fewer, so a change in what a
page costs shows up as a deliberate diff of the JSON file in review (Zulip's
``assert_database_query_count``, NetBox's ``query_counts.json``). The file is the one of the test's
own directory (``tests/<app>/``); a test elsewhere names the app (``query_baseline(key, app="funds")``).
A count measured outside a ``with`` block is checked with ``query_baseline.check(key, count)``.

Keys: ``page <url name> <persona>`` for a web page, ``api <METHOD> <path> <persona>`` for an API call,
``selector <name> …`` for a selector, plus words for a variant (``… page 2``, ``… 130 units``).

To add or change baselines, run the tests that measure them with ``--update-query-counts``::

    .venv/bin/pytest --update-query-counts tests/registry          # or the whole suite, -n works too
    git diff tests/*/query_counts.json                              # read what changed, then commit it

In that mode nothing is compared: every measured count is written to its file (keys that were not
measured in the run are kept; remove a key by hand when its test is gone). A key that is missing
fails with the command that adds it.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

TESTS = Path(__file__).resolve().parent
FILE_NAME = "query_counts.json"

_loaded: dict[Path, dict[str, int]] = {}
_measured: dict[Path, dict[str, int]] = defaultdict(dict)  # in --update-query-counts mode, per process


def baseline_path(app: str) -> Path:
    return TESTS / app / FILE_NAME


def _load(path: Path) -> dict[str, int]:
    if path not in _loaded:
        _loaded[path] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return _loaded[path]


class QueryBaseline:
    """The ``query_baseline`` fixture: compares measured query counts with the app's baseline file."""

    def __init__(self, *, app: str, update: bool, nodeid: str) -> None:
        self.app = app
        self.update = update
        self.nodeid = nodeid

    @contextmanager
    def __call__(self, key: str, *, app: str | None = None, using: str = "default") -> Iterator[CaptureQueriesContext]:
        with CaptureQueriesContext(connections[using]) as context:
            yield context
        self.check(key, len(context.captured_queries), app=app, queries=context.captured_queries)

    def check(self, key: str, count: int, *, app: str | None = None, queries: list[dict] | None = None) -> None:
        if not (app or self.app):
            pytest.fail(f"{self.nodeid} is not in an app's directory: name the app, query_baseline(key, app=...)")
        path = baseline_path(app or self.app)
        shown = path.relative_to(TESTS.parent)
        if self.update:
            earlier = _measured[path].get(key)
            if earlier is not None and earlier != count:
                pytest.fail(f"{key!r} was measured twice in this run with different counts ({earlier}, {count})")
            _measured[path][key] = count
            return
        expected = _load(path).get(key)
        if expected is None:
            pytest.fail(
                f"no query-count baseline {key!r} in {shown} (measured {count}).\n"
                f"Add it with: .venv/bin/pytest --update-query-counts '{self.nodeid}' and commit {shown}.",
                pytrace=False,
            )
        if count != expected:
            listing = "\n".join(f"  {n}. {q['sql']}" for n, q in enumerate(queries or [], start=1))
            pytest.fail(
                f"{key!r}: {count} queries, the baseline in {shown} says {expected}.\n{listing}\n"
                f"If the change is intended: .venv/bin/pytest --update-query-counts '{self.nodeid}' "
                f"and commit the diff of {shown}.",
                pytrace=False,
            )


def write_measured() -> None:
    """Merge this process's measured counts into the files (under a lock: xdist workers share them)."""
    for path, counts in _measured.items():
        if not counts:
            continue
        path.parent.mkdir(exist_ok=True)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            fcntl.flock(directory, fcntl.LOCK_EX)
            current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
            current.update(counts)
            text = json.dumps(dict(sorted(current.items())), ensure_ascii=False, indent=2)
            path.write_text(text + "\n", encoding="utf-8")
        finally:
            os.close(directory)  # releases the lock
    _measured.clear()
