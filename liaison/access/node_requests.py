"""Requests between nodes, signed both ways with the nodes' Ed25519 keys.

A request carries the sending node's name, the time, a fresh nonce and a signature over those,
the name of the node it is for, the method, the path with its query and the body's digest (a
request signed for one peer is refused by another, so no peer can pass one on as its sender's).
The receiving node checks it against the key it holds for that peer and its own name, refuses
it outside a five-minute window or when its nonce was seen (a replay), and signs its answer over
the request's nonce, status and body, so the sender knows the answer came from the node it asked
and was made for this request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from liaison.access.node_keys import NodeKey, signed_by
from liaison.errors import Unauthenticated

__all__ = [
    "DATE",
    "NODE",
    "NONCE",
    "SIGNATURE",
    "WINDOW",
    "SignedRequest",
    "check_response",
    "read_request",
    "sign_request",
    "sign_response",
    "verify_request",
]

NODE, DATE, NONCE, SIGNATURE = "Liaison-Node", "Liaison-Date", "Liaison-Nonce", "Liaison-Signature"
WINDOW = dt.timedelta(minutes=5)
"""How far a request's time may be from the receiver's clock; its nonce is kept twice as long."""


def _request_message(to: str, method: str, target: str, date: str, nonce: str, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return "\n".join(("liaison-request-v2", to, method.upper(), target, date, nonce, digest)).encode()


def _response_message(nonce: str, status: int, body: bytes) -> bytes:
    return "\n".join(("liaison-response-v1", nonce, str(status), hashlib.sha256(body).hexdigest())).encode()


def sign_request(
    key: NodeKey, node: str, method: str, target: str, body: bytes, now: dt.datetime, *, to: str
) -> dict[str, str]:
    """The headers that sign a request from `node` to the node `to` for `target` (path and query)."""
    date, nonce = now.astimezone(dt.UTC).isoformat(), secrets.token_urlsafe(18)
    signature = key.sign(_request_message(to, method, target, date, nonce, body))
    return {NODE: node, DATE: date, NONCE: nonce, SIGNATURE: signature}


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What a signed request says of itself: who sends it, when, its nonce and signature."""

    node: str
    date: str
    nonce: str
    signature: str


def read_request(headers: Mapping[str, str]) -> SignedRequest:
    """The signing headers of a request; Unauthenticated naming the one missing."""
    values = []
    for name in (NODE, DATE, NONCE, SIGNATURE):
        value = headers.get(name)
        if not value or len(value) > 200:
            raise Unauthenticated(f"a request between nodes is signed: header {name} is missing or too long")
        values.append(value)
    return SignedRequest(*values)


def verify_request(
    signed: SignedRequest,
    public_key: str,
    method: str,
    target: str,
    body: bytes,
    now: dt.datetime,
    *,
    to: str,
) -> None:
    """Unauthenticated unless the key's holder signed the request now, for the node `to` (this
    one); the caller checks its nonce."""
    try:
        sent = dt.datetime.fromisoformat(signed.date)
    except ValueError:
        raise Unauthenticated(f"header {DATE}: {signed.date[:40]!r} is not an ISO time") from None
    if sent.tzinfo is None or abs(now - sent) > WINDOW:
        raise Unauthenticated(
            f"header {DATE}: more than {WINDOW.seconds // 60} minutes from this node's clock"
        )
    if not signed_by(
        public_key, _request_message(to, method, target, signed.date, signed.nonce, body), signed.signature
    ):
        raise Unauthenticated(
            f"the signature is not {signed.node}'s for a request to {to} (header {SIGNATURE})"
        )


def sign_response(key: NodeKey, nonce: str, status: int, body: bytes) -> str:
    """The signature of an answer to the request of `nonce`."""
    return key.sign(_response_message(nonce, status, body))


def check_response(
    public_key: str, node: str, nonce: str, status: int, body: bytes, signature: str | None
) -> None:
    """Unauthenticated unless the answer is signed by `node`'s key for the request of `nonce`."""
    if not signature or not signed_by(public_key, _response_message(nonce, status, body), signature):
        raise Unauthenticated(f"the answer is not signed by {node}'s key: it did not come from that node")
