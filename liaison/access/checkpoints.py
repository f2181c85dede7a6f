"""Signed checkpoints of the audit chain's head, kept outside the database by its auditors.

A keyed chain shows any row changed, deleted or added by someone without the key, but not the
database put back whole as it was earlier (its head was sealed then too). A checkpoint is one
JSON line naming an event's number and hash, when and on which node it was taken, and an
HMAC-SHA256 under the checkpoint key: a chain that ends before a checkpoint's event was cut, one
whose event there has another hash was rewritten, and a line whose signature fails was forged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import orjson

from liaison.access.audit import BrokenLink, timestamp
from liaison.errors import BadInput

__all__ = ["Checkpoint", "authentic", "check", "parse", "sign", "to_line"]

_FIELDS = ("seq", "hash", "at", "node", "signature")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The chain's event `seq` had `hash` at `at` on `node`; `where` (file and line) is not signed."""

    seq: int
    hash: str
    at: dt.datetime
    node: str
    signature: str
    where: str = ""


def _signed(seq: int, hash_: str, at: dt.datetime, node: str, key: bytes) -> str:
    message = orjson.dumps(["audit checkpoint", seq, hash_, timestamp(at), node])
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sign(seq: int, hash_: str, at: dt.datetime, node: str, key: bytes) -> Checkpoint:
    """A checkpoint of event `seq` and its hash, signed under the checkpoint key."""
    return Checkpoint(seq, hash_, at, node, _signed(seq, hash_, at, node, key))


def to_line(checkpoint: Checkpoint) -> bytes:
    """The checkpoint as one JSON line, as auditors keep it."""
    fields = {
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "at": timestamp(checkpoint.at),
        "node": checkpoint.node,
        "signature": checkpoint.signature,
    }
    return orjson.dumps(fields) + b"\n"


def parse(text: str, source: str) -> list[Checkpoint]:
    """The checkpoints of a file's text, one a line (blank lines skipped); BadInput names the line."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            found.append(_parsed(line, f"{source} line {number}"))
    if not found:
        raise BadInput(f"{source}: no checkpoints in it")
    return found


def _parsed(line: str, where: str) -> Checkpoint:
    try:
        fields: Any = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise BadInput(f"{where}: not a JSON object ({exc})") from exc
    if not isinstance(fields, dict) or sorted(fields) != sorted(_FIELDS):
        raise BadInput(f"{where}: a checkpoint has exactly the fields {', '.join(_FIELDS)}")
    seq, hash_, at, node, signature = (fields[name] for name in _FIELDS)
    if type(seq) is not int or seq < 0:
        raise BadInput(f"{where}: seq must be a whole number, 0 or more")
    if not all(isinstance(value, str) for value in (hash_, at, node, signature)):
        raise BadInput(f"{where}: hash, at, node and signature must be strings")
    try:
        taken = dt.datetime.fromisoformat(at)
    except ValueError as exc:
        raise BadInput(f"{where}: at {at!r} is not an ISO time") from exc
    return Checkpoint(seq, hash_, taken, node, signature, where)


def authentic(checkpoint: Checkpoint, key: bytes) -> bool:
    """Whether the checkpoint was signed under this key as it reads now."""
    expected = _signed(checkpoint.seq, checkpoint.hash, checkpoint.at, checkpoint.node, key)
    return hmac.compare_digest(expected, checkpoint.signature)


def check(checkpoint: Checkpoint, last_seq: int, hashes: dict[int, str]) -> BrokenLink | None:
    """Whether a chain ending at `last_seq`, with `hashes` by event number, still holds what the
    checkpoint saw; the break if it does not."""
    taken = f"{checkpoint.where} (taken {timestamp(checkpoint.at)} on {checkpoint.node})"
    if checkpoint.seq > last_seq:
        return BrokenLink(
            last_seq + 1,
            f"the chain ends at event {last_seq}, but {taken} saw event {checkpoint.seq}: "
            "events were cut from the end",
        )
    if hashes.get(checkpoint.seq) != checkpoint.hash:
        return BrokenLink(
            checkpoint.seq, f"its hash is not the one {taken} recorded: the chain was rewritten up to it"
        )
    return None
