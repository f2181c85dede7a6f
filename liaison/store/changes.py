"""The change feed: every write and deletion of entity rows, numbered in the order it committed.

Each server's matching index follows it (`services.live_index`): a follower remembers the last
number it applied and reads what came after, one indexed query, cheap when nothing changed.

The numbers must rise in commit order, or a follower that has read number 11 would never see a
number 10 committed after it. So a change is logged under the lock that already orders the
store's writing transactions: the audit head's, which every audited transaction holds from its
audit event to its commit (`store.audit`). Logging takes it earlier, just before the change's
number is drawn; a later transaction draws its number only once the earlier has committed. On
SQLite every writing transaction holds the database's write lock anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from liaison.store.entities import stored_entity
from liaison.store.tables import AuditHeadRow, EntityChangeRow, EntityRow

if TYPE_CHECKING:
    from followthemoney.proxy import EntityProxy

__all__ = [
    "Change",
    "changes_after",
    "latest_change",
    "log_removal",
    "log_run",
    "pending",
    "written_by_run",
]


@dataclass(frozen=True, slots=True)
class Change:
    """One change: an import run that wrote rows of a dataset, or one row deleted from it."""

    seq: int
    dataset: str
    import_run: int | None
    entity_id: str | None
    at: dt.datetime


def log_run(session: Session, dataset: str, run_id: int) -> None:
    """Log that an import run wrote rows of `dataset`; call it once, when the run is finished."""
    _log(session, dataset, run_id, None)


def log_removal(session: Session, dataset: str, entity_id: str) -> None:
    """Log that one dataset's copy of an entity was deleted."""
    _log(session, dataset, None, entity_id)


def _log(session: Session, dataset: str, run_id: int | None, entity_id: str | None) -> None:
    # The lock first, then the number (see the module's docstring); the time is the writer's
    # clock just before its commit, which the followers' lag is measured from.
    session.execute(select(AuditHeadRow.seq).where(AuditHeadRow.id == 1).with_for_update())
    session.execute(
        insert(EntityChangeRow).values(
            dataset=dataset, import_run=run_id, entity_id=entity_id, at=dt.datetime.now(dt.UTC)
        )
    )


def changes_after(session: Session, seq: int, limit: int = 1_000) -> list[Change]:
    """The changes numbered above `seq`, oldest first, at most `limit` of them."""
    query = (
        select(
            EntityChangeRow.seq,
            EntityChangeRow.dataset,
            EntityChangeRow.import_run,
            EntityChangeRow.entity_id,
            EntityChangeRow.at,
        )
        .where(EntityChangeRow.seq > seq)
        .order_by(EntityChangeRow.seq)
        .limit(limit)
    )
    return [Change(*row) for row in session.execute(query)]


def latest_change(session: Session) -> int:
    """The number of the last change committed, 0 before the first."""
    return session.scalar(select(func.max(EntityChangeRow.seq))) or 0


def pending(session: Session, seq: int) -> tuple[int, dt.datetime | None]:
    """How many changes are numbered above `seq`, and when the oldest of them was logged."""
    count, oldest = session.execute(
        select(func.count(), func.min(EntityChangeRow.at)).where(EntityChangeRow.seq > seq)
    ).one()
    if oldest is not None and oldest.tzinfo is None:  # an aggregate is not read through UtcDateTime
        oldest = oldest.replace(tzinfo=dt.UTC)
    return int(count), oldest


def written_by_run(
    session: Session, dataset: str, run_id: int, schemata: frozenset[str]
) -> Iterator[tuple[str, EntityProxy | None]]:
    """Each entity of `dataset` still as the run wrote it: its id, and the entity where its schema is
    one of `schemata` (None for the others, which are not read further). Every record, unfiltered."""
    query = (
        select(EntityRow)
        .where(EntityRow.dataset == dataset, EntityRow.import_run == run_id)
        .execution_options(yield_per=1_000)
    )
    for row in session.scalars(query):
        yield row.id, stored_entity(row).proxy if row.schema in schemata else None
