"""The whole demo, built once for the module that asks for it (tests/demo/test_demo.py).

``load_demo`` runs inside a transaction that is rolled back when the module ends; the tests use the
ordinary ``db`` fixture, whose atomic blocks nest in it as savepoints, so whatever a test changes is
undone before the next and the demo itself is gone before any other module runs. Module scope, not
package scope: a package-wide transaction would still be open (demo data visible) while the other
modules of this package run.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):  # noqa: ARG001
    """What ``load_demo`` printed, with the demo in the database for the module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        # Check the deferred foreign keys once here; otherwise PostgreSQL re-checks the whole load
        # at every test's teardown (its savepoint rollback puts the checks back in the queue).
        connection.check_constraints()
        yield out.getvalue()
        transaction.set_rollback(True)
