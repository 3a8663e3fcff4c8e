"""Open311 GeoReport v2 under /open311/v2/ (see views.py beside it); any other path under /open311/ is
a 404 in the spec's error format."""

from django.urls import re_path

from gongzhi.work_orders.bridges.open311 import views as open311

app_name = "open311"

FORMAT = r"\.(?P<fmt>[A-Za-z0-9]+)$"

urlpatterns = [
    re_path(rf"^v2/discovery{FORMAT}", open311.discovery, name="discovery"),
    re_path(rf"^v2/services{FORMAT}", open311.service_list, name="services"),
    re_path(rf"^v2/services/(?P<service_code>[-\w]+){FORMAT}", open311.service_definition, name="service"),
    re_path(rf"^v2/requests{FORMAT}", open311.requests_view, name="requests"),
    re_path(rf"^v2/requests/(?P<service_request_id>[-\w]+){FORMAT}", open311.request_detail, name="request"),
    re_path(rf"^v2/tokens/(?P<token>[-\w]+){FORMAT}", open311.token_detail, name="token"),
    re_path(r"^(?P<path>.*)$", open311.not_found, name="not_found"),
]
