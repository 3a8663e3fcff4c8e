"""What a strict Content-Security-Policy (script-src/style-src 'self', no 'unsafe-inline') refuses in a
page's HTML: style attributes, <style> elements, inline <script> (JSON data blocks from json_script are
data, not code, and fine), inline event handlers (onclick=…, htmx's hx-on) and javascript: links."""

from __future__ import annotations

from html.parser import HTMLParser


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        where = self.getpos()[0]
        names = dict(attrs)
        if tag == "style":
            self.problems.append(f"line {where}: <style> element")
        if tag == "script" and not names.get("src") and names.get("type") != "application/json":
            self.problems.append(f"line {where}: inline <script>")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f'line {where}: style="{value}" on <{tag}>')
            elif name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"line {where}: {name}= on <{tag}>")
            elif name in {"href", "src", "action"} and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"line {where}: {name}=javascript: on <{tag}>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    """Every piece of the page that needs 'unsafe-inline' (empty when the page runs under the strict policy)."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.problems
