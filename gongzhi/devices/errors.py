"""Why the devices app refuses a write, for machines (the API's ``error.code``); the message is Chinese."""

from enum import StrEnum


class DevicesError(StrEnum):
    DEVICE_CODE_TAKEN = "device_code_taken"  # kept as it was before codes moved here (API clients use it)
    ALARM_NOT_OPEN = "devices.alarm_not_open"
    ALARM_HAS_ORDER = "devices.alarm_has_order"
