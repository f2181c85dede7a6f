"""The audit trail: recording events beside the actions they describe, verifying and exporting it.

Events are appended in the same transaction as the change they record, so a change without its
event (or an event without its change) cannot be committed. Nothing in Liaison updates or
deletes an event. An agency's auditors read and export its people's events, node auditors and
the operator the whole trail (the one access decision, kind AUDIT_EVENT, which the store applies);
any auditor verifies it and takes signed checkpoints of it, which a later verification holds it
against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

import orjson
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access import checkpoints
from liaison.access.administration import require_auditor
from liaison.access.audit import AuditEvent, BrokenLink, ChainedEvent, ChainKey, verify_chain
from liaison.access.checkpoints import Checkpoint
from liaison.access.sealing import key_file, read_key
from liaison.errors import Conflict, Unavailable
from liaison.model import Identity
from liaison.settings import Settings

__all__ = ["Verification", "checkpoint", "export", "key_chain", "recent", "record", "verify"]

_NO_KEY = (
    "checkpoints are signed with a key kept outside the database, and this store has none: set "
    "LIAISON_SECRET_KEY (e.g. `openssl rand -base64 32`) or LIAISON_SECRET_KEY_FILE"
)


def key_chain(engine: Engine, settings: Settings) -> None:
    """Key the engine's audit chain with the configured secret, if one is configured.

    Without LIAISON_SECRET_KEY or LIAISON_SECRET_KEY_FILE the store's default applies: the key
    file beside an SQLite store's file, and no key for other stores.
    """
    if settings.secret_key is not None:
        sealer = read_key(settings.secret_key.get_secret_value(), "LIAISON_SECRET_KEY")
    elif settings.secret_key_file is not None:
        sealer = key_file(settings.secret_key_file, create=True)
    else:
        return
    store.keep_chain_key(engine, ChainKey.of(sealer))


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
    """The outcome of walking the chain: how many events, the first broken link if any, whether
    this node holds the key, the first event keyed (None: none is), the checkpoints held against,
    and the first checkpoint refused as forged (its file and line), which stops the walk."""

    events: int
    broken: BrokenLink | None
    keyed: bool = False
    keyed_from: int | None = None
    checkpoints: int = 0
    forged: str | None = None


def verify(
    engine: Engine, identity: Identity, now: dt.datetime, against: Sequence[Checkpoint] = ()
) -> Verification:
    """Walk the whole chain against its head and the checkpoints given (any auditor: it shows
    counts, not events); recorded after."""
    require_auditor(identity)
    with Session(engine) as session:
        key = store.chain_key(session, create=False)
        if against and key is None:
            raise Unavailable(_NO_KEY)
        signed = key.checkpoint if key else b""
        forged = next((c.where for c in against if not checkpoints.authentic(c, signed)), None)
        if forged is not None:
            found = Verification(0, None, True, None, len(against), forged)
        else:
            found = _walk(session, key, against)
    with Session(engine) as session, session.begin():
        detail = {"ok": found.broken is None and found.forged is None, "checkpoints": len(against)}
        record(session, identity, "audit.verify", "audit", now=now, detail=detail)
    return found


def _walk(session: Session, key: ChainKey | None, against: Sequence[Checkpoint]) -> Verification:
    head_seq, head_hash = store.audit_head(session)
    counted = _Counted(store.iter_events(session))
    wanted = frozenset(c.seq for c in against)
    walked = verify_chain(counted, head_seq, head_hash, key.chain if key else None, wanted)
    broken = walked.broken
    for held in against:
        broken = broken or checkpoints.check(held, head_seq, walked.hashes)
    return Verification(counted.count, broken, key is not None, walked.keyed_from, len(against))


def checkpoint(engine: Engine, identity: Identity, *, now: dt.datetime, node: str) -> Checkpoint:
    """A signed checkpoint of the chain's head, taken on `node` once the whole chain verifies.

    The checkpoint is recorded first, so the checkpoint covers its own event. Conflict when the
    chain is broken: a checkpoint must never vouch for a rewritten chain.
    """
    require_auditor(identity)
    with Session(engine) as session, session.begin():
        key = store.chain_key(session, create=True)
        if key is None:
            raise Unavailable(_NO_KEY)
        head_seq, head_hash = store.audit_head(session)
        walked = verify_chain(store.iter_events(session), head_seq, head_hash, key.chain)
        if walked.broken is not None:
            raise Conflict(
                f"the audit chain is broken at event {walked.broken.seq}: {walked.broken.reason}; "
                "no checkpoint was taken"
            )
        taken = AuditEvent(
            now, identity.actor, identity.agency, "audit.checkpoint", "audit", detail={"node": node}
        )
        chained = store.append_event(session, taken)
    return checkpoints.sign(chained.seq, chained.hash, now, node, key.checkpoint)


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
    require_auditor(identity)
    with Session(engine) as session:
        newest = store.latest_events(session, identity, max(limit, 0))
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
    require_auditor(identity)
    count = 0
    with Session(engine) as session:
        for chained in store.events_for(session, identity, since, until):
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
