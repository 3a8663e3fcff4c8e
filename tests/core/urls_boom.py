"""The project's URLs plus one that fails, for the 500 page's test (tests/core/test_error_pages.py)."""

from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def boom(request):  # noqa: ANN001, ANN201, ARG001
    raise RuntimeError("a bug")


urlpatterns = [*project_urlpatterns, path("boom/", boom)]
