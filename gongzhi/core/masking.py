"""Masking personal data for display (DOMAIN_RULES.md §I 31: 138****1234)."""


def mask_phone(phone: str) -> str:
    digits = phone or ""
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_number(id_number: str) -> str:
    """Only the first and last characters stay: with the region, birth date or check digit shown, the
    rest of an 18-digit number can be worked out (the birth date alone leaves 91 candidates)."""
    value = id_number or ""
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[0]}{'*' * (len(value) - 2)}{value[-1]}"
