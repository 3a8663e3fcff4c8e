"""Pages of the rates, the problem ledger and the charts (included into work_orders.urls)."""

urlpatterns: list = []
