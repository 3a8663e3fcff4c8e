"""The project's URLs: the home redirect, health, admin and the API; every app mounts its own pages
(``GongzhiAppConfig.urls``, see gongzhi.core.plugins)."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic.base import RedirectView

from gongzhi.accounts import views as account_views
from gongzhi.core import views as core_views
from gongzhi.core.plugins import url_mounts

admin.site.site_header = "共治 · 后台管理"
admin.site.site_title = "共治后台"
admin.site.index_title = "台账与治理主体"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico where a page names no icon (JSON, downloads): answer, never 404.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("core/favicon.svg"), permanent=True)),
    *(path(prefix, include(module)) for prefix, module in url_mounts()),
    path("api/", include("config.api_urls")),
    path("admin/", admin.site.urls),
]
