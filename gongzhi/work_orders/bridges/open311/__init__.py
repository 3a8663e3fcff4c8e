"""Open311 GeoReport v2 over the work orders: clients (services) and the endpoints (views)."""
