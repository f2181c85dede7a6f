"""The audit trail's rows: appending under the head's lock, and reading in chain order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from liaison.access.audit import AuditEvent, ChainedEvent, event_hash
from liaison.store.tables import AuditEventRow, AuditHeadRow

__all__ = ["append_event", "audit_head", "events_about", "iter_events", "latest_events"]


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
    session: Session,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    batch: int = 1_000,
    *,
    agency: str | None = None,
) -> Iterator[ChainedEvent]:
    """Events in chain order: those at or after `since`, before `until`, of `agency`'s people if given."""
    query = select(AuditEventRow).order_by(AuditEventRow.seq).execution_options(yield_per=batch)
    if since is not None:
        query = query.where(AuditEventRow.at >= since)
    if until is not None:
        query = query.where(AuditEventRow.at < until)
    if agency is not None:
        query = query.where(AuditEventRow.agency == agency)
    for row in session.scalars(query):
        event = AuditEvent(row.at, row.actor, row.agency, row.action, row.subject, row.purpose, row.detail)
        yield ChainedEvent(row.seq, event, row.prev_hash, row.hash)


def latest_events(session: Session, limit: int = 100, *, agency: str | None = None) -> list[ChainedEvent]:
    """The newest events, newest first, read from the end of the chain; of `agency`'s people if given."""
    query = select(AuditEventRow).order_by(AuditEventRow.seq.desc()).limit(limit)
    if agency is not None:
        query = query.where(AuditEventRow.agency == agency)
    return _chained(session.scalars(query))


def events_about(session: Session, subject: str, action: str, limit: int = 50) -> list[ChainedEvent]:
    """The newest events of one action on one subject, such as the reads of one entity."""
    query = (
        select(AuditEventRow)
        .where(AuditEventRow.subject == subject, AuditEventRow.action == action)
        .order_by(AuditEventRow.seq.desc())
        .limit(limit)
    )
    return _chained(session.scalars(query))


def _chained(rows: Iterable[AuditEventRow]) -> list[ChainedEvent]:
    return [
        ChainedEvent(
            row.seq,
            AuditEvent(row.at, row.actor, row.agency, row.action, row.subject, row.purpose, row.detail),
            row.prev_hash,
            row.hash,
        )
        for row in rows
    ]
