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


def phone_valid(phone: str) -> bool:
    """A mainland mobile number (11 digits starting with 1) or a landline of 7–12 digits with an optional dash.

    ASCII digits only: ``str.isdigit`` also accepts ``²`` and ``１``, which no exchange dials."""
    digits = phone.replace("-", "")
    if not (digits.isascii() and digits.isdigit()):
        return False
    if len(digits) == 11 and digits.startswith("1"):
        return True
    return 7 <= len(digits) <= 12 and not digits.startswith("1")
