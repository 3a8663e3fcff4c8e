"""Open311 endpoints for the central page matrix: they are machine endpoints authenticated by api_key,
not pages for logged-in personas, so their own tests (tests/work_orders/test_open311.py) check access."""

ELSEWHERE_NAMES = {
    "open311:discovery",
    "open311:services",
    "open311:service",
    "open311:requests",
    "open311:request",
    "open311:token",
    "open311:not_found",
}
