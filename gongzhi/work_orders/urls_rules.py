"""Pages where community and street staff edit the routing table and the time limits (included into work_orders.urls)."""

urlpatterns: list = []
