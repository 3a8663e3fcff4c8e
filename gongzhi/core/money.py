"""Money is integer fen (分); this turns it into yuan text for people."""

from decimal import Decimal


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def format_yuan(fen: int) -> str:
    return f"¥{fen_to_yuan(fen):,}"
