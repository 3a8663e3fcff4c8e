"""Template hygiene: Django's {# #} comments are one line only; a multi-line one is printed to the page."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "gongzhi"


def test_no_multiline_hash_comments_in_templates():
    offenders = []
    for template in ROOT.glob("*/templates/**/*.html"):
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), start=1):
            opened = line.count("{#")
            if opened and line.count("#}") < opened:
                offenders.append(f"{template.relative_to(ROOT)}:{number}")
    assert offenders == [], "use {% comment %} for comments longer than one line"
