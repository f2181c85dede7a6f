"""The audit trail's rows: appending under the head's lock, and reading in chain order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.access.audit import AuditEvent, ChainedEvent, event_hash
from liaison.store.tables import AuditEventRow, AuditHeadRow

__all__ = ["append_event", "audit_head", "iter_events"]


def append_event(session: Session, event: AuditEvent) -> ChainedEvent:
    """Chain an event to the head inside the caller's transaction; concurrent appends wait on the head."""
    head = session.scalars(select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update()).one()
    seq = head.seq + 1
    digest = event_hash(seq, event, head.hash)
    session.add(
        AuditEventRow(
            seq=seq,
            at=event.at,
            actor=event.actor,
            agency=event.agency,
            action=event.action,
            subject=event.subject,
            purpose=event.purpose,
            detail=event.detail,
            prev_hash=head.hash,
            hash=digest,
        )
    )
    chained = ChainedEvent(seq, event, head.hash, digest)
    head.seq, head.hash = seq, digest
    session.flush()
    return chained


def audit_head(session: Session) -> tuple[int, str]:
    """The last event's number and hash."""
    head = session.get(AuditHeadRow, 1)
    if head is None:
        raise RuntimeError("the audit head row is missing; the store was not migrated")
    return head.seq, head.hash


def iter_events(
    session: Session, since: dt.datetime | None = None, until: dt.datetime | None = None, batch: int = 1_000
) -> Iterator[ChainedEvent]:
    """Events in chain order, optionally those at or after `since` and before `until`."""
    query = select(AuditEventRow).order_by(AuditEventRow.seq).execution_options(yield_per=batch)
    if since is not None:
        query = query.where(AuditEventRow.at >= since)
    if until is not None:
        query = query.where(AuditEventRow.at < until)
    for row in session.scalars(query):
        event = AuditEvent(row.at, row.actor, row.agency, row.action, row.subject, row.purpose, row.detail)
        yield ChainedEvent(row.seq, event, row.prev_hash, row.hash)
