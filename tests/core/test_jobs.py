"""Jobs that survive their worker (issue 13 §5): a lease with a heartbeat; a job whose worker died is
run again by the reaper, or given up with the reason after too many tries."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import jobs
from gongzhi.core.models import JobLease
from gongzhi.registry import services as reg
from gongzhi.registry import tasks  # noqa: F401  (registers the roster import's runners)
from gongzhi.registry.models import Unit
from gongzhi.registry.roster import services as roster_services
from gongzhi.registry.roster.models import RosterImport
from tests.registry.fixtures.roster_files import write_roster

ROOT = Path(__file__).resolve().parents[2]


def _rows(count: int, estate: str = "丙小区") -> list[list]:
    rows = []
    for seq in range(count):
        b, rest = divmod(seq, 100)
        e, n = divmod(rest, 50)
        rows.append(
            [estate, f"{b + 1}号楼", f"{e + 1}单元", f"{n // 4 + 1}{n % 4 + 1:02d}", n // 4 + 1, "住宅",
             f"{60 + seq % 40}.{seq % 100:02d}", None, None, "个人", f"业主{seq}", f"139{seq:08d}", None, None,
             "业主自住", None]
        )  # fmt: skip
    return rows


def _queued_import(world, tmp_path, count: int) -> RosterImport:
    estate = reg.place_create(kind="estate", name="丙小区", parent=world.community_a, actor=None)
    path = write_roster(tmp_path / "roster.xlsx", _rows(count))
    return roster_services.roster_import_create(
        estate=estate, file_name=path.name, content=path.read_bytes(), actor=world.users["community_staff"]
    )


def test_a_finished_job_leaves_a_finished_lease_and_nothing_to_reap(world, tmp_path):
    job = _queued_import(world, tmp_path, 3)
    done = roster_services.roster_import_run(roster_import=job, actor=world.users["community_staff"])
    lease = JobLease.objects.get(kind=roster_services.ROSTER_JOB, ref=str(job.pk))
    assert done.status == "done" and lease.attempts == 1 and lease.finished_at is not None
    assert jobs.reap(timezone.now() + dt.timedelta(hours=1)) == {"requeued": 0, "given_up": 0, "skipped": 0}


def _as_if_killed(job: RosterImport, attempts: int = 1) -> None:
    """What a worker killed mid-run leaves: the job claimed, its lease unfinished and running out."""
    RosterImport.objects.filter(pk=job.pk).update(status="importing")
    past = timezone.now() - dt.timedelta(seconds=1)
    JobLease.objects.create(
        kind=roster_services.ROSTER_JOB, ref=str(job.pk), owner="gone:1:x", attempts=attempts, expires_at=past
    )


def test_the_reaper_runs_a_dead_workers_import_again_once(world, tmp_path):
    job = _queued_import(world, tmp_path, 3)
    _as_if_killed(job)
    assert jobs.is_lost(roster_services.ROSTER_JOB, job.pk)
    assert jobs.reap() == {"requeued": 1, "given_up": 0, "skipped": 0}  # Huey runs at once under test settings
    job.refresh_from_db()
    assert (
        job.status == "done"
        and job.counts["units_created"] == 3
        and Unit.objects.filter(estate=job.estate).count() == 3
    )
    assert JobLease.objects.get(ref=str(job.pk)).attempts == 2
    assert jobs.reap() == {"requeued": 0, "given_up": 0, "skipped": 0}  # a second reaper finds nothing


def test_a_live_lease_is_not_reaped(world, tmp_path):
    job = _queued_import(world, tmp_path, 3)
    RosterImport.objects.filter(pk=job.pk).update(status="importing")
    held = jobs.lease(roster_services.ROSTER_JOB, job.pk, ttl=60).start()
    try:
        assert not jobs.is_lost(roster_services.ROSTER_JOB, job.pk)
        assert jobs.reap()["requeued"] == 0 and RosterImport.objects.get(pk=job.pk).status == "importing"
    finally:
        held.finish()


def test_after_three_lost_workers_the_import_is_given_up_with_the_reason_on_its_page(world, tmp_path):
    job = _queued_import(world, tmp_path, 3)
    _as_if_killed(job, attempts=jobs.MAX_ATTEMPTS)
    assert jobs.reap()["given_up"] == 1
    job.refresh_from_db()
    assert job.status == "failed" and not job.is_running and not Unit.objects.filter(estate=job.estate).exists()
    assert "后台任务执行中断" in job.errors[0]["message"] and "重新上传" in job.errors[0]["message"]
    client = world.client_for("community_staff")
    page = client.get(reverse("registry:roster_import_status", args=[job.pk]))
    text = page.content.decode()
    assert "后台任务执行中断" in text and "正在导入" not in text


# --- a real worker, killed ------------------------------------------------------------------------


def _child_env(tmp_path: Path) -> tuple[dict[str, str], Path | None]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "JOB_LEASE_SECONDS": "2"}
    env.pop("PYTEST_XDIST_WORKER", None)
    if connection.vendor == "sqlite":  # the in-memory test database, copied to a file the children share
        path = tmp_path / "jobs.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        env["DATABASE_URL"] = f"sqlite:///{path}"
        return env, path
    s = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    )
    return env, None


def _status(pk: int, path: Path | None) -> str:
    if path is None:
        return RosterImport.objects.filter(pk=pk).values_list("status", flat=True).get()
    with sqlite3.connect(path, timeout=30) as db:
        return db.execute("SELECT status FROM registry_rosterimport WHERE id = ?", (pk,)).fetchone()[0]


def _child(env: dict[str, str], *args: str) -> dict:
    out = subprocess.run(  # noqa: S603 - this interpreter, a fixed module
        [sys.executable, "-m", "tests.core.job_worker", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_roster_import_and_the_job_finishes_right(world, tmp_path):
    job = _queued_import(world, tmp_path, 3000)
    env, path = _child_env(tmp_path)
    worker = subprocess.Popen(  # noqa: S603 - this interpreter, a fixed module
        [sys.executable, "-m", "tests.core.job_worker", "work", str(job.pk)], env=env, cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    seen = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status = _status(job.pk, path)
        if not seen or seen[-1] != status:
            seen.append(status)
        if status in ("importing", "done", "failed") or worker.poll() is not None:
            break
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)  # kill -9 mid-run
    worker.wait(timeout=30)
    assert seen[-1] == "importing", seen
    killed = _child(env, "state", str(job.pk))
    assert killed["status"] == "importing" and killed["units"] == 0 and not killed["lease_finished"]

    time.sleep(2.5)  # the lease (2 s under this test) runs out: nobody beats for it
    after = _child(env, "reap", str(job.pk))
    assert after["reaped"] == {"requeued": 1, "given_up": 0, "skipped": 0}
    assert after["status"] == "done", after["errors"]
    assert after["counts"]["units_created"] == 3000 and after["units"] == after["ownerships"] == 3000
    assert after["imports_audited"] == 1 and after["attempts"] == 2 and after["lease_finished"]
