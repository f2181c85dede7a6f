"""Retention review: every record has a review date; past it, its owner re-confirms or deletes it.

Only the owner agency decides about its records (the operator about all); each decision is
audited with the record it concerns. Listing what is due is a read of the agency's own records.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.decision import Action, RecordFacts, may
from liaison.errors import BadInput, Forbidden, NotFound
from liaison.model import Identity, IdentityKind
from liaison.services.accounts import audit
from liaison.store import retention as retention_store
from liaison.store.retention import DueRecord

__all__ = ["MAX_PAGE", "confirm", "delete", "due"]

MAX_PAGE = 500
MAX_YEARS = 10


def _member_or_operator(identity: Identity) -> None:
    if identity.kind not in (IdentityKind.MEMBER, IdentityKind.OPERATOR):
        raise Forbidden("sign in to review retention")


def due(
    engine: Engine, identity: Identity, today: dt.date, *, limit: int = 100, offset: int = 0
) -> tuple[list[DueRecord], int]:
    """Records of the caller's agency past their review date, oldest first, and how many in all."""
    _member_or_operator(identity)
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise BadInput(f"'limit' must be 1 to {MAX_PAGE} and 'offset' 0 or more")
    with Session(engine) as session:
        return retention_store.due_records(session, identity, today, limit, offset)


def _owned(session: Session, identity: Identity, dataset: str, entity_id: str) -> None:
    _member_or_operator(identity)
    found = store.entity_in_dataset(session, dataset, entity_id, identity)
    if found is None:
        raise NotFound(f"no entity {entity_id!r} in dataset {dataset!r}")
    envelope = found.envelope
    decision = may(identity, Action.DECIDE, RecordFacts.of(envelope.owner_agency, envelope.handling, ()))
    if not decision:
        raise Forbidden(decision.reason)


def confirm(
    engine: Engine, identity: Identity, dataset: str, entity_id: str, until: dt.date, now: dt.datetime
) -> None:
    """Keep a record until a new review date, within ten years."""
    if not now.date() < until <= now.date().replace(year=now.year + MAX_YEARS):
        raise BadInput(f"field 'until': {until} must be after today and within {MAX_YEARS} years")
    with Session(engine) as session, session.begin():
        _owned(session, identity, dataset, entity_id)
        retention_store.set_review(session, dataset, entity_id, until, now)
        audit.record(
            session,
            identity,
            "retention.confirm",
            f"{dataset}/{entity_id}",
            now=now,
            detail={"until": str(until)},
        )


def delete(engine: Engine, identity: Identity, dataset: str, entity_id: str, now: dt.datetime) -> None:
    """Delete a record for good; the audit event keeps who, when and what, not the content."""
    with Session(engine) as session, session.begin():
        _owned(session, identity, dataset, entity_id)
        retention_store.delete_record(session, dataset, entity_id)
        audit.record(session, identity, "retention.delete", f"{dataset}/{entity_id}", now=now)
