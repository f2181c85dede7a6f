"""Wildlife seizures as stored beside their records, and the trends and routes counted from them.

Every count joins the seizure to its record and keeps only records the caller may read, so a
trend is the sum of what the caller could list. Counting happens in the database: grouped by
year and one dimension, or by route leg, whatever the number of seizures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any, Literal, TypeVarTuple

import orjson
from sqlalchemy import ColumnElement, Connection, Select, delete, func, select
from sqlalchemy.orm import Session

from liaison.model import Identity
from liaison.model.seizure import SeizureReport
from liaison.store.access import readable
from liaison.store.derived import replace_derived
from liaison.store.tables import EntityRow, SeizureLegRow, SeizureRow

__all__ = [
    "Dimension",
    "SeizureFilter",
    "TrendRow",
    "delete_seizure",
    "readable_seizures",
    "route_legs",
    "trends",
    "write_seizures",
]

Dimension = Literal["species", "country", "commodity"]
_DIMENSIONS: dict[str, Any] = {
    "species": SeizureRow.taxon_id,
    "country": SeizureRow.country,
    "commodity": SeizureRow.commodity,
}


@dataclass(frozen=True, slots=True)
class SeizureFilter:
    """Which seizures to count: taxa (a genus given as its taxa), countries, commodities, years."""

    taxa: tuple[int, ...] = ()
    countries: tuple[str, ...] = ()
    commodities: tuple[str, ...] = ()
    since: int | None = None
    until: int | None = None
    datasets: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class TrendRow:
    """Seizures of one year and one value of the dimension: how many, kilograms, individuals."""

    year: int
    key: str
    seizures: int
    weight_kg: float
    individuals: float


def write_seizures(
    connection: Connection,
    dataset: str,
    seizures: Sequence[tuple[str, SeizureReport, int]],
    run_id: int,
) -> None:
    """Store (record id, seizure, taxon) rows and their route legs; earlier runs' rows of these records go."""
    ids = [entity_id for entity_id, _report, _taxon in seizures]
    rows = [
        (
            dataset,
            entity_id,
            report.day,
            report.year,
            report.country,
            report.location,
            taxon,
            report.species,
            report.commodity.value,
            report.quantity,
            report.unit,
            report.weight_kg,
            report.individuals,
            report.concealment,
            list(report.route),
            run_id,
        )
        for entity_id, report, taxon in seizures
    ]
    legs = [
        (dataset, entity_id, position, source, target, run_id)
        for entity_id, report, _taxon in seizures
        for position, (source, target) in enumerate(pairwise(report.route))
    ]
    replace_derived(
        connection, SeizureRow, SeizureRow.entity_id, dataset, ids, run_id, _bound(connection, rows)
    )
    replace_derived(connection, SeizureLegRow, SeizureLegRow.entity_id, dataset, ids, run_id, legs)


def _bound(connection: Connection, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    # The raw driver insert takes dates and JSON as the backend wants them.

    sqlite = connection.dialect.name == "sqlite"
    return [
        tuple(
            orjson.dumps(value).decode()
            if isinstance(value, list)
            else value.isoformat()
            if sqlite and isinstance(value, dt.date)
            else value
            for value in row
        )
        for row in rows
    ]


def delete_seizure(session: Session, dataset: str, entity_id: str) -> None:
    """Forget a deleted record's seizure and route."""
    for table in (SeizureRow, SeizureLegRow):
        session.execute(delete(table).where(table.dataset == dataset, table.entity_id == entity_id))


def _conditions(wanted: SeizureFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.taxa:
        conditions.append(SeizureRow.taxon_id.in_(wanted.taxa))
    if wanted.countries:
        conditions.append(SeizureRow.country.in_(wanted.countries))
    if wanted.commodities:
        conditions.append(SeizureRow.commodity.in_(wanted.commodities))
    if wanted.since is not None:
        conditions.append(SeizureRow.year >= wanted.since)
    if wanted.until is not None:
        conditions.append(SeizureRow.year <= wanted.until)
    if wanted.datasets:
        conditions.append(SeizureRow.dataset.in_(wanted.datasets))
    return conditions


Columns = TypeVarTuple("Columns")


def _readable(query: Select[*Columns], identity: Identity) -> Select[*Columns]:
    on = (EntityRow.dataset == SeizureRow.dataset) & (EntityRow.id == SeizureRow.entity_id)
    return query.join(EntityRow, on).where(readable(identity))


def trends(session: Session, identity: Identity, by: Dimension, wanted: SeizureFilter) -> list[TrendRow]:
    """Readable seizures per year and value of `by` (taxa as ids), in year then value order."""
    column = _DIMENSIONS[by]
    query = select(
        SeizureRow.year,
        column,
        func.count(),
        func.coalesce(func.sum(SeizureRow.weight_kg), 0.0),
        func.coalesce(func.sum(SeizureRow.individuals), 0.0),
    )
    query = _readable(query, identity).where(*_conditions(wanted)).group_by(SeizureRow.year, column)
    return [
        TrendRow(int(year), str(key), int(count), float(weight), float(individuals))
        for year, key, count, weight, individuals in session.execute(query.order_by(SeizureRow.year, column))
    ]


def route_legs(
    session: Session, identity: Identity, wanted: SeizureFilter, limit: int
) -> list[tuple[str, str, int]]:
    """The legs readable seizures travelled, most travelled first: (from, to, seizures)."""
    on = (SeizureLegRow.dataset == SeizureRow.dataset) & (SeizureLegRow.entity_id == SeizureRow.entity_id)
    query = select(SeizureLegRow.source, SeizureLegRow.target, func.count()).join(SeizureRow, on)
    query = _readable(query, identity).where(*_conditions(wanted))
    query = query.group_by(SeizureLegRow.source, SeizureLegRow.target).order_by(
        func.count().desc(), SeizureLegRow.source, SeizureLegRow.target
    )
    return [
        (str(source), str(target), int(count))
        for source, target, count in session.execute(query.limit(limit))
    ]


def readable_seizures(session: Session, identity: Identity, dataset: str) -> list[SeizureRow]:
    """The dataset's seizures the caller may read, whatever their number (duplicate search reads them all)."""
    query = _readable(select(SeizureRow), identity).where(SeizureRow.dataset == dataset)
    return list(session.scalars(query))
