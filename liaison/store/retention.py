"""Retention: records past their review date, and re-confirming or deleting one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind
from liaison.model import Identity
from liaison.store.access import where
from liaison.store.changes import log_removal
from liaison.store.links import delete_links
from liaison.store.observables import delete_observables
from liaison.store.seizures import delete_seizure
from liaison.store.stix import delete_stix
from liaison.store.tables import EntityRow
from liaison.store.trafficking import delete_trafficking

__all__ = ["DueRecord", "delete_record", "due_records", "set_review"]


@dataclass(frozen=True, slots=True)
class DueRecord:
    """A record whose retention review date has passed."""

    dataset: str
    entity_id: str
    schema: str
    caption: str
    owner_agency: str
    handling: str
    retention_review: dt.date


def due_records(
    session: Session, identity: Identity, today: dt.date, limit: int, offset: int
) -> tuple[list[DueRecord], int]:
    """Records reviewed before `today` that the caller decides to keep or delete: their agency's,
    for the roles that decide for it (all, for the operator)."""
    condition = (EntityRow.retention_review < today) & where(identity, Action.DECIDE, Kind.RECORD)
    total = session.scalar(select(func.count()).select_from(EntityRow).where(condition)) or 0
    query = (
        select(
            EntityRow.dataset,
            EntityRow.id,
            EntityRow.schema,
            EntityRow.caption,
            EntityRow.owner_agency,
            EntityRow.handling,
            EntityRow.retention_review,
        )
        .where(condition)
        .order_by(EntityRow.retention_review, EntityRow.dataset, EntityRow.id)
        .limit(limit)
        .offset(offset)
    )
    return [DueRecord(*row) for row in session.execute(query)], total


def set_review(session: Session, dataset: str, entity_id: str, review: dt.date, now: dt.datetime) -> bool:
    """Move a record's review date; whether the record exists."""
    changed = session.execute(
        update(EntityRow)
        .where(EntityRow.dataset == dataset, EntityRow.id == entity_id)
        .values(retention_review=review, updated_at=now)
    )
    return bool(changed.rowcount)  # type: ignore[attr-defined]


def delete_record(session: Session, dataset: str, entity_id: str) -> bool:
    """Delete one dataset's copy of an entity; whether it existed."""
    deleted = session.execute(
        delete(EntityRow).where(EntityRow.dataset == dataset, EntityRow.id == entity_id)
    )
    delete_links(session, dataset, entity_id)
    delete_observables(session, dataset, entity_id)
    delete_stix(session, dataset, entity_id)
    delete_seizure(session, dataset, entity_id)
    delete_trafficking(session, dataset, entity_id)
    if not deleted.rowcount:  # type: ignore[attr-defined]
        return False
    log_removal(session, dataset, entity_id)
    return True
