"""The device API's operations (merged by tests/api/test_contract.py)."""

EXPECTED_OPERATIONS = {
    "GET /devices/types",
    "PATCH /devices/rules/{rule_id}",
    "GET /devices",
    "POST /devices",
    "GET /devices/alarms",
    "GET /devices/alarms/{alarm_id}",
    "POST /devices/alarms/{alarm_id}/close",
    "GET /devices/walls/{place_id}",
    "GET /devices/dead-letters",
    "GET /devices/{device_id}",
    "PATCH /devices/{device_id}",
    "POST /devices/{device_id}/credentials",
}
