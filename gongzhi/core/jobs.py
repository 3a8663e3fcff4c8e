"""Jobs that survive their worker (任务租约): a long background job holds a lease with a heartbeat.

A job (a roster import, a statement import, a sweep) is claimed by its app as it always was — a
compare-and-set on its own status row, so a job delivered twice runs once. While it runs it also
holds a ``JobLease``: ``lease(kind, ref)`` writes who runs it and until when, and a heartbeat thread
moves ``expires_at`` forward every third of the lease on its own database connection, so a long
transaction of the job does not hide the heartbeat. A worker that is killed (``kill -9``, the
machine lost) stops beating; ``reap()`` — run every minute by ``core.tasks.reap_jobs_periodic`` —
finds the leases that ran out unfinished and calls the runner the app registered for the kind:
``requeue(ref)`` puts the job back in the queue (the app resets its status by compare-and-set and
enqueues it again; the job is idempotent because it writes in one transaction), or, after
``MAX_ATTEMPTS`` tries, ``give_up(ref, reason)`` records the reason on the job, where its page shows
it and offers to start again.

Core knows no app: an app registers its runners (``register``) from its interface layer (tasks).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from gongzhi.core.models import JobLease

logger = logging.getLogger("gongzhi.core.jobs")

MAX_ATTEMPTS = 3
LOST_REASON = "后台任务执行中断（执行它的进程已停止）"


def lease_seconds() -> float:
    """How long a lease holds without a heartbeat (settings.JOB_LEASE_SECONDS, 30 s by default)."""
    return float(getattr(settings, "JOB_LEASE_SECONDS", 30))


@dataclass(frozen=True)
class Runner:
    requeue: Callable[[str], bool]
    give_up: Callable[[str, str], bool]


_RUNNERS: dict[str, Runner] = {}


def register(kind: str, *, requeue: Callable[[str], bool], give_up: Callable[[str, str], bool]) -> None:
    """Say how a job of ``kind`` whose worker died is run again (``requeue``) or abandoned (``give_up``);
    each returns whether it changed the job (False: it had finished or moved on meanwhile)."""
    _RUNNERS[kind] = Runner(requeue=requeue, give_up=give_up)


def _owner() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    """A held lease (``with lease(kind, ref):`` or ``start()`` … ``finish()``)."""

    def __init__(self, kind: str, ref: Any, ttl: float | None = None) -> None:
        self.kind, self.ref = kind, str(ref)
        self.ttl = ttl if ttl is not None else lease_seconds()
        self.owner = _owner()
        self.pk: int | None = None
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Lease:
        now = timezone.now()
        row, _ = JobLease.objects.get_or_create(kind=self.kind, ref=self.ref)
        self.pk = row.pk
        JobLease.objects.filter(pk=row.pk).update(
            owner=self.owner,
            attempts=F("attempts") + 1,
            beat_at=now,
            expires_at=now + dt.timedelta(seconds=self.ttl),
            finished_at=None,
            error="",
        )
        self._thread = threading.Thread(target=self._beat_loop, name=f"lease-{self.kind}-{self.ref}", daemon=True)
        self._thread.start()
        return self

    def _beat_loop(self) -> None:
        try:
            while not self._stop.wait(self.ttl / 3):
                self.beat()
        finally:
            connection.close()  # this thread's own connection

    def beat(self) -> bool:
        """Hold the lease for another ``ttl`` seconds; False when it was lost (reaped meanwhile)."""
        now = timezone.now()
        try:
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:  # never queue behind a lock: the next beat retries
                        cursor.execute("SET LOCAL lock_timeout = '2s'")
                held = JobLease.objects.filter(pk=self.pk, owner=self.owner, finished_at=None).update(
                    beat_at=now, expires_at=now + dt.timedelta(seconds=self.ttl)
                )
        except DatabaseError:
            logger.warning("lease %s:%s: heartbeat failed", self.kind, self.ref, exc_info=True)
            return True
        if not held:
            self.lost = True
            logger.error("lease %s:%s was taken from this worker (its heartbeat was late)", self.kind, self.ref)
        return bool(held)

    def finish(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        JobLease.objects.filter(pk=self.pk, owner=self.owner).update(finished_at=timezone.now())

    def __enter__(self) -> Lease:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.finish()


def lease(kind: str, ref: Any, ttl: float | None = None) -> Lease:
    return Lease(kind, ref, ttl)


def is_lost(kind: str, ref: Any, now: dt.datetime | None = None) -> bool:
    """Whether the job's worker is gone: its lease ran out without it finishing."""
    now = now or timezone.now()
    return JobLease.objects.filter(kind=kind, ref=str(ref), finished_at=None, expires_at__lt=now).exists()


def reap(now: dt.datetime | None = None) -> dict[str, int]:
    """Run again (or give up) every job whose lease ran out unfinished. Each lease is taken by a
    compare-and-set on (owner, expiry), so two reapers never both act on it; the app's runner decides
    by its own compare-and-set whether the job still needs it. Returns counts by outcome."""
    now = now or timezone.now()
    done = {"requeued": 0, "given_up": 0, "skipped": 0}
    for row in JobLease.objects.filter(finished_at=None, expires_at__lt=now).order_by("expires_at")[:100]:
        runner = _RUNNERS.get(row.kind)
        if runner is None:
            done["skipped"] += 1
            continue
        taken = JobLease.objects.filter(pk=row.pk, owner=row.owner, expires_at=row.expires_at, finished_at=None).update(
            finished_at=now, error=LOST_REASON
        )
        if not taken:
            continue
        try:
            if row.attempts >= MAX_ATTEMPTS:
                reason = f"{LOST_REASON}，已尝试 {row.attempts} 次"
                done["given_up" if runner.give_up(row.ref, reason) else "skipped"] += 1
            else:
                done["requeued" if runner.requeue(row.ref) else "skipped"] += 1
        except Exception:
            logger.exception("job %s:%s could not be run again", row.kind, row.ref)
            JobLease.objects.filter(pk=row.pk).update(finished_at=None)  # the next reap tries again
    return done
