"""Keyset paging of the people and unit lists (issue 14 §4): 下一页 by the last row's key, an exact
count only up to 10,000, a cursor that is not one of ours refused naming ``after``."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from gongzhi.registry import rules
from gongzhi.registry.models import Person, Unit
from tests.api.conftest import assert_error, call

# --- the cursor (pure) ----------------------------------------------------------------------------


@given(st.text(max_size=50), st.integers(min_value=1, max_value=2**62))
def test_a_cursor_round_trips(name, pk):
    assert rules.decode_cursor(rules.encode_cursor([name, pk]), (str, int)) == [name, pk]


@pytest.mark.parametrize(
    "text", ["", "x", "W10", rules.encode_cursor(["a"]), rules.encode_cursor([1, "a"]), rules.encode_cursor(["a", 0])]
)
def test_anything_but_our_cursor_is_refused(text):
    assert rules.decode_cursor(text, (str, int)) is None


@given(st.text(max_size=2000))
def test_no_text_breaks_the_decoder(text):
    decoded = rules.decode_cursor(text, (str, int))  # never raises
    assert decoded is None or [type(v) for v in decoded] == [str, int]


def test_a_deeply_nested_cursor_is_refused():
    assert rules.decode_cursor(rules.encode_cursor([[[[[[[[1]]]]]]]]), (str, int)) is None
    assert rules.decode_cursor("W" * 5000, (str, int)) is None


def test_count_label_says_10000_plus_beyond_the_cap():
    assert (rules.count_label(9_999, False), rules.count_label(10_000, True)) == ("9,999", "10,000+")


# --- the API --------------------------------------------------------------------------------------


def _walk(client, path: str) -> tuple[list[int], list[dict]]:
    ids, pages = [], []
    body = call(client, "GET", f"{path}?limit=2").json()
    while True:
        pages.append(body)
        ids += [row["id"] for row in body["items"]]
        if body["next"] is None:
            return ids, pages
        body = call(client, "GET", f"{path}?limit=2&after={body['next']}").json()


@pytest.mark.parametrize("path", ["/people", "/units"])
def test_following_next_reads_every_row_once_in_order(world, path):
    for n in range(5):
        Person.objects.create(name=f"张{n}", place=world.estate_a)
        Unit.objects.create(
            estate=world.estate_a, building=world.building_a2, path=world.building_a2.path, number=f"9{n}"
        )
    client = world.client_for("street_officer")
    ids, pages = _walk(client, path)
    everything = call(client, "GET", f"{path}?limit=200").json()
    assert ids == [row["id"] for row in everything["items"]]  # same rows, same order, none twice
    assert len(pages) == -(-len(ids) // 2)
    assert {p["total"] for p in pages} == {len(ids)} and not any(p["more"] for p in pages)


def test_units_under_a_place_page_by_key(world):
    client = world.client_for("community_staff")
    ids, _ = _walk(client, f"/places/{world.estate_a.pk}/units")
    assert ids == [u.pk for u in Unit.objects.filter(estate=world.estate_a).order_by("path", "number", "id")]


def test_the_count_stops_at_the_cap(world, monkeypatch):
    monkeypatch.setattr(rules, "COUNT_CAP", 2)
    body = call(world.client_for("street_officer"), "GET", "/units?limit=1").json()
    assert (body["total"], body["more"]) == (2, True)


@pytest.mark.parametrize("path", ["/people", "/units"])
def test_a_forged_cursor_is_a_400_naming_after(world, path):
    error = assert_error(
        call(world.client_for("street_officer"), "GET", f"{path}?after=bm90LWEtY3Vyc29y"), 400, "validation_error"
    )
    assert "after" in error["fields"]


def test_a_cursor_does_not_widen_the_scope(world):
    # a cursor is only a position: a reader outside estate A walks only what they may see
    outsider = world.client_for("community_staff_b")
    ids, _ = _walk(outsider, "/people")
    assert world.owner_person.pk not in ids


# --- the people page ------------------------------------------------------------------------------


def _pagination(response) -> str:
    body = response.content.decode()
    start = body.index('<nav class="pagination')
    return body[start : body.index("</nav>", start)]


def test_people_page_goes_on_by_key_and_keeps_the_search(world):
    for n in range(60):
        Person.objects.create(name=f"测翻{n:02d}", place=world.estate_a)
    client = world.client_for("street_officer")
    url = reverse("registry:person_list")
    first = client.get(url, {"q": "测翻"})
    bar = _pagination(first)
    assert "共 60 人" in bar and "下一页" in bar and "首页" not in bar
    cursor = first.context["page"].next
    second = client.get(url, {"q": "测翻", "after": cursor})
    rows = [p.name for p, *_ in second.context["rows"]]
    assert rows == [f"测翻{n:02d}" for n in range(50, 60)]
    assert "首页" in _pagination(second) and "下一页" not in _pagination(second)
    assert "q=%E6%B5%8B%E7%BF%BB" in _pagination(second)  # 首页 keeps the search


def test_people_page_says_10000_plus(world, monkeypatch):
    monkeypatch.setattr(rules, "COUNT_CAP", 1)
    body = world.client_for("street_officer").get(reverse("registry:person_list")).content.decode()
    assert "共 1+ 人" in body


@pytest.mark.parametrize("after", ["%%%", "测", "\x00", rules.encode_cursor(["a", 2**70])])
def test_people_page_refuses_a_forged_cursor_with_400(world, after):
    response = world.client_for("street_officer").get(reverse("registry:person_list"), {"after": after})
    assert response.status_code == 400
    # a NUL is refused before the view, naming the parameter (gongzhi.core.middleware.NulByteMiddleware)
    said = "参数「after」" if "\x00" in after else "翻页位置无效"
    assert said in response.content.decode()
