"""STIX objects as they came, every version, read only through their records' access filter.

An object's record is the entity row of the same dataset and id (its FtM mirror): whoever may
read the record may read every version of the object, and no one else. Pages are read in
(added_at, id, version) order from one index, so a TAXII client paging through a collection
of millions costs the same per page at the end as at the start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from sqlalchemy import ColumnElement, Connection, Select, bindparam, delete, func, select, tuple_
from sqlalchemy.orm import Session, aliased

from liaison.model import Handling, Identity
from liaison.store.access import readable
from liaison.store.tables import EntityRow, StixObjectRow, UtcDateTime

__all__ = [
    "StixFilter",
    "StoredStix",
    "delete_stix",
    "newest_documents",
    "stix_page",
    "stix_readable",
    "stix_version",
    "write_stix",
]

Versions = Literal["last", "first", "all"]


@dataclass(frozen=True, slots=True)
class StoredStix:
    """One version of one object, as stored, with when this server added it."""

    dataset: str
    id: str
    version: dt.datetime
    type: str
    added_at: dt.datetime
    document: str
    handling: Handling
    """The handling of the object's record, which may be stricter than the producer's marking."""


@dataclass(frozen=True, slots=True)
class StixFilter:
    """What a reader asks of a collection: TAXII's `added_after` and `match[...]` filters."""

    added_after: dt.datetime | None = None
    types: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    versions: Versions | tuple[dt.datetime, ...] = "last"


def stix_version(document: Mapping[str, Any], added_at: dt.datetime) -> dt.datetime:
    """The version of an object: when it was modified, created, or (an observable) added."""
    for key in ("modified", "created"):
        text = document.get(key)
        if isinstance(text, str):
            return dt.datetime.fromisoformat(text).astimezone(dt.UTC)
    return added_at


def write_stix(
    connection: Connection,
    dataset: str,
    objects: Sequence[Mapping[str, Any]],
    run_id: int,
    now: dt.datetime,
) -> None:
    """Add object versions; a version already held keeps its first date added."""
    if not objects:
        return
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    columns = [column.name for column in StixObjectRow.__table__.columns]
    rows = [
        _bind(connection, (dataset, obj["id"], stix_version(obj, now), obj["type"], now, _dumps(obj), run_id))
        for obj in objects
    ]
    connection.exec_driver_sql(
        f"INSERT INTO stix_object ({', '.join(columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))}) ON CONFLICT DO NOTHING",
        rows,
    )


def _dumps(obj: Mapping[str, Any]) -> str:
    return orjson.dumps(obj).decode()


def _bind(connection: Connection, row: tuple[Any, ...]) -> tuple[Any, ...]:
    # The raw driver insert skips the column types: SQLite takes times as ISO text, as
    # SQLAlchemy writes them; PostgreSQL takes aware datetimes.
    if connection.dialect.name != "sqlite":
        return row
    return tuple(_sqlite_text(value) if isinstance(value, dt.datetime) else value for value in row)


def _sqlite_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def delete_stix(session: Session, dataset: str, object_id: str) -> None:
    """Forget every version of a deleted record's object."""
    session.execute(
        delete(StixObjectRow).where(StixObjectRow.dataset == dataset, StixObjectRow.id == object_id)
    )


def stix_readable(session: Session, identity: Identity, dataset: str) -> bool:
    """Whether the dataset holds a STIX object this caller may read.

    One probe of the dataset's part of the index: it stops at the first readable object, so it
    costs nothing for a dataset without objects or one whose objects the caller reads.
    """
    query = (
        select(StixObjectRow.id)
        .join(EntityRow, (EntityRow.dataset == StixObjectRow.dataset) & (EntityRow.id == StixObjectRow.id))
        .where(StixObjectRow.dataset == dataset, readable(identity))
        .limit(1)
    )
    return session.scalar(query) is not None


def stix_page(
    session: Session,
    identity: Identity,
    dataset: str,
    wanted: StixFilter,
    limit: int,
    after: tuple[dt.datetime, str, dt.datetime] | None = None,
) -> list[StoredStix]:
    """Up to `limit` readable object versions of a dataset, in (added_at, id, version) order after `after`."""
    query = _readable_objects(identity, dataset).where(*_conditions(wanted))
    if after is not None:
        added, object_id, version = after
        # A row-value comparison: one range of the index, on SQLite and PostgreSQL alike.
        query = query.where(
            tuple_(StixObjectRow.added_at, StixObjectRow.id, StixObjectRow.version)
            > tuple_(
                bindparam(None, added, type_=UtcDateTime()),
                bindparam(None, object_id),
                bindparam(None, version, type_=UtcDateTime()),
            )
        )
    query = query.order_by(StixObjectRow.added_at, StixObjectRow.id, StixObjectRow.version).limit(limit)
    return [StoredStix(*row[:-1], Handling(row[-1])) for row in session.execute(query)]


def _readable_objects(
    identity: Identity, dataset: str
) -> Select[str, str, dt.datetime, str, dt.datetime, str, str]:
    return (
        select(
            StixObjectRow.dataset,
            StixObjectRow.id,
            StixObjectRow.version,
            StixObjectRow.type,
            StixObjectRow.added_at,
            StixObjectRow.document,
            EntityRow.handling,
        )
        .join(EntityRow, (EntityRow.dataset == StixObjectRow.dataset) & (EntityRow.id == StixObjectRow.id))
        .where(StixObjectRow.dataset == dataset, readable(identity))
    )


def _conditions(wanted: StixFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.added_after is not None:
        conditions.append(StixObjectRow.added_at > wanted.added_after)
    if wanted.types:
        conditions.append(StixObjectRow.type.in_(wanted.types))
    if wanted.ids:
        conditions.append(StixObjectRow.id.in_(wanted.ids))
    if isinstance(wanted.versions, tuple):
        conditions.append(StixObjectRow.version.in_(wanted.versions))
    elif wanted.versions != "all":
        other = aliased(StixObjectRow)
        pick = func.max if wanted.versions == "last" else func.min
        conditions.append(
            StixObjectRow.version
            == select(pick(other.version))
            .where(other.dataset == StixObjectRow.dataset, other.id == StixObjectRow.id)
            .scalar_subquery()
        )
    return conditions


def newest_documents(session: Session, dataset: str, ids: Sequence[str]) -> dict[str, str]:
    """The newest stored version of each of these objects, by id.

    Only for ids the caller has already read through the access filter (their records).
    """
    query = (
        select(StixObjectRow.id, StixObjectRow.document)
        .where(StixObjectRow.dataset == dataset, StixObjectRow.id.in_(ids))
        .order_by(StixObjectRow.id, StixObjectRow.version)
    )
    # In version order, so the newest of each id is the one left standing.
    return dict(session.execute(query).all())
