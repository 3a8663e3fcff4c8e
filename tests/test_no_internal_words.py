"""No developers' words on users' screens (issue 20 §2): every page of the permission matrix, opened by
a persona allowed to open it, shows no file name, no section code of the rules file, no command line
and no amount in fen. Rules are cited by their law (民法典第二百七十八条), amounts in 元."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from tests.personas import NOT_STAFF
from tests.test_permission_matrix import MATRIX, with_party_org

INTERNAL = re.compile(r"DOMAIN_RULES|DESIGN\.md|\.md\b|§|manage\.py|分/㎡|_fen\b")
SEEN_ATTRIBUTES = {"title", "placeholder", "alt", "aria-label", "value"}


class _Text(HTMLParser):
    """What a user reads: text outside scripts and styles, and the attributes a browser shows."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if value and name in SEEN_ATTRIBUTES and not (name == "value" and tag in {"input", "option"}):
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def readers(allowed: list[str]) -> list[str]:
    """The first allowed persona, and a resident too when the page is also theirs."""
    chosen = [allowed[0]]
    resident = next((p for p in allowed if p in NOT_STAFF and p != "anonymous"), None)
    if resident and resident not in chosen:
        chosen.append(resident)
    return chosen


@pytest.fixture
def matrix_world(world):
    return with_party_org(world)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_no_internal_words_on_the_page(matrix_world, name):
    args, allowed, ok_status, *_ = MATRIX[name]
    if ok_status != 200:
        pytest.skip("not a page (redirect or download)")
    url = reverse(name, args=args(matrix_world))
    for persona in readers(list(allowed)):
        response = matrix_world.client_for(persona).get(url)
        if "html" not in response.get("Content-Type", ""):
            continue
        text = visible_text(response.content.decode())
        found = sorted({m.group(0) for m in INTERNAL.finditer(text)})
        context = [text[max(0, m.start() - 30) : m.end() + 30].strip() for m in INTERNAL.finditer(text)][:3]
        assert not found, (name, persona, found, context)


def test_the_checker_sees_text_and_titles_but_not_field_names():
    text = visible_text('<p title="依据 DOMAIN_RULES.md">x</p><input name="amount_fen"><script>a="§"</script>')
    assert INTERNAL.findall(text) == ["DOMAIN_RULES", ".md"]


def test_no_template_writes_internal_words():
    """The pages the matrix world does not reach (a published 公示, a fund below 30 %) say it in their
    templates: what a template writes outside its tags must pass the same check."""
    root = Path(__file__).resolve().parent.parent / "gongzhi"
    offenders = []
    for path in sorted(root.glob("*/templates/**/*.html")):
        source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", "", path.read_text(), flags=re.S)
        source = re.sub(r"{{.*?}}|{%.*?%}", " ", source, flags=re.S)
        offenders += [f"{path.relative_to(root)}: {m.group(0)}" for m in INTERNAL.finditer(visible_text(source))]
    assert not offenders, offenders
