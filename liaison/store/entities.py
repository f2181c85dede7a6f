"""Entity rows: batched upserts during imports, and the reads that stats, show and export need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from liaison.errors import BadInput
from liaison.model import Envelope, Handling, Identity
from liaison.store.access import readable
from liaison.store.links import write_links
from liaison.store.observables import write_observables
from liaison.store.tables import EntityRow

if TYPE_CHECKING:
    from followthemoney.proxy import EntityProxy

__all__ = [
    "StoredEntity",
    "count_by_dataset_schema",
    "entities_by_id",
    "entities_by_ids",
    "entity_in_dataset",
    "iter_dataset",
    "iter_run",
    "page_dataset",
    "readable_copies",
    "release_keys",
    "stored_entity",
    "write_batch",
]


@dataclass(frozen=True, slots=True)
class StoredEntity:
    """An entity as the store holds it: the FtM proxy, its envelope and its provenance."""

    proxy: EntityProxy
    envelope: Envelope
    provenance: str
    created_at: dt.datetime
    updated_at: dt.datetime


def _merge_fragments(rows: Sequence[tuple[EntityProxy, str]]) -> dict[str, tuple[EntityProxy, str]]:
    # A CSV mapping can name one company on many rows: fold the fragments into one entity,
    # keeping the first row's provenance.
    merged: dict[str, tuple[EntityProxy, str]] = {}
    for proxy, provenance in rows:
        entity_id = proxy.id
        if entity_id is None:
            raise BadInput(f"{provenance}: entity has no id")
        seen = merged.get(entity_id)
        if seen is None:
            merged[entity_id] = (proxy, provenance)
        else:
            merged[entity_id] = (seen[0].merge(proxy), seen[1])
    return merged


def write_batch(
    session: Session,
    rows: Sequence[tuple[EntityProxy, str]],
    envelope: Envelope,
    run_id: int,
    now: dt.datetime,
) -> int:
    """Upsert a batch of (entity, provenance) under one envelope; return the entities written.

    Entities already written earlier in the same run are merged, not replaced, so fragments of
    one entity spread over a file add up; entities from an earlier run are replaced.
    """
    merged = _merge_fragments(rows)
    if not merged:
        return 0
    connection = session.connection()
    constants = _envelope_params(connection.dialect, envelope, run_id, now)
    values = [_row(envelope.dataset, proxy, provenance, constants) for proxy, provenance in merged.values()]
    # The DB-API's executemany with plain tuples: SQLAlchemy's per-row parameter processing
    # cost more than SQLite's own insert. The upsert leaves alone the rows this run wrote
    # already, so when it changed fewer rows than it was given, some entities came in
    # fragments, and only then is anything read back.
    written = connection.exec_driver_sql(_upsert_sql(connection.dialect, keep_this_run=True), values).rowcount
    if written < len(values):
        _merge_earlier_fragments(connection, envelope, run_id, merged, constants)
    written_proxies = [proxy for proxy, _provenance in merged.values()]
    write_links(connection, envelope.dataset, written_proxies, run_id)
    write_observables(connection, envelope.dataset, written_proxies, run_id)
    return len(merged)


def _row(dataset: str, proxy: EntityProxy, provenance: str, constants: tuple[Any, ...]) -> tuple[Any, ...]:
    return (
        dataset,
        proxy.id,
        proxy.schema.name,
        proxy.caption[:512],
        _dumps(proxy.properties),
        provenance,
        *constants,
    )


def _merge_earlier_fragments(
    connection: Connection,
    envelope: Envelope,
    run_id: int,
    merged: dict[str, tuple[EntityProxy, str]],
    constants: tuple[Any, ...],
) -> None:
    from followthemoney import model

    if connection.dialect.name == "postgresql":
        # Without statistics on a table filled inside this transaction, PostgreSQL guesses
        # that a long IN list matches every row and scans the table; ANALYZE counts the
        # transaction's own rows, so the primary key is used.
        connection.exec_driver_sql("ANALYZE entity")
    stored = connection.execute(
        select(EntityRow.id, EntityRow.schema, EntityRow.properties).where(
            EntityRow.dataset == envelope.dataset,
            EntityRow.import_run == run_id,
            EntityRow.id.in_(list(merged)),
        )
    )
    updates = []
    for entity_id, schema, properties in stored:
        proxy, provenance = merged[entity_id]
        if properties == proxy.properties:  # written just now, or a fragment adding nothing
            continue
        earlier = model.get_proxy({"id": entity_id, "schema": schema, "properties": properties}, cleaned=True)
        updates.append(_row(envelope.dataset, earlier.merge(proxy), provenance, constants))
    if updates:
        connection.exec_driver_sql(_upsert_sql(connection.dialect, keep_this_run=False), updates)


_VARYING = ("dataset", "id", "schema", "caption", "properties", "provenance")
_ENVELOPE = (
    "owner_agency",
    "handling",
    "releasability",
    "release_keys",
    "purpose",
    "import_run",
    "created_at",
    "updated_at",
    "retention_review",
)
# created_at is kept from the first import; everything else is the newest source's.
_REPLACED = tuple(column for column in _VARYING + _ENVELOPE if column not in ("dataset", "id", "created_at"))


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _envelope_params(dialect: Dialect, envelope: Envelope, run_id: int, now: dt.datetime) -> tuple[Any, ...]:
    values = {
        "owner_agency": envelope.owner_agency,
        "handling": envelope.handling.value,
        "releasability": _dumps(list(envelope.releasability)),
        "release_keys": release_keys(envelope.releasability),
        "purpose": envelope.purpose,
        "import_run": run_id,
        "created_at": now,
        "updated_at": now,
        "retention_review": envelope.retention_review,
    }
    params = []
    for column in _ENVELOPE:
        value = values[column]
        process = (
            None if column == "releasability" else EntityRow.__table__.c[column].type.bind_processor(dialect)
        )
        params.append(value if process is None else process(value))
    return tuple(params)


def release_keys(releasability: Sequence[str]) -> str:
    """Releasability entries as the `release_keys` column holds them: `|entry|entry|`."""
    return "|" + "".join(f"{entry}|" for entry in sorted(set(releasability)))


def _upsert_sql(dialect: Dialect, keep_this_run: bool) -> str:
    columns = _VARYING + _ENVELOPE
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    updates = ", ".join(f"{column} = excluded.{column}" for column in _REPLACED)
    only_older = " WHERE entity.import_run IS DISTINCT FROM excluded.import_run" if keep_this_run else ""
    return (
        f"INSERT INTO entity ({', '.join(columns)}) VALUES ({', '.join(marker for _ in columns)}) "
        f"ON CONFLICT (dataset, id) DO UPDATE SET {updates}{only_older}"
    )


def count_by_dataset_schema(session: Session, identity: Identity) -> dict[str, dict[str, int]]:
    """Counts of the entities the caller may read, per dataset and schema: `{dataset: {schema: count}}`."""
    counts: dict[str, dict[str, int]] = {}
    query = (
        select(EntityRow.dataset, EntityRow.schema, func.count())
        .where(readable(identity))
        .group_by(EntityRow.dataset, EntityRow.schema)
    )
    for dataset, schema, count in session.execute(query):
        counts.setdefault(dataset, {})[schema] = count
    return counts


def stored_entity(row: EntityRow) -> StoredEntity:
    """An entity row as the store hands it out."""
    # FollowTheMoney's model loads (half a second) with the first entity read, not with the store:
    # the commands that only count or list never pay for it. Once loaded, this import is a lookup.
    from followthemoney import model

    proxy = model.get_proxy(
        {"id": row.id, "schema": row.schema, "properties": row.properties, "datasets": [row.dataset]},
        cleaned=True,
    )
    envelope = Envelope(
        owner_agency=row.owner_agency,
        dataset=row.dataset,
        handling=Handling(row.handling),
        purpose=row.purpose,
        retention_review=row.retention_review,
        releasability=tuple(row.releasability),
    )
    return StoredEntity(proxy, envelope, row.provenance, row.created_at, row.updated_at)


def entities_by_id(session: Session, entity_id: str, identity: Identity) -> list[StoredEntity]:
    """Every dataset's copy of the entity with this id that the caller may read."""
    query = select(EntityRow).where(EntityRow.id == entity_id, readable(identity)).order_by(EntityRow.dataset)
    return [stored_entity(row) for row in session.scalars(query)]


