"""The audit trail's rows: appending under the head's lock, and reading in chain order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from liaison.access.audit import AuditEvent, ChainedEvent, event_hash
from liaison.store.tables import AuditEventRow, AuditHeadRow

__all__ = ["append_event", "audit_head", "iter_events"]


def append_event(session: Session, event: AuditEvent) -> ChainedEvent:
    """Chain an event to the head inside the caller's transaction; concurrent appends wait on the head.

    Every request appends one, holding the head's lock until its transaction ends, so this is
    three plain statements rather than the ORM's unit of work.
    """
    head_seq, head_hash = session.execute(
        select(AuditHeadRow.seq, AuditHeadRow.hash).where(AuditHeadRow.id == 1).with_for_update()
    ).one()
    seq = head_seq + 1
    digest = event_hash(seq, event, head_hash)
    session.execute(
        insert(AuditEventRow).values(
            seq=seq,
            at=event.at,
            actor=event.actor,
            agency=event.agency,
            action=event.action,
            subject=event.subject,
            purpose=event.purpose,
            detail=event.detail,
            prev_hash=head_hash,
            hash=digest,
        )
    )
    session.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1).values(seq=seq, hash=digest))
    return ChainedEvent(seq, event, head_hash, digest)


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
