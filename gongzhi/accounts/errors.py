"""Why the accounts app refuses, for machines (the API's ``error.code``); the message is Chinese."""

from enum import StrEnum

from gongzhi.core.errors import DomainError


class AccountsError(StrEnum):
    TOKEN_EXPIRED = "token_expired"  # noqa: S105 - an error code, not a secret
    TOKEN_ADDRESS_THROTTLED = "throttled"  # noqa: S105 - the API's generic code: clients already retry on it
    TOKEN_NEEDS_SESSION = "token_needs_session"  # noqa: S105 - an error code, not a secret
    TOKEN_ALREADY_REVOKED = "token_already_revoked"  # noqa: S105 - an error code, not a secret


class TokenExpired(DomainError):
    """The API token is real but past its expiry (401, so a client knows to ask its owner for a new one)."""

    status = 401
    default_code = AccountsError.TOKEN_EXPIRED
