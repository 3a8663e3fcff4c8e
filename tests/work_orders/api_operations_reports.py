"""API operations of the rates and the problem ledger (merged by tests/api/test_contract.py)."""

EXPECTED_OPERATIONS = {
    "GET /work-order-rates",
    "GET /estates/{estate_id}/problem-ledger",
}
