"""The Swagger UI at /api/docs under a strict Content-Security-Policy.

ninja's own page writes its settings into the page with ``|safe``; this one passes them through
``json_script`` and starts Swagger UI from a static file (core/api_docs.js). Swagger UI itself comes from
ninja's static files, so nothing loads from the internet.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger


class StaticSwagger(Swagger):
    template = "core/api_docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        # Session callers send the CSRF token with their writes (ninja's SessionAuth checks it).
        add_csrf = any(
            getattr(auth, "csrf", False) for auth in (api.auth if isinstance(api.auth, list | tuple) else ())
        )
        return render(request, self.template, {"api": api, "swagger_settings": settings, "add_csrf": add_csrf})
