"""The audit chain: each event's hash covers the event and the previous event's hash.

Hashes are HMAC-SHA256 under a key derived from the secret kept outside the database, so that
someone with the database alone cannot rehash a changed row, nor the rows after it. Changing,
deleting or inserting any row breaks the chain at that row, and `verify_chain` names the first
broken link. The head (last number, kept apart) is sealed under the key over the last event's
hash: cutting rows from the end and rolling the head back breaks it too. Events written before
chains were keyed (or by a store with no key) are plain SHA-256, and only as a run from the first
event: an unkeyed event after a keyed one is a rewrite. What a key cannot show, an old state of
the database put back whole, signed checkpoints kept outside it show (`access.checkpoints`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from liaison.access.sealing import Sealer

__all__ = [
    "GENESIS",
    "AuditEvent",
    "BrokenLink",
    "ChainCheck",
    "ChainKey",
    "ChainedEvent",
    "event_hash",
    "head_seal",
    "timestamp",
    "verify_chain",
]

GENESIS = "0" * 64
"""The hash the first event chains to."""


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """Who did what to which object, for what purpose, and when."""

    at: dt.datetime
    actor: str
    agency: str | None
    action: str
    subject: str
    purpose: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChainedEvent:
    """An event as stored: its number in the chain, the previous hash and its own."""

    seq: int
    event: AuditEvent
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """The first event at which the chain does not hold, and why."""

    seq: int
    reason: str


@dataclass(frozen=True, slots=True)
class ChainKey:
    """The keys of the audit trail, derived from the secret that seals stored secrets.

    One chains events and seals the head, the other signs checkpoints; neither is the secret.
    """

    chain: bytes = field(repr=False)
    checkpoint: bytes = field(repr=False)

    @classmethod
    def of(cls, sealer: Sealer) -> ChainKey:
        """The audit keys derived from a sealing key."""
        return cls(sealer.derive("liaison audit chain v1"), sealer.derive("liaison audit checkpoint v1"))


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """What walking the chain found: the first broken link if any, where keying began, and the
    hashes of the events asked for (by number; 0 is the genesis)."""

    broken: BrokenLink | None
    keyed_from: int | None
    hashes: dict[int, str]


def timestamp(at: dt.datetime) -> str:
    """A time in the one form the chain hashes and checkpoints sign: UTC, microseconds, `Z`."""
    # SQLite hands datetimes back without a zone: they were written in UTC.
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(seq: int, event: AuditEvent, prev_hash: str, key: bytes | None) -> str:
    """HMAC-SHA256 under `key` over the event's fields in a canonical JSON form and the previous
    hash; plain SHA-256 of the same when `key` is None (a store without a key, or an old event)."""
    fields = [
        seq,
        timestamp(event.at),
        event.actor,
        event.agency,
        event.action,
        event.subject,
        event.purpose,
        event.detail,
        prev_hash,
    ]
    canonical = orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)
    if key is None:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def head_seal(seq: int, last_hash: str, key: bytes | None) -> str:
    """The head's hash: under `key`, an HMAC over its number and the last event's hash (a label
    keeps it from ever equalling an event's); without a key, the last event's hash itself."""
    if key is None:
        return last_hash
    return hmac.new(key, orjson.dumps(["audit head", seq, last_hash]), hashlib.sha256).hexdigest()


def verify_chain(
    events: Iterable[ChainedEvent],
    head_seq: int,
    head_hash: str,
    key: bytes | None,
    wanted: frozenset[int] = frozenset(),
) -> ChainCheck:
    """Walk the chain from the first event under `key` (None: no key); keep the hashes of `wanted`."""
    expected_seq, previous, keyed_from = 1, GENESIS, None
    hashes = {0: GENESIS} if 0 in wanted else {}

    def broken(seq: int, reason: str) -> ChainCheck:
        return ChainCheck(BrokenLink(seq, reason), keyed_from, hashes)

    for chained in events:
        seq = chained.seq
        if seq != expected_seq:
            return broken(expected_seq, f"event {expected_seq} is missing (found {seq} next)")
        if chained.prev_hash != previous:
            return broken(seq, "its previous hash is not the hash of the event before it")
        if key is not None and event_hash(seq, chained.event, previous, key) == chained.hash:
            keyed_from = keyed_from or seq
        elif event_hash(seq, chained.event, previous, None) != chained.hash:
            missing = "" if key is not None else ", or it was keyed with a secret this process does not have"
            return broken(seq, f"its content does not match its hash: it was changed{missing}")
        elif keyed_from is not None:
            return broken(seq, f"it is hashed without the key, after events keyed from {keyed_from}")
        if seq in wanted:
            hashes[seq] = chained.hash
        expected_seq, previous = seq + 1, chained.hash
    last = expected_seq - 1
    if head_seq != last:
        return broken(expected_seq, f"the chain ends at event {last} but its head says {head_seq}")
    # A keyed chain's head must carry the seal only the key makes; a plain one, the last hash.
    if not hmac.compare_digest(head_seal(last, previous, key if keyed_from else None), head_hash):
        return broken(
            expected_seq,
            f"the head is not sealed over event {last}: events after it were cut and the head rolled "
            "back, or the head was rewritten",
        )
    return ChainCheck(None, keyed_from, hashes)
