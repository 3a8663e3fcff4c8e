from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    RESIDENT_APP = "resident_app", _("居民手机报事")
    HOTLINE = "hotline", _("物业直通车热线")
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    OPEN311 = "open311", _("Open311接口")
    PATROL = "patrol", _("巡查发现")
    DEVICE = "device", _("智能设备报警")


class Priority(models.TextChoices):
    NORMAL = "normal", _("一般")
    HIGH = "high", _("紧急")
    EMERGENCY = "emergency", _("危及生命财产安全")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    ON_SITE = "on_site", _("已到场")
    RESOLVED = "resolved", _("已处理")
    CONFIRMED = "confirmed", _("已评价")
    CLOSED = "closed", _("已办结")
    CANCELLED = "cancelled", _("已撤销")


# The states whose clock runs, and which deadline field is that clock.
OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.ON_SITE)
DEADLINE_FIELD = {Status.SUBMITTED: "accept_by", Status.ACCEPTED: "arrive_by", Status.ON_SITE: "resolve_by"}
# Where a clock's outcome is kept: escalation moves the deadline on, so lateness is recorded when the
# clock runs out, not judged later against the moved deadline.
IN_TIME_FIELD = {"accept_by": "accepted_in_time", "arrive_by": "arrived_in_time", "resolve_by": "resolved_in_time"}


class EscalationLevel(models.IntegerChoices):
    PROPERTY = 0, _("物业")
    COMMITTEE_AND_COMMUNITY = 1, _("居委会、业委会（物管会）")
    STREET = 2, _("街道吹哨")
    DEPARTMENT = 3, _("部门报到")


class EventKind(models.TextChoices):
    """What happened to an order, worded for the reporter's timeline."""

    SUBMITTED = "submitted", _("诉求已提交")
    ROUTED = "routed", _("已分派给责任单位")
    ACCEPTED = "accepted", _("责任单位已受理")
    ASSIGNED = "assigned", _("已派给维修人员")
    ARRIVED = "arrived", _("工作人员已到场")
    RESOLVED = "resolved", _("已处理完成，请您确认")
    CONFIRMED = "confirmed", _("您已确认并评价")
    REOPENED = "reopened", _("已重新办理")
    CANCELLED = "cancelled", _("诉求已撤销")
    TRANSFERRED = "transferred", _("已转交其他单位办理")
    MERGED = "merged", _("与相同诉求合并办理")
    MERGED_IN = "merged_in", _("有相同诉求并入本单")
    ESCALATED = "escalated", _("超时未办，已上报上一级督办")
    CLOSED = "closed", _("已办结")


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("报事照片")
    AFTER = "after", _("处理后照片")
