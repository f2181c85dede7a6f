"""This node's signing key, and checking a peer's signatures.

The key is Ed25519, derived from the node's secret (the one that keys the audit chain, kept
outside the database) under a label of its own, so that it needs no file of its own and moves
with the secret; the database alone cannot sign for the node.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from liaison.access.sealing import Sealer

__all__ = ["NodeKey", "signed_by"]

_LABEL = "liaison node signing key v1"


class NodeKey:
    """The node's Ed25519 key pair: it signs what the node sends its peers."""

    __slots__ = ("_private",)

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private

    @classmethod
    def of(cls, sealer: Sealer) -> NodeKey:
        """The key derived from the node's secret."""
        return cls(Ed25519PrivateKey.from_private_bytes(sealer.derive(_LABEL)))

    @property
    def public_key(self) -> str:
        """The raw public key in base64, as descriptors carry it."""
        raw = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode()

    def sign(self, message: bytes) -> str:
        """The signature of `message`, in base64."""
        return base64.b64encode(self._private.sign(message)).decode()


def signed_by(public_key: str, message: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is the holder of `public_key`'s signature of `message`."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
