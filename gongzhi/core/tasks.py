"""Background jobs of core: sealing the audit log (the sequencer, see gongzhi.core.audit)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gongzhi.core import audit, jobs, notifications


@db_task()
def seal_audit() -> int:
    """Seal the audit rows committed since the last run (each write asks for one after its commit)."""
    return audit.seal_pending()


@db_periodic_task(crontab(minute="*"))
def seal_audit_periodic() -> int:
    # A safety net: rows whose request to seal was lost (a worker restart) are sealed within a minute.
    return audit.seal_pending()


@db_periodic_task(crontab(minute="*"))
def reap_jobs_periodic() -> dict[str, int]:
    # Jobs whose worker died (their lease ran out unfinished) are run again or given up with the reason.
    return jobs.reap()


@db_task(retries=3, retry_delay=30)
def send_notification(channel: str, user_ids: list[int], title: str, body: str) -> None:
    """SMS / WeChat / e-mail copies of a notification, sent off the request thread after its commit."""
    notifications.deliver(channel, user_ids, title, body)
