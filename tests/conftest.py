"""Fixtures shared by every test: the world, the query-count baselines; markers and Hypothesis settings.

- ``world``: a deep copy of the shared world (tests/world.py), built once per test database and
  committed; each test runs in a transaction rolled back at its end. Personas: tests/personas.py.
- ``query_baseline``: exact query counts against tests/<app>/query_counts.json (tests/querycounts.py);
  ``--update-query-counts`` rewrites the files instead of comparing.
- ``slow``: browser, live-server, schemathesis and demo tests, marked here by where they live, so a
  new file there is marked too. ``make test`` runs everything; ``-m "not slow"`` skips them.
- Hypothesis: the ``gongzhi`` profile has no deadline (a loaded machine never fails a test).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from pytest_django.plugin import blocking_manager_key

from tests import querycounts
from tests import world as shared_world
from tests.world import World

hypothesis_settings.register_profile(
    "gongzhi",
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gongzhi"))

TESTS = Path(__file__).resolve().parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-query-counts",
        action="store_true",
        help="write the measured query counts to tests/<app>/query_counts.json instead of comparing them",
    )


# --- the shared world ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # noqa: ANN001, ANN201
    # Once per test database (per xdist worker): the world is committed, every test rolls back to it.
    # reads stay on the primary: a test's rows are in its own transaction, which a replica cannot see
    # (tests/core/test_replica.py checks the routing and the real streaming replica)
    settings.REPLICA_READS = False
    with django_db_blocker.unblock():
        shared_world.install()


@pytest.fixture
def world(db) -> World:  # noqa: ARG001
    return shared_world.fresh()


def _is_demo_module(path: Path) -> bool:
    return path.is_relative_to(TESTS) and (
        path.name.startswith("test_demo") or "demo" in path.relative_to(TESTS).parts[:-1]
    )


# Demo modules none of whose tests use the world (tests/*/test_demo*.py, tests/demo/): set at collection.
_WORLDLESS_DEMO_MODULES: set[Path] = set()


@pytest.fixture(scope="module", autouse=True)
def _demo_without_world(request: pytest.FixtureRequest, django_db_blocker):  # noqa: ANN001, ANN202
    # The demo tests that load the whole demo (once per module) expect the database empty, as a fresh
    # test database is (the demo makes its own users, an ``admin`` among them): for them the world is
    # taken out inside a transaction that is rolled back after the module. This fixture is set up
    # before the module's own fixture that loads the demo.
    if Path(request.path) not in _WORLDLESS_DEMO_MODULES:
        yield
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock(), shared_world.emptied():
        yield


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):  # noqa: ANN001, ANN201
    yield  # after every fixture's teardown, including pytest-django's flush
    if nextitem is None or not _is_transactional(item):
        return  # the session's last test: the test database goes with the session's fixtures
    # The flush at the end of a transactional test emptied every table, the world with them.
    with item.config.stash[blocking_manager_key].unblock():
        shared_world.rebuild()


# --- query counts ----------------------------------------------------------------------------------


@pytest.fixture
def query_baseline(request: pytest.FixtureRequest) -> querycounts.QueryBaseline:
    parts = Path(request.path).resolve().relative_to(TESTS).parts
    return querycounts.QueryBaseline(
        app=parts[0] if len(parts) > 1 else "",
        update=request.config.getoption("update_query_counts"),
        nodeid=request.node.nodeid,
    )


def pytest_sessionfinish(session: pytest.Session) -> None:  # noqa: ARG001
    querycounts.write_measured()


# --- slow tests ------------------------------------------------------------------------------------

SLOW_DIRECTORIES = {"browser", "demo"}
SLOW_FIXTURES = {"live_server", "browser"}


def _is_slow(item: pytest.Item) -> bool:
    path = Path(item.path)
    return (
        _is_demo_module(path)
        or (path.is_relative_to(TESTS) and bool(SLOW_DIRECTORIES & set(path.relative_to(TESTS).parts[:-1])))
        or path.name.startswith("test_schemathesis")
        or item.get_closest_marker("browser") is not None
        or bool(SLOW_FIXTURES & set(getattr(item, "fixturenames", ())))
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    demo_modules: dict[Path, bool] = {}  # path → some test of it uses the world
    for item in items:
        if _is_slow(item):
            item.add_marker(pytest.mark.slow)
        path = Path(item.path)
        if _is_demo_module(path):
            demo_modules[path] = demo_modules.get(path, False) or "world" in getattr(item, "fixturenames", ())
    _WORLDLESS_DEMO_MODULES.clear()
    _WORLDLESS_DEMO_MODULES.update(path for path, uses_world in demo_modules.items() if not uses_world)
