"""Trafficking case and victim facts as stored beside their records, and the cells counted from them.

Every count joins the facts to their record and keeps only records the caller may read: case
facts to the case, victim facts to the victim's own record (RED by default), so a victim is
counted only by those who may read them. Grouping happens in the database; suppressing small
cells is the caller's next step, never skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import Connection, delete, distinct, func, select
from sqlalchemy.orm import Session

from liaison.model import Identity
from liaison.model.trafficking import CaseFacts, VictimFacts
from liaison.store.access import readable
from liaison.store.derived import replace_derived
from liaison.store.tables import EntityRow, TraffickingCaseRow, TraffickingVictimRow

__all__ = [
    "CASE_DIMENSIONS",
    "CASE_MEASURES",
    "VICTIM_DIMENSIONS",
    "CaseMeasure",
    "case_cells",
    "delete_trafficking",
    "victim_cells",
    "write_cases",
    "write_victims",
]

CaseMeasure = Literal["cases", "victims", "minors", "defendants"]
CASE_DIMENSIONS: dict[str, Any] = {
    "year": TraffickingCaseRow.year,
    "country": TraffickingCaseRow.country,
    "region": TraffickingCaseRow.region,
}
CASE_MEASURES: dict[str, Any] = {
    "cases": func.count(),
    "victims": func.sum(TraffickingCaseRow.victims),
    "minors": func.sum(TraffickingCaseRow.minors),
    "defendants": func.sum(TraffickingCaseRow.defendants),
}
VICTIM_DIMENSIONS: dict[str, Any] = {
    "year": TraffickingVictimRow.year,
    "country": TraffickingVictimRow.country,
    "exploitation": TraffickingVictimRow.exploitation,
    "gender": TraffickingVictimRow.gender,
    "age_band": TraffickingVictimRow.age_band,
}


def write_cases(
    connection: Connection, dataset: str, cases: Sequence[tuple[str, CaseFacts]], run_id: int
) -> None:
    """Store (case record id, facts) rows; earlier runs' rows of these records go."""
    rows = [
        (dataset, entity_id, f.year, f.country, f.region, f.victims, f.minors, f.defendants, run_id)
        for entity_id, f in cases
    ]
    ids = [entity_id for entity_id, _facts in cases]
    replace_derived(connection, TraffickingCaseRow, TraffickingCaseRow.entity_id, dataset, ids, run_id, rows)


def write_victims(
    connection: Connection, dataset: str, victims: Sequence[tuple[str, str, VictimFacts]], run_id: int
) -> None:
    """Store (victim record id, case record id, facts) as one row per type of exploitation."""
    rows = [
        (dataset, entity_id, kind, case_id, f.year, f.country, f.gender, f.age_band, run_id)
        for entity_id, case_id, f in victims
        for kind in f.exploitation or ("unknown",)
    ]
    ids = [entity_id for entity_id, _case, _facts in victims]
    replace_derived(
        connection, TraffickingVictimRow, TraffickingVictimRow.entity_id, dataset, ids, run_id, rows
    )


def delete_trafficking(session: Session, dataset: str, entity_id: str) -> None:
    """Forget a deleted record's case or victim facts."""
    for table in (TraffickingCaseRow, TraffickingVictimRow):
        session.execute(delete(table).where(table.dataset == dataset, table.entity_id == entity_id))


def _key(values: Sequence[object]) -> tuple[str, ...]:
    return tuple("unknown" if value in (None, "") else str(value) for value in values)


def case_cells(
    session: Session, identity: Identity, by: Sequence[str], measure: CaseMeasure
) -> dict[tuple[str, ...], int]:
    """The measure over readable cases, per combination of the `by` dimensions (one at least)."""
    columns = [CASE_DIMENSIONS[name] for name in by]
    on = (EntityRow.dataset == TraffickingCaseRow.dataset) & (EntityRow.id == TraffickingCaseRow.entity_id)
    query = (
        select(*columns, CASE_MEASURES[measure])
        .join(EntityRow, on)
        .where(readable(identity))
        .group_by(*columns)
    )
    return {_key(row[:-1]): int(row[-1] or 0) for row in session.execute(query)}


def victim_cells(session: Session, identity: Identity, by: Sequence[str]) -> dict[tuple[str, ...], int]:
    """Readable victims per combination of the `by` dimensions; a victim counts once per cell."""
    columns = [VICTIM_DIMENSIONS[name] for name in by]
    on = (EntityRow.dataset == TraffickingVictimRow.dataset) & (
        EntityRow.id == TraffickingVictimRow.entity_id
    )
    victim = TraffickingVictimRow.dataset + ":" + TraffickingVictimRow.entity_id
    query = (
        select(*columns, func.count(distinct(victim)))
        .join(EntityRow, on)
        .where(readable(identity))
        .group_by(*columns)
    )
    return {_key(row[:-1]): int(row[-1]) for row in session.execute(query)}
