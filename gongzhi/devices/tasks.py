"""Background jobs of devices: the heartbeat sweep (心跳巡检), every minute."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from gongzhi.devices import services


@db_task()
def sweep_offline_task() -> int:
    """Mark devices that missed their heartbeats offline, each once (compare-and-set), with a low alarm."""
    return services.sweep_offline()


@db_periodic_task(crontab(minute="*"))
def sweep_offline_periodic() -> None:
    sweep_offline_task()
