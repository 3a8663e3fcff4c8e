"""The notices API's operations (merged by tests/api/test_contract.py)."""

EXPECTED_OPERATIONS = {
    "GET /notices",
    "POST /notices",
    "GET /notices/{notice_id}",
    "POST /notices/{notice_id}/post",
    "POST /notices/{notice_id}/withdraw",
    "POST /notices/{notice_id}/receipt",
    "GET /notices/{notice_id}/reads",
    "POST /notices/{notice_id}/told",
}
