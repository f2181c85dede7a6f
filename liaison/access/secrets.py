"""Secrets: API tokens and passwords, stored only as hashes and compared in constant time.

A token is `lsn_<id>_<secret>`: the id finds its row, the secret (32 random bytes) is checked
against its SHA-256, which is enough for a random secret. Passwords, chosen by people, are
hashed with scrypt and a random salt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

__all__ = [
    "NewToken",
    "check_password",
    "hash_password",
    "hash_secret",
    "new_token",
    "secret_matches",
    "split_token",
]

_PREFIX = "lsn"
# scrypt cost: n=2**14, r=8, p=1 (OWASP's minimum), about 50 ms and 16 MB a check here.
_N, _R, _P = 2**14, 8, 1


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token as created: its id, the full text shown once, and the hash that is stored."""

    token_id: str
    text: str
    secret_hash: str


def hash_secret(secret: str) -> str:
    """SHA-256 of a token's secret, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> NewToken:
    """A fresh random token."""
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return NewToken(token_id, f"{_PREFIX}_{token_id}_{secret}", hash_secret(secret))


def split_token(text: str) -> tuple[str, str] | None:
    """(id, secret) of a token's text, or None when it is not shaped like one of ours."""
    prefix, _, rest = text.strip().partition("_")
    token_id, _, secret = rest.partition("_")
    if prefix != _PREFIX or len(token_id) != 16 or not secret or len(secret) > 128:
        return None
    return token_id, secret


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Whether a presented secret hashes to the stored hash, in constant time."""
    return hmac.compare_digest(hash_secret(secret).encode(), stored_hash.encode())


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt$hash` for a password."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    encoded = base64.b64encode(salt).decode(), base64.b64encode(digest).decode()
    return f"scrypt${_N}${_R}${_P}${encoded[0]}${encoded[1]}"


def check_password(password: str, stored: str) -> bool:
    """Whether a password matches its stored scrypt hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        computed = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except ValueError:
        return False
    return scheme == "scrypt" and hmac.compare_digest(computed, expected)
