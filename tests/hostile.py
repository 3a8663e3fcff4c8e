"""Hostile values for every page form and query parameter (one validation path).

``HOSTILE`` is what people and programs send by mistake or on purpose. ``fuzz_form`` posts each value
into each field of a form (the other fields keep valid values) and asserts: no 5xx; when the form
refuses the value it says so in Chinese naming the field, and nothing changed. (That an accepted
value is stored whole, never silently cut, is for each app's own tests to check on its columns.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.messages import get_messages
from django.db import models

from tests.authz import fingerprint

HOSTILE: dict[str, str] = {
    "huge": "9" * 30,
    "past_64_bits": str(2**64 + 1),
    "superscript": "²",
    "fullwidth_digits": "１２３",
    "far_date": "9999-12-31",
    "zero_date": "0000-00-00",
    "nul": "a\x00b",
    "control": "a\x07b",
    "bidi_override": "\u202ertl\u202c",
    "zero_width": "名\u200b字",
    "negative": "-1",
    "exponent": "1e309",
    "nan": "NaN",
    "many_decimals": "1.234",
    "script": "<script>alert(1)</script>",
    "formula": "=1+1",
    "long": "长" * 5000,
    "blank": "   ",
    "bool_word": "true",
    "json": '{"a": [1]}',
}


def _refused(response: Any) -> tuple[bool, str]:
    """Whether the page refused the post, and the text it said."""
    if response.status_code >= 400:
        return True, response.content.decode("utf-8", "replace")
    errors = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    return bool(errors), "；".join(errors)


def fuzz_form(
    client: Any,
    url: str,
    valid: dict[str, Any],
    *,
    titles: dict[str, str],
    tables: Iterable[type[models.Model]] = (),
    values: dict[str, str] | None = None,
    after: Callable[[], None] | None = None,
) -> int:
    """Post every hostile value into every field named in ``titles`` (field → its Chinese title);
    return how many posts were made."""
    tables = tuple(tables)
    count = 0
    for field_name, title in titles.items():
        for kind, value in (values or HOSTILE).items():
            before = fingerprint(tables)
            response = client.post(url, {**valid, field_name: value})
            count += 1
            assert response.status_code < 500, (url, field_name, kind, response.status_code)
            refused, said = _refused(response)
            if refused:
                assert fingerprint(tables) == before, f"{url} {field_name}={kind}: refused but something changed"
                assert title in said, f"{url} {field_name}={kind}: the refusal does not name {title}: {said[:300]}"
            if after is not None:
                after()
    return count
