"""Why the notices app refuses a write, for machines (the API's ``error.code``); the message is Chinese."""

from enum import StrEnum


class NoticesError(StrEnum):
    NOT_DRAFT = "notices.not_draft"
    NOT_POSTED = "notices.not_posted"
    TOO_LATE_FOR_ASSEMBLY = "notices.too_late_for_assembly"  # §E 19: 15 days before the assembly
    DECISION_POSTED_LATE = "notices.decision_posted_late"  # §E 19–20: within 3 days
    PERIOD_TOO_SHORT = "notices.period_too_short"  # §E 21: 10 working days; §F 24: audits 30 days
