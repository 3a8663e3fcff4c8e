"""Background jobs of work orders: the overdue sweep (超时巡检), every 30 seconds."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gongzhi.work_orders import services

SWEEP_EVERY_SECONDS = 30


@db_task()
def sweep_task() -> int:
    """Escalate overdue orders and archive settled ones; safe to run on many workers at once (each
    order is claimed by a compare-and-set update). Returns how many orders this run changed."""
    return services.sweep_overdue() + services.sweep_settled()


@db_periodic_task(crontab(minute="*"))
def sweep_periodic() -> None:
    # Huey's scheduler ticks once a minute: run now and once more half a minute later.
    sweep_task()
    sweep_task.schedule(delay=SWEEP_EVERY_SECONDS)
