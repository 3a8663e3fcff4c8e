"""The JSON API: /api/v1/ (django-ninja), its OpenAPI document at /api/v1/openapi.json and its docs at /api/docs.

Anything under /api/v1/ that no endpoint answers (an unknown path, a method an endpoint does not
take) still gets the one error body, not an HTML page.
"""

from functools import partial, wraps

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from ninja.openapi.views import openapi_view

from config.api import api
from gongzhi.core.api_support import NOT_FOUND_MESSAGE, ErrorCode


def _error(status: int, code: str, message: str) -> JsonResponse:
    body = {"error": {"code": code, "message": message, "fields": {}}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _json_errors(view):  # noqa: ANN001, ANN202
    """ninja answers an unsupported method with a bare 405 and its root with an HTML 404: give both the error body."""

    @wraps(view)  # keeps csrf_exempt: the API checks CSRF itself for session callers
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:  # noqa: ANN002, ANN003
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return _error(404, ErrorCode.NOT_FOUND, NOT_FOUND_MESSAGE)
        if response.status_code == 405:
            answer = _error(
                405, ErrorCode.METHOD_NOT_ALLOWED, f"不支持 {request.method} 方法，可用：{response['Allow']}"
            )
            answer["Allow"] = response["Allow"]
            return answer
        return response

    return wrapped


def _unknown(request: HttpRequest, rest: str) -> JsonResponse:
    return _error(404, ErrorCode.NOT_FOUND, "没有这个接口，请查看 /api/docs")


# (Not named app_name: include() would read that module attribute as this urlconf's namespace.)
_api_patterns, _api_app, _api_namespace = api.urls
_api_patterns = [URLPattern(p.pattern, _json_errors(p.callback), p.default_args, p.name) for p in _api_patterns]

urlpatterns = [
    path("v1/", (_api_patterns, _api_app, _api_namespace)),
    path("v1/<path:rest>", _unknown, name="api_unknown"),
    path("docs", partial(openapi_view, api=api), name="api_docs"),
]
