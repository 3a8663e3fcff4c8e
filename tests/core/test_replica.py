"""Dashboards read from the read replica when there is one (issue 14 §8).

The router is checked directly; the replica itself — a real PostgreSQL streaming standby started by
``.ci/replica`` on 127.0.0.1:5433 — is checked when ``DATABASE_REPLICA_URL`` names one: it is in
recovery (read-only) and a row committed on the primary arrives on it.
"""

from __future__ import annotations

import os
import time
import uuid

import pytest
from django.conf import settings

from gongzhi.core import replica
from gongzhi.registry.models import Place


@pytest.fixture
def distinct_replica(monkeypatch):
    monkeypatch.setitem(settings.DATABASES, replica.REPLICA, {"NAME": "replica"})
    monkeypatch.setattr(settings, "REPLICA_READS", True)


def test_reads_go_to_the_replica_only_inside_the_context(distinct_replica):  # noqa: ARG001
    router = replica.ReplicaRouter()
    assert router.db_for_read(Place) is None
    with replica.reading_from_replica():
        assert router.db_for_read(Place) == replica.REPLICA
        assert router.db_for_write(Place) is None  # writes always go to the primary
    assert router.db_for_read(Place) is None
    assert router.allow_migrate(replica.REPLICA, "registry") is False
    assert router.allow_migrate("default", "registry") is True


def test_without_a_replica_the_context_changes_nothing(monkeypatch):
    monkeypatch.delitem(settings.DATABASES, replica.REPLICA, raising=False)
    router = replica.ReplicaRouter()
    with replica.reading_from_replica():
        assert router.db_for_read(Place) is None


def test_the_dashboards_read_from_the_replica():
    from gongzhi.dashboard import views

    # login_required wraps replica_reads, which wraps the view: the wrapper's code is replica_reads'
    for view in (views.street_overview, views.rate_drilldown):
        assert view.__wrapped__.__code__ is replica.replica_reads(lambda: None).__code__


REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")


@pytest.mark.skipif(not REPLICA_URL.startswith("postgres"), reason="no streaming replica configured")
def test_the_replica_streams_what_the_primary_commits():
    import psycopg

    primary_url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"
    replica_url = REPLICA_URL.rsplit("/", 1)[0] + "/postgres"
    marker = uuid.uuid4().hex
    with psycopg.connect(primary_url, autocommit=True) as primary:
        primary.execute("CREATE TABLE IF NOT EXISTS gongzhi_replica_probe (marker text PRIMARY KEY)")
        primary.execute("INSERT INTO gongzhi_replica_probe VALUES (%s)", (marker,))
    with psycopg.connect(replica_url, autocommit=True) as standby:
        assert standby.execute("SELECT pg_is_in_recovery()").fetchone()[0] is True
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            found = standby.execute("SELECT to_regclass('gongzhi_replica_probe') IS NOT NULL").fetchone()[0]
            if (
                found
                and standby.execute(
                    "SELECT count(*) FROM gongzhi_replica_probe WHERE marker = %s", (marker,)
                ).fetchone()[0]
            ):
                break
            time.sleep(0.2)
        else:
            pytest.fail("the row committed on the primary did not reach the replica within 15 s")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            standby.execute("INSERT INTO gongzhi_replica_probe VALUES ('x')")
