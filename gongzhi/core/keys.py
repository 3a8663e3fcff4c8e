"""Keys handed out once (API tokens, Open311 api_keys, device secrets): only their digest is stored."""

import hashlib
import secrets


def new_key(prefix: str, nbytes: int = 32) -> str:
    """A fresh random key with a readable prefix (e.g. ``gz_``), 256 random bits by default."""
    return f"{prefix}{secrets.token_urlsafe(nbytes)}"


def key_digest(key: str) -> str:
    """The stored form of a key. The key is 256 random bits, so a fast hash suffices (no salt, no
    stretching): what is guessed is the key, not a password."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
