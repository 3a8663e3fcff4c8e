"""Every web page runs under the strict Content-Security-Policy: rendered for a persona who may open it
(the page permission matrix, tests/test_permission_matrix.py, gives the URL and who), no page carries a
style attribute, a <style> element, an inline <script> or an inline event handler (tests/csp_markup.py).
Phone pages render differently for residents, so a resident who may open a page sees it too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.csp_markup import inline_code
from tests.test_permission_matrix import MATRIX, matrix_world  # noqa: F401 - the fixture, used by name

PAGES = sorted(name for name, (_args, _allowed, status, *_refusals) in MATRIX.items() if status == 200)


def _personas(allowed: list[str]) -> list[str]:
    personas = [allowed[0]]
    personas += [p for p in ("resident", "committee_member") if p in allowed and p not in personas]
    return personas


def test_the_matrix_gives_pages_to_check():
    assert len(PAGES) > 50, PAGES  # every app's pages, not an empty parametrization passing by itself


@pytest.mark.parametrize("name", PAGES)
def test_page_needs_no_inline_code(matrix_world, name):  # noqa: F811 - the imported fixture
    args, allowed, _status, *_refusals = MATRIX[name]
    url = reverse(name, args=args(matrix_world))
    for persona in _personas(allowed):
        response = matrix_world.client_for(persona).get(url)
        assert response.status_code == 200, (name, persona)
        if not response["Content-Type"].startswith("text/html"):
            continue  # spreadsheets, JSON
        html = response.content.decode()
        assert inline_code(html) == [], (name, persona)
        if "<html" in html:  # a whole page, not an htmx fragment
            assert 'rel="icon"' in html, (name, persona)


@pytest.mark.django_db
def test_login_and_unknown_pages_need_no_inline_code(client):
    for url, status in (("/accounts/login/", 200), ("/no/such/page/", 404), ("/api/docs", 200)):
        response = client.get(url)
        assert response.status_code == status, url
        assert inline_code(response.content.decode()) == [], url
