"""Sealed secrets: those Liaison must read back (a webhook's signing secret), encrypted at rest.

AES-256-GCM under a key kept outside the database, with the row's id as associated data: the
database alone opens nothing, and a sealed value copied onto another row does not open there.
The key is 32 random bytes in base64, given in a setting or kept in a file that Liaison makes
with mode 0600 when it first needs it. Other uses of the same secret (the audit chain's keys) take
keys derived from it under their own label, never the secret itself.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from liaison.errors import BadInput, Unavailable

__all__ = ["Sealer", "key_file", "new_key", "read_key"]

_PREFIX = "aesgcm1:"
_NONCE = 12


class Sealer:
    """Seals and opens secrets under one key, and derives keys for other purposes from it."""

    __slots__ = ("_aead", "_key")

    def __init__(self, key: bytes) -> None:
        self._aead, self._key = AESGCM(key), key

    def derive(self, purpose: str) -> bytes:
        """A 32-byte key for `purpose` (HKDF-SHA256); it tells nothing of the secret or of other purposes'."""
        return HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose.encode()).derive(self._key)

    @staticmethod
    def holds(value: str) -> bool:
        """Whether a stored value is sealed (not a secret kept in plain text by an older Liaison)."""
        return value.startswith(_PREFIX)

    def seal(self, secret: str, context: str) -> str:
        """The secret sealed for the record `context` names."""
        nonce = secrets.token_bytes(_NONCE)
        sealed = nonce + self._aead.encrypt(nonce, secret.encode(), context.encode())
        return _PREFIX + base64.b64encode(sealed).decode()

    def open(self, sealed: str, context: str) -> str:
        """The secret sealed for `context`; Unavailable when this key did not seal it there."""
        if not self.holds(sealed):
            raise Unavailable(f"the secret of {context} is not sealed; `liaison init` seals it")
        try:
            raw = base64.b64decode(sealed[len(_PREFIX) :], validate=True)
            return self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], context.encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise Unavailable(
                f"the secret of {context} does not open under this key: it was sealed under another"
            ) from exc


def new_key() -> str:
    """A fresh key, as base64 text."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def read_key(text: str, source: str) -> Sealer:
    """A sealer for a key given as base64 text (standard or URL-safe alphabet); `source` names it."""
    try:
        key = base64.b64decode(text.strip().replace("-", "+").replace("_", "/"), validate=True)
    except binascii.Error:
        key = b""
    if len(key) != 32:
        raise BadInput(f"{source} is not 32 bytes in base64 (make one with `openssl rand -base64 32`)")
    return Sealer(key)


def key_file(path: Path, create: bool) -> Sealer:
    """The sealer of a key file, made first (mode 0600) when missing and `create` is set."""
    if create and not path.exists():
        _make(path)
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError as exc:
        raise Unavailable(
            f"the key file {path} is missing: the secrets sealed under it cannot be opened"
        ) from exc
    except (OSError, UnicodeError) as exc:
        raise Unavailable(f"cannot read the key file {path}: {exc}") from exc
    return read_key(text, f"the key file {path}")


def _make(path: Path) -> None:
    # Written whole under a temporary name (mkstemp makes it 0600), then linked into place:
    # a process racing this one either links first or finds a complete key there.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".key-")
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as written:
            written.write(new_key() + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
