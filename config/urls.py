from django.contrib import admin
from django.urls import include, path

from gongzhi.accounts import views as account_views
from gongzhi.core import views as core_views

admin.site.site_header = "共治 · 后台管理"
admin.site.site_title = "共治后台"
admin.site.index_title = "台账与治理主体"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("registry/", include("gongzhi.registry.urls")),
    path("governance/", include("gongzhi.governance.urls")),
    path("dashboard/", include("gongzhi.dashboard.urls")),
    # before work-orders/<int:pk>/, which would take /work-orders/12345/ for order no. 12345
    path("work-orders/12345/", include("gongzhi.work_orders.urls_hotline")),
    path("work-orders/", include("gongzhi.work_orders.urls")),
    path("voting/", include("gongzhi.voting.urls")),
    path("funds/", include("gongzhi.funds.urls")),
    path("devices/", include("gongzhi.devices.urls")),
    path("open311/v2/", include("gongzhi.work_orders.open311_urls")),
    path("api/", include("config.api_urls")),
    path("admin/", admin.site.urls),
]
