"""The audit trail: recording events beside the actions they describe, verifying and exporting it.

Events are appended in the same transaction as the change they record, so a change without its
event (or an event without its change) cannot be committed. Nothing in Liaison updates or
deletes an event; auditors and the operator may read, verify and export the trail.
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
from liaison.access.audit import AuditEvent, BrokenLink, ChainedEvent, verify_chain
from liaison.errors import Forbidden
from liaison.model import Identity, IdentityKind, Role

__all__ = ["Verification", "export", "recent", "record", "require_auditor", "verify"]


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


def require_auditor(identity: Identity) -> None:
    """Only auditors and the operator read the trail."""
    if identity.kind is not IdentityKind.OPERATOR and identity.role is not Role.AUDITOR:
        raise Forbidden("only auditors may read the audit trail")


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of walking the chain: how many events, and the first broken link if any."""

    events: int
    broken: BrokenLink | None


def verify(engine: Engine, identity: Identity, now: dt.datetime) -> Verification:
    """Walk the whole chain against its head; the walk itself is recorded after it."""
    require_auditor(identity)
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
    """The newest events, newest first, for an auditor's screen; the reading itself is recorded after it."""
    require_auditor(identity)
    with Session(engine) as session:
        newest = store.latest_events(session, max(limit, 0))
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
    """Write the events of a period as JSON lines, chain fields included; return how many."""
    require_auditor(identity)
    count = 0
    with Session(engine) as session:
        for chained in store.iter_events(session, since, until):
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
