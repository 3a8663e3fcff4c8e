"""The one hook into another app: the work-order timeline. Work orders know nothing of devices; when an
order gets a timeline event that ends (or reopens) its handling, the alarm it carries follows, in the
same transaction (see gongzhi.devices.services.on_work_order_event)."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from gongzhi.work_orders.models import WorkOrderEvent


@receiver(post_save, sender=WorkOrderEvent, dispatch_uid="devices_alarm_follows_work_order")
def alarm_follows_work_order(sender: Any, instance: WorkOrderEvent, created: bool, **kwargs: Any) -> None:  # noqa: ARG001
    if created:
        from gongzhi.devices.services import on_work_order_event

        on_work_order_event(order_id=instance.order_id, kind=instance.kind, at=instance.at)
