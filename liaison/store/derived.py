"""Rows derived from the entities of an import run (links, observables), replaced run by run."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete
from sqlalchemy.orm import InstrumentedAttribute

from liaison.store.tables import (
    EntityLinkRow,
    ObservableRow,
    SeizureLegRow,
    SeizureRow,
    TraffickingCaseRow,
    TraffickingVictimRow,
)

__all__ = ["replace_derived"]

# Bound parameters per statement: well under SQLite's and PostgreSQL's limits.
_CHUNK = 5_000


def replace_derived(
    connection: Connection,
    table: type[EntityLinkRow]
    | type[ObservableRow]
    | type[SeizureRow]
    | type[SeizureLegRow]
    | type[TraffickingCaseRow]
    | type[TraffickingVictimRow],
    owner: InstrumentedAttribute[str],
    dataset: str,
    owners: Sequence[str],
    run_id: int,
    rows: Sequence[tuple[object, ...]],
) -> None:
    """Rows of entities just written: their rows of earlier runs go, this run's add up.

    `owner` is the column naming the entity a row derives from; `rows` are whole rows in the
    table's column order. Fragments of one entity in one run give a row twice: the first stands.
    """
    for start in range(0, len(owners), _CHUNK):
        connection.execute(
            delete(table).where(
                table.dataset == dataset,
                owner.in_(owners[start : start + _CHUNK]),
                table.import_run.is_distinct_from(run_id),
            )
        )
    if rows:
        marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        columns = [column.name for column in table.__table__.columns]
        connection.exec_driver_sql(
            f"INSERT INTO {table.__tablename__} ({', '.join(columns)}) "
            f"VALUES ({', '.join([marker] * len(columns))}) ON CONFLICT DO NOTHING",
            list(rows),
        )
