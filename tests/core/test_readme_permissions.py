"""README's "who may do what" table is the one generated from the permissions (issue 10)."""

from pathlib import Path

from gongzhi.core.management.commands.permissions_table import readme_with_table
from gongzhi.core.permissions import permissions_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_table_is_generated_from_the_predicates():
    text = README.read_text(encoding="utf-8")
    assert text == readme_with_table(text, permissions_table()), "run: python manage.py permissions_table --readme"
