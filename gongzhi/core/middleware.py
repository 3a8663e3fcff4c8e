"""A bad value that reached a page view unhandled is the user's input, not a server fault.

A page parses its query string and forms through the same schemas as the API (gongzhi.core.forms);
when a list filter such as ``?street=²`` or ``?since=9999-99-99`` is refused there, the view need not
catch it: ``Invalid`` raised from a page becomes the 400 page with the refusal's Chinese sentence,
which names the field. The JSON API has its own handler (gongzhi.core.api_support), so requests
under ``/api/`` are left to it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError
from django.template import loader

from gongzhi.core.errors import Invalid


class InvalidInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None
        if isinstance(exception, MultiPartParserError):  # a broken upload is the sender's, not ours
            message = "上传的内容格式不正确（内容不完整或分隔符无效）：请重新选择文件上传"
        elif isinstance(exception, Invalid):
            message = exception.message
        else:
            return None
        return HttpResponseBadRequest(loader.get_template("400.html").render({"message": message}, request))


class UploadLimitMiddleware:
    """Refuse a body that is too large before a byte of it is read (413), with a Chinese sentence.

    ``settings.UPLOAD_LIMITS`` lists (path pattern, bytes, what is uploaded there) per kind of
    upload — photos, spreadsheets, bank statements —; any other request body may be at most
    ``settings.UPLOAD_DEFAULT_LIMIT``. The length is the declared ``Content-Length``; a body sent
    without one (chunked) is refused outright on those paths, since its size cannot be known first.
    Each service still checks every file it keeps (size per file, type, count, quota)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limits = [(re.compile(pattern), size, label) for pattern, size, label in settings.UPLOAD_LIMITS]

    def limit_for(self, path: str) -> tuple[int, str]:
        for pattern, size, label in self.limits:
            if pattern.search(path):
                return size, label
        return settings.UPLOAD_DEFAULT_LIMIT, "提交的内容"

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"POST", "PUT", "PATCH"}:
            limit, label = self.limit_for(request.path)
            declared = request.META.get("CONTENT_LENGTH") or ""
            chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
            try:
                length = int(declared) if declared.isascii() and declared.isdigit() else (None if chunked else 0)
            except ValueError:
                length = None
            if length is None or length > limit:
                return self.refuse(request, label, limit)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest, label: str, limit: int) -> HttpResponse:
        megabytes = f"{limit / (1024 * 1024):.0f}"
        message = f"{label}过大：每次最多 {megabytes} MB，请压缩或分批后再上传"
        if request.path.startswith("/api/"):
            body = json.dumps({"error": {"code": "too_large", "message": message, "fields": {}}}, ensure_ascii=False)
            return HttpResponse(body, status=413, content_type="application/json; charset=utf-8")
        page = loader.get_template("400.html").render({"message": message, "status": 413}, request)
        return HttpResponse(page, status=413)


class NulByteMiddleware:
    """No NUL character reaches a view from a query string (issue 12 §3).

    A NUL is never part of a search, a filter or an id, and PostgreSQL refuses it in any text (SQLite
    silently accepts it). Instead of every list filter guarding against it, a request whose query
    parameters carry one is answered 400 naming the parameter — as the Chinese error page, or as the
    API's error body under ``/api/``. Forms and JSON bodies are parsed by their schemas, whose text
    types refuse control characters naming the field; Open311 answers in its own format."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = None if request.path.startswith("/open311/") else nul_parameter(request)
        if name is None:  # (the Open311 bridge answers in the GeoReport error format itself)
            return self.get_response(request)
        message = f"参数「{name[:40]}」含有不允许的控制字符（NUL），请检查后重试"
        if request.path.startswith("/api/"):
            body = json.dumps({"error": {"code": "bad_request", "message": message, "fields": {name[:40]: message}}},
                              ensure_ascii=False)  # fmt: skip
            return HttpResponse(body, status=400, content_type="application/json; charset=utf-8")
        return HttpResponseBadRequest(loader.get_template("400.html").render({"message": message}, request))


def nul_parameter(request: HttpRequest, *, form: bool = False) -> str | None:
    """The name of the first query parameter (and, with ``form``, url-encoded form field) carrying a NUL."""
    sources = [request.GET]
    if form and request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        sources.append(request.POST)
    for data in sources:
        for key, values in data.lists():
            if "\x00" in key or any("\x00" in v for v in values):
                return key.replace("\x00", "")[:40]
    return None