def entities_by_ids(
    session: Session, entity_ids: Sequence[str], identity: Identity
) -> dict[str, list[StoredEntity]]:
    """The copies the caller may read of each of these entities, in one query; absent ids are left out."""
    found: dict[str, list[StoredEntity]] = {}
    if not entity_ids:
        return found
    query = (
        select(EntityRow)
        .where(EntityRow.id.in_(list(dict.fromkeys(entity_ids))), readable(identity))
        .order_by(EntityRow.id, EntityRow.dataset)
    )
    for row in session.scalars(query):
        found.setdefault(row.id, []).append(stored_entity(row))
    return found


def iter_dataset(
    session: Session, dataset: str, identity: Identity, batch: int = 1_000
) -> Iterator[StoredEntity]:
    """Stream the dataset's entities the caller may read, in id order, without loading it whole."""
    query = (
        select(EntityRow)
        .where(EntityRow.dataset == dataset, readable(identity))
        .order_by(EntityRow.id)
        .execution_options(yield_per=batch)
    )
    for row in session.scalars(query):
        yield stored_entity(row)


def readable_copies(
    session: Session, copies: Iterable[tuple[str, str]], identity: Identity
) -> set[tuple[str, str]]:
    """Which of these (dataset, id) copies the caller may read, in one query."""
    wanted = set(copies)
    if not wanted:
        return set()
    query = select(EntityRow.dataset, EntityRow.id).where(
        EntityRow.id.in_(sorted({entity_id for _dataset, entity_id in wanted})), readable(identity)
    )
    return {(dataset, entity_id) for dataset, entity_id in session.execute(query)} & wanted


def entity_in_dataset(
    session: Session, dataset: str, entity_id: str, identity: Identity
) -> StoredEntity | None:
    """One dataset's copy of an entity, if it exists and the caller may read it."""
    query = select(EntityRow).where(
        EntityRow.dataset == dataset, EntityRow.id == entity_id, readable(identity)
    )
    row = session.scalars(query).one_or_none()
    return None if row is None else stored_entity(row)


def page_dataset(
    session: Session, dataset: str, identity: Identity, limit: int, offset: int
) -> tuple[list[StoredEntity], int]:
    """One page, in id order, of the dataset's entities the caller may read, and how many there are."""
    condition = (EntityRow.dataset == dataset) & readable(identity)
    total = session.scalar(select(func.count()).select_from(EntityRow).where(condition)) or 0
    query = select(EntityRow).where(condition).order_by(EntityRow.id).limit(limit).offset(offset)
    return [stored_entity(row) for row in session.scalars(query)], total


def iter_run(session: Session, dataset: str, run_id: int, identity: Identity) -> Iterator[StoredEntity]:
    """The entities one import run wrote (still as it wrote them) that the caller may read."""
    query = (
        select(EntityRow)
        .where(EntityRow.dataset == dataset, EntityRow.import_run == run_id, readable(identity))
        .order_by(EntityRow.id)
        .execution_options(yield_per=1_000)
    )
    for row in session.scalars(query):
        yield stored_entity(row)
