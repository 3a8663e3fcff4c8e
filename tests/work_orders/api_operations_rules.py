"""API operations of the routing table and the time limits (merged by tests/api/test_contract.py)."""

EXPECTED_OPERATIONS = {
    "GET /routing-rules",
    "POST /routing-rules",
    "PATCH /routing-rules/{rule_id}",
    "POST /routing-rules/{rule_id}/deactivate",
    "GET /routing-preview",
    "GET /sla-policies",
    "POST /sla-policies",
    "PATCH /sla-policies/{policy_id}",
}
