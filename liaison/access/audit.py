"""The audit chain: each event's hash covers the event and the previous event's hash.

Changing, deleting or inserting any row breaks the chain at that row, and `verify_chain` names
the first broken link. The head (last number and hash, kept apart) catches rows cut from the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

__all__ = ["GENESIS", "AuditEvent", "BrokenLink", "ChainedEvent", "event_hash", "verify_chain"]

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


def _timestamp(at: dt.datetime) -> str:
    # SQLite hands datetimes back without a zone: they were written in UTC.
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(seq: int, event: AuditEvent, prev_hash: str) -> str:
    """SHA-256 over the event's fields in a canonical JSON form and the previous hash."""
    fields = [
        seq,
        _timestamp(event.at),
        event.actor,
        event.agency,
        event.action,
        event.subject,
        event.purpose,
        event.detail,
        prev_hash,
    ]
    return hashlib.sha256(orjson.dumps(fields, option=orjson.OPT_SORT_KEYS)).hexdigest()


def verify_chain(events: Iterable[ChainedEvent], head_seq: int, head_hash: str) -> BrokenLink | None:
    """Walk the chain from the first event; the first link that fails, or None when it all holds."""
    expected_seq, previous = 1, GENESIS
    for chained in events:
        if chained.seq != expected_seq:
            return BrokenLink(expected_seq, f"event {expected_seq} is missing (found {chained.seq} next)")
        if chained.prev_hash != previous:
            return BrokenLink(chained.seq, "its previous hash is not the hash of the event before it")
        if event_hash(chained.seq, chained.event, chained.prev_hash) != chained.hash:
            return BrokenLink(chained.seq, "its content does not match its hash: it was changed")
        expected_seq, previous = chained.seq + 1, chained.hash
    if expected_seq - 1 != head_seq or previous != head_hash:
        return BrokenLink(
            expected_seq, f"the chain ends at event {expected_seq - 1} but its head says {head_seq}"
        )
    return None
