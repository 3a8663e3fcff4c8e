from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    """How bad an alarm is (告警等级); critical and high alarms may dispatch a work order at once."""

    CRITICAL = "critical", _("紧急")
    HIGH = "high", _("重要")
    NORMAL = "normal", _("一般")
    LOW = "low", _("提示")


# Most severe first: the wall sorts its tiles by this.
SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.NORMAL: 2, Severity.LOW: 3}
DISPATCHING_SEVERITIES = (Severity.CRITICAL, Severity.HIGH)


class AlarmState(models.TextChoices):
    OPEN = "open", _("报警中")
    CLEARED = "cleared", _("已恢复")
    CLOSED = "closed", _("已关闭")


ACTIVE_STATES = (AlarmState.OPEN, AlarmState.CLEARED)


class Source(models.TextChoices):
    MQTT = "mqtt", _("MQTT")
    HTTP = "http", _("HTTP")
    SYSTEM = "system", _("平台")


# Event kinds the platform itself knows; every other kind is the device type's own (see catalog.py).
HEARTBEAT = "heartbeat"
OFFLINE = "offline"
