from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    """What a notice is (公告种类)."""

    NOTICE = "notice", _("通知")
    PUBLICITY = "publicity", _("公示")
    ANNOUNCEMENT = "announcement", _("公告")
    RESOLUTION = "resolution", _("决议公告")
    FINANCE = "finance", _("财务公开")


class Audience(models.TextChoices):
    """Whom a notice is addressed to (发布范围)."""

    ESTATE = "estate", _("全体住户")
    BUILDINGS = "buildings", _("部分楼栋")
    OWNERS = "owners", _("仅业主")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    POSTED = "posted", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class Purpose(models.TextChoices):
    """Which posting rule a notice must meet (DOMAIN_RULES.md §E 19–21, §F 24); ``general``: none."""

    GENERAL = "general", _("一般事项")
    ASSEMBLY_NOTICE = "assembly_notice", _("业主大会会议通知（提前15日）")
    ASSEMBLY_DECISION = "assembly_decision", _("业主大会决定（3日内公告）")
    COMMITTEE_DECISION = "committee_decision", _("业委会决定（3日内公告）")
    MC_DECISION = "mc_decision", _("物管会决定（公示10个工作日）")
    AUDIT_REPORT = "audit_report", _("审计报告（公示30日）")
    PUBLIC_REVENUE = "public_revenue", _("公共收益收支（每季度公布）")
    FUND_REPORT = "fund_report", _("专项维修资金（每半年公布）")


# Purposes whose date field (``event_on``) is required, and what that date is.
EVENT_DATE_LABEL = {
    Purpose.ASSEMBLY_NOTICE: "会议日期",
    Purpose.ASSEMBLY_DECISION: "决定作出日期",
    Purpose.COMMITTEE_DECISION: "决定作出日期",
    Purpose.MC_DECISION: "决定作出日期",
}

# What kind a purpose's notice has to be (a rule-bound notice cannot hide under another kind).
PURPOSE_KINDS = {
    Purpose.ASSEMBLY_NOTICE: {NoticeKind.NOTICE, NoticeKind.ANNOUNCEMENT},
    Purpose.ASSEMBLY_DECISION: {NoticeKind.RESOLUTION},
    Purpose.COMMITTEE_DECISION: {NoticeKind.RESOLUTION},
    Purpose.MC_DECISION: {NoticeKind.RESOLUTION},
    Purpose.AUDIT_REPORT: {NoticeKind.FINANCE, NoticeKind.PUBLICITY},
    Purpose.PUBLIC_REVENUE: {NoticeKind.FINANCE},
    Purpose.FUND_REPORT: {NoticeKind.FINANCE},
}
