"""Pages of the rates, the problem ledger and the charts (included into work_orders.urls)."""

from django.urls import path

from gongzhi.work_orders.reports import views as views_reports

urlpatterns = [
    path("rates/", views_reports.rates, name="rates"),
    path("rates/export/", views_reports.rates_export, name="rates_export"),
    path("rates/orders/", views_reports.rates_orders, name="rates_orders"),
    path("rates/ledger/<int:estate_id>/", views_reports.ledger, name="ledger"),
]
