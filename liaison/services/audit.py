"""The audit trail: recording events beside the actions they describe, verifying and exporting it.

Events are appended in the same transaction as the change they record, so a change without its
event (or an event without its change) cannot be committed. Nothing in Liaison updates or
deletes an event. An agency's auditors read and export its people's events, node auditors and
the operator the whole trail (`access.administration.audit_scope`); any auditor verifies it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.administration import audit_scope
from liaison.access.audit import AuditEvent, BrokenLink, ChainedEvent, verify_chain
from liaison.model import Identity

__all__ = ["Verification", "export", "recent", "record", "verify"]


def record(
    session: Session,
    identity: Identity,
    action: str,
    subject: str,
    *,
    now: dt.datetime,
    purpose: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an event for the caller's action to the chain, in the session's transaction."""
    store.append_event(
        session, AuditEvent(now, identity.actor, identity.agency, action, subject, purpose, detail or {})
    )


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of walking the chain: how many events, and the first broken link if any."""

    events: int
    broken: BrokenLink | None


def verify(engine: Engine, identity: Identity, now: dt.datetime) -> Verification:
    """Walk the whole chain against its head (any auditor: it shows counts, not events); recorded after."""
    audit_scope(identity)
    with Session(engine) as session:
        head_seq, head_hash = store.audit_head(session)
        counted = _Counted(store.iter_events(session))
        broken = verify_chain(counted, head_seq, head_hash)
    with Session(engine) as session, session.begin():
        record(session, identity, "audit.verify", "audit", now=now, detail={"ok": broken is None})
    return Verification(counted.count, broken)


class _Counted:
    """Counts the events a verification walks."""

    def __init__(self, events: Iterator[ChainedEvent]) -> None:
        self.events, self.count = events, 0

    def __iter__(self) -> Iterator[ChainedEvent]:
        for event in self.events:
            self.count += 1
            yield event


def recent(engine: Engine, identity: Identity, limit: int = 100, *, now: dt.datetime) -> list[ChainedEvent]:
    """The newest events the auditor reads, newest first; the reading itself is recorded after it."""
    agency = audit_scope(identity)
    with Session(engine) as session:
        newest = store.latest_events(session, max(limit, 0), agency=agency)
    with Session(engine) as session, session.begin():
        record(session, identity, "audit.read", "audit", now=now, detail={"events": len(newest)})
    return newest


def export(
    engine: Engine,
    identity: Identity,
    handle: IO[bytes],
    *,
    now: dt.datetime,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> int:
    """Write the events of a period that the auditor reads as JSON lines, chain fields included."""
    agency = audit_scope(identity)
    count = 0
    with Session(engine) as session:
        for chained in store.iter_events(session, since, until, agency=agency):
            handle.write(orjson.dumps(_exported(chained)) + b"\n")
            count += 1
    with Session(engine) as session, session.begin():
        period = {
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
        }
        record(session, identity, "audit.export", "audit", now=now, detail={**period, "events": count})
    return count


def _exported(chained: ChainedEvent) -> dict[str, Any]:
    event = chained.event
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=dt.UTC)
    return {
        "seq": chained.seq,
        "at": at.isoformat(),
        "actor": event.actor,
        "agency": event.agency,
        "action": event.action,
        "object": event.subject,
        "purpose": event.purpose,
        "detail": event.detail,
        "prev_hash": chained.prev_hash,
        "hash": chained.hash,
    }
