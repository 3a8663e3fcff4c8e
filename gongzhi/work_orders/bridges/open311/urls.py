"""Open311 GeoReport v2 under /open311/v2/ (see views.py beside it)."""

from django.urls import re_path

from gongzhi.work_orders.bridges.open311 import views as open311

app_name = "open311"

FORMAT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns = [
    re_path(rf"^discovery{FORMAT}", open311.discovery, name="discovery"),
    re_path(rf"^services{FORMAT}", open311.service_list, name="services"),
    re_path(rf"^services/(?P<service_code>[-\w]+){FORMAT}", open311.service_definition, name="service"),
    re_path(rf"^requests{FORMAT}", open311.requests_view, name="requests"),
    re_path(rf"^requests/(?P<service_request_id>[-\w]+){FORMAT}", open311.request_detail, name="request"),
]
