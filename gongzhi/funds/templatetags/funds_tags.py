"""Template filters of the funds pages: fen shown as yuan."""

from django import template

from gongzhi.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """12345 fen → ¥123.45 (integer fen in, text out; never a float)."""
    if fen is None:
        return "—"
    return format_yuan(int(fen))


@register.filter
def yuan_plain(fen: int | None) -> str:
    """12345 fen → 123.45, for a form field a person may edit."""
    if fen is None:
        return ""
    from gongzhi.core.money import fen_to_yuan

    return str(fen_to_yuan(int(fen)))
