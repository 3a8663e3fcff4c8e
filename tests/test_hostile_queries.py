"""No 5xx from a query string: every page × every query parameter it reads × hostile values.

For each page of the permission matrix, one persona who may open it opens it once while the test
records which query parameters the view reads (``QueryDict`` lookups); then every one of those
parameters (and ``page``, which every list reads through the pagination partial) is sent each
hostile value of tests/hostile.py, plus bytes that are not UTF-8. The page must answer below 500
and change nothing (a GET never writes: the audit log is the witness). Issue 12 §3.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.http import QueryDict
from django.urls import reverse

from gongzhi.core.models import AuditLog
from tests.hostile import HOSTILE
from tests.personas import STAFF
from tests.test_permission_matrix import MATRIX, with_party_org

pytestmark = pytest.mark.slow

# what a query string can carry that a form field cannot: bytes that are not UTF-8, and repeats
RAW = {"bad_utf8": "%ff%fe", "percent": "%", "overlong_utf8": "%c0%af"}
VALUES = {k: v for k, v in HOSTILE.items() if k != "long"} | {"long": "长" * 600}

PAGES = sorted(name for name, (_args, _allowed, status, *_rest) in MATRIX.items() if status == 200)


class _Recorder:
    """Records the query parameters a view reads while it handles one request."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def __enter__(self) -> _Recorder:
        self._saved = {name: getattr(QueryDict, name) for name in ("get", "getlist", "__getitem__", "__contains__")}
        recorder = self

        def wrap(name: str):  # noqa: ANN202
            original = self._saved[name]

            def recorded(qd, key, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
                if isinstance(key, str):
                    recorder.keys.add(key)
                return original(qd, key, *args, **kwargs)

            return recorded

        for name in self._saved:
            setattr(QueryDict, name, wrap(name))
        return self

    def __exit__(self, *exc: object) -> None:
        for name, original in self._saved.items():
            setattr(QueryDict, name, original)


def _persona(allowed: list[str]) -> str:
    staff = [p for p in allowed if p in STAFF]
    return (staff or list(allowed))[0]


@pytest.mark.parametrize("name", PAGES)
def test_no_query_string_breaks_a_page(world, name):
    world = with_party_org(world)
    args, allowed, _status, *_ = MATRIX[name]
    url = reverse(name, args=args(world))
    client = world.client_for(_persona(allowed))
    with _Recorder() as recorder:
        plain_audit = AuditLog.objects.count()
        assert client.get(url).status_code < 500, url
        writes = AuditLog.objects.count() - plain_audit  # an export is audited: each GET writes its one row
    # CSRF and session lookups read the request's other dicts, not GET; keep what a view asked for
    keys = sorted((recorder.keys - {"csrfmiddlewaretoken"}) | {"page"})
    audit_rows = AuditLog.objects.count()
    tried = 0
    for key in keys:
        for kind, value in VALUES.items():
            response = client.get(f"{url}?{quote(key)}={quote(value)}")
            tried += 1
            assert response.status_code < 500, (url, key, kind, response.status_code)
        for kind, raw in RAW.items():
            response = client.get(f"{url}?{quote(key)}={raw}")
            tried += 1
            assert response.status_code < 500, (url, key, kind, response.status_code)
        response = client.get(f"{url}?{quote(key)}=1&{quote(key)}=2")
        assert response.status_code < 500, (url, key, "repeated", response.status_code)
    if not writes:
        assert AuditLog.objects.count() == audit_rows, f"{url}: a GET with a hostile query string wrote"
    assert tried >= len(VALUES)
