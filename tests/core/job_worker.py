"""A separate process for tests/core/test_jobs.py: runs a roster import as the background worker does
(``work <id>``, to be killed), or the reaper (``reap``), against the database named by DATABASE_URL.
Prints one JSON line."""

from __future__ import annotations

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
django.setup()

from django.conf import settings  # noqa: E402

settings.JOB_LEASE_SECONDS = float(os.environ.get("JOB_LEASE_SECONDS", "2"))

from gongzhi.core import jobs  # noqa: E402
from gongzhi.core.models import AuditLog, JobLease  # noqa: E402
from gongzhi.registry import tasks  # noqa: E402  (registers the roster import's runners)
from gongzhi.registry.models import Ownership, Unit  # noqa: E402
from gongzhi.registry.roster.models import RosterImport  # noqa: E402


def state(pk: int) -> dict:
    job = RosterImport.objects.get(pk=pk)
    lease = JobLease.objects.filter(ref=str(pk)).values("attempts", "finished_at").first() or {}
    return {
        "status": job.status,
        "counts": job.counts,
        "errors": job.errors[:3],
        "units": Unit.objects.filter(estate_id=job.estate_id).count(),
        "ownerships": Ownership.objects.filter(unit__estate_id=job.estate_id).count(),
        "imports_audited": AuditLog.objects.filter(action="import").count(),
        "attempts": lease.get("attempts"),
        "lease_finished": lease.get("finished_at") is not None,
    }


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "work":
        print(json.dumps({"status": tasks.roster_import_task.call_local(int(sys.argv[2]))}))
    elif command == "reap":
        print(json.dumps({"reaped": jobs.reap(), **state(int(sys.argv[2]))}, default=str))
    else:
        print(json.dumps(state(int(sys.argv[2])), default=str))
