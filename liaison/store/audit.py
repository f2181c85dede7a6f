"""The audit trail's rows: appending under the head's lock, and reading in chain order.

An auditor's lists (`events_for`, `latest_events`) hold only the events the one access decision
lets them read (kind AUDIT_EVENT); `iter_events` walks the whole chain, for its verification.

The chain's key comes with the engine: the one its opener kept there (`keep_chain_key`, from
the configured secret), else the key file beside an SQLite store's file (the configured default),
else none, and the chain is plain SHA-256.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

from sqlalchemy import ColumnElement, Engine, insert, select, true, update
from sqlalchemy.orm import Session

from liaison.access.audit import GENESIS, AuditEvent, ChainedEvent, ChainKey, event_hash, head_seal
from liaison.access.decision import Action, Kind
from liaison.access.sealing import key_file
from liaison.model import Identity
from liaison.store.access import where
from liaison.store.tables import AuditEventRow, AuditHeadRow

__all__ = [
    "append_event",
    "audit_head",
    "chain_key",
    "event_hash_at",
    "events_about",
    "events_for",
    "iter_events",
    "keep_chain_key",
    "latest_events",
]

_KEY_OPTION = "liaison_chain_key"


def keep_chain_key(engine: Engine, key: ChainKey) -> None:
    """Key the audit chain of everything written through this engine with `key`."""
    engine.update_execution_options(**{_KEY_OPTION: key})


def chain_key(session: Session, create: bool) -> ChainKey | None:
    """The chain's key for this session's engine; a missing default key file is made when `create`."""
    kept: ChainKey | None = session.connection().get_execution_options().get(_KEY_OPTION)
    if kept is not None:
        return kept
    url = session.connection().engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    beside = Path(url.database).with_name(Path(url.database).name + ".key")
    if not create and not beside.exists():
        return None
    # Read once: every audited request would otherwise read and derive the key again.
    key = ChainKey.of(key_file(beside, create))
    keep_chain_key(session.connection().engine, key)
    return key


def append_event(session: Session, event: AuditEvent) -> ChainedEvent:
    """Chain an event to the head inside the caller's transaction; concurrent appends wait on the head.

    Every request appends one, holding the head's lock until its transaction ends, so this is
    a few plain statements rather than the ORM's unit of work.
    """
    head_seq, head_hash = session.execute(
        select(AuditHeadRow.seq, AuditHeadRow.hash).where(AuditHeadRow.id == 1).with_for_update()
    ).one()
    key = chain_key(session, create=True)
    # With the last event deleted, the next chains to the head's hash; the gap stays for
    # `verify` to name, and recording (a verification's own event included) goes on.
    previous = event_hash_at(session, head_seq) or head_hash
    seq = head_seq + 1
    digest = event_hash(seq, event, previous, key.chain if key else None)
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
            prev_hash=previous,
            hash=digest,
        )
    )
    sealed = head_seal(seq, digest, key.chain if key else None)
    session.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1).values(seq=seq, hash=sealed))
    return ChainedEvent(seq, event, previous, digest)


def audit_head(session: Session) -> tuple[int, str]:
    """The last event's number and the head's hash (sealed over the last event's under a key)."""
    head = session.get(AuditHeadRow, 1)
    if head is None:
        raise RuntimeError("the audit head row is missing; the store was not migrated")
    return head.seq, head.hash


def event_hash_at(session: Session, seq: int) -> str | None:
    """The hash of event `seq` (the genesis for 0), or None when there is no such event."""
    if seq == 0:
        return GENESIS
    return session.scalar(select(AuditEventRow.hash).where(AuditEventRow.seq == seq))


def iter_events(
    session: Session, since: dt.datetime | None = None, until: dt.datetime | None = None, batch: int = 1_000
) -> Iterator[ChainedEvent]:
    """The whole chain in order, whoever asks (a verification walks every event, showing counts):
    the events at or after `since` and before `until`."""
    return _events(session, true(), since, until, batch)


def events_for(
    session: Session,
    identity: Identity,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    batch: int = 1_000,
) -> Iterator[ChainedEvent]:
    """The events the caller may read, in chain order: those at or after `since`, before `until`."""
    return _events(session, where(identity, Action.READ, Kind.AUDIT_EVENT), since, until, batch)


def _events(
    session: Session,
    readable: ColumnElement[bool],
    since: dt.datetime | None,
    until: dt.datetime | None,
    batch: int,
) -> Iterator[ChainedEvent]:
    query = (
        select(AuditEventRow).where(readable).order_by(AuditEventRow.seq).execution_options(yield_per=batch)
    )
    if since is not None:
        query = query.where(AuditEventRow.at >= since)
    if until is not None:
        query = query.where(AuditEventRow.at < until)
    for row in session.scalars(query):
        event = AuditEvent(row.at, row.actor, row.agency, row.action, row.subject, row.purpose, row.detail)
        yield ChainedEvent(row.seq, event, row.prev_hash, row.hash)


def latest_events(session: Session, identity: Identity, limit: int = 100) -> list[ChainedEvent]:
    """The newest events the caller may read, newest first, read from the end of the chain."""
    readable = where(identity, Action.READ, Kind.AUDIT_EVENT)
    query = select(AuditEventRow).where(readable).order_by(AuditEventRow.seq.desc()).limit(limit)
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
