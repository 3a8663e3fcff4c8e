"""Background jobs of the funds app: the daily ladder run and the daily payment-rate snapshot."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gongzhi.funds import services


@db_periodic_task(crontab(hour="16", minute="5"))  # 00:05 in Beijing (Huey schedules in UTC)
def ladder_daily() -> int:
    """Move unpaid units to the step due today (五步递进法); idempotent, so a rerun is harmless."""
    return services.ladder_advance()


@db_periodic_task(crontab(hour="15", minute="55"))  # 23:55 in Beijing
def snapshot_daily() -> int:
    """Each active campaign's payment rate of the day (每日交款率), for the review curve."""
    return services.snapshots_daily()
