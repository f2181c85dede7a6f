"""Operations and their field results: rows, the one query deciding who sees which, and the tally.

An operation is seen by its coordinating agency and its participants (and the operator); to
anyone else it does not exist. The tally is summed by the database, grouped by country, day
and kind, so it costs the same whether a hundred or a million results were filed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind, OperationFacts
from liaison.model import Identity
from liaison.model.operation import (
    Checkpoint,
    CrimeArea,
    FieldReport,
    OperationPlan,
    ResultKind,
    Seizure,
    Tally,
    TallyCell,
)
from liaison.store.access import where
from liaison.store.tables import FieldResultRow, OperationRow

__all__ = [
    "FieldResult",
    "Operation",
    "add_operation",
    "add_result",
    "close_operation",
    "get_operation",
    "last_result_id",
    "list_operations",
    "list_results",
    "name_taken",
    "tally",
]


@dataclass(frozen=True, slots=True)
class Operation:
    """An operation as stored: its plan, coordinating agency, and when it was closed."""

    operation_id: str
    plan: OperationPlan
    agency: str
    created_by: str
    created_at: dt.datetime
    closed_at: dt.datetime | None

    @property
    def facts(self) -> OperationFacts:
        """What the access decision reads of the operation."""
        return OperationFacts(self.agency, frozenset(self.plan.agencies))

    def takes_part(self, agency: str | None) -> bool:
        """Whether an agency coordinates or takes part in the operation."""
        return agency is not None and (agency == self.agency or agency in self.plan.agencies)


@dataclass(frozen=True, slots=True)
class FieldResult:
    """A field result as stored, with who filed it, when, and from where (API, CLI, web, manifest)."""

    result_id: int
    operation_id: str
    report: FieldReport
    agency: str
    filed_by: str
    filed_at: dt.datetime
    handling: str
    source: str


def _operation(row: OperationRow) -> Operation:
    checkpoints = tuple(
        Checkpoint.parse(
            str(item["code"]),
            str(item["name"]),
            str(item["kind"]),
            str(item["country"]),
            [str(value) for value in item.get("monitored") or []],  # type: ignore[attr-defined]
        )
        for item in row.checkpoints
    )
    plan = OperationPlan(
        row.name,
        CrimeArea(row.area),
        row.starts_on,
        row.ends_on,
        tuple(row.agencies),
        tuple(row.countries),
        row.objectives,
        tuple(row.watchlists),
        checkpoints,
    )
    return Operation(row.id, plan, row.agency, row.created_by, row.created_at, row.closed_at)


def _visible(identity: Identity) -> ColumnElement[bool]:
    return where(identity, Action.READ, Kind.OPERATION)


def add_operation(session: Session, plan: OperationPlan, agency: str, by: str, now: dt.datetime) -> Operation:
    """A new operation coordinated by `agency`."""
    row = OperationRow(
        id=f"op_{secrets.token_hex(6)}",
        name=plan.name,
        area=plan.area.value,
        starts_on=plan.starts,
        ends_on=plan.ends,
        agency=agency,
        created_by=by,
        agencies=list(plan.agencies),
        countries=list(plan.countries),
        objectives=plan.objectives,
        watchlists=list(plan.watchlists),
        checkpoints=[checkpoint.to_dict() for checkpoint in plan.checkpoints],
        created_at=now,
        closed_at=None,
    )
    session.add(row)
    session.flush()
    return _operation(row)


def name_taken(session: Session, name: str) -> bool:
    """Whether an operation already has this name (names are unique across the installation)."""
    return session.scalar(select(OperationRow.id).where(OperationRow.name == name)) is not None


def get_operation(session: Session, key: str, identity: Identity, *, lock: bool = False) -> Operation | None:
    """The operation with this id or name, if the caller may see it."""
    query = select(OperationRow).where(
        or_(OperationRow.id == key, OperationRow.name == key), _visible(identity)
    )
    row = session.scalars(query.with_for_update() if lock else query).first()
    return None if row is None else _operation(row)


def list_operations(session: Session, identity: Identity) -> list[Operation]:
    """The operations the caller may see, latest start first."""
    query = (
        select(OperationRow)
        .where(_visible(identity))
        .order_by(OperationRow.starts_on.desc(), OperationRow.id)
    )
    return [_operation(row) for row in session.scalars(query)]


def close_operation(session: Session, operation_id: str, now: dt.datetime) -> None:
    """Close an operation: no result may be filed after this."""
    row = session.get(OperationRow, operation_id)
    if row is None:
        raise LookupError(operation_id)
    row.closed_at = now
    session.flush()


def add_result(
    session: Session,
    operation_id: str,
    report: FieldReport,
    *,
    agency: str,
    by: str,
    handling: str,
    source: str,
    now: dt.datetime,
) -> FieldResult:
    """File one field result."""
    detail: dict[str, Any] = {"note": report.note}
    if report.seizure is not None:
        detail["seizure"] = report.seizure.to_dict()
    row = FieldResultRow(
        operation=operation_id,
        kind=report.kind.value,
        count=report.count,
        country=report.country,
        day=report.day,
        checkpoint=report.checkpoint,
        agency=agency,
        filed_by=by,
        filed_at=now,
        entities=list(report.entities),
        detail=detail,
        handling=handling,
        source=source[:200],
    )
    session.add(row)
    session.flush()
    return _result(row)


def _result(row: FieldResultRow) -> FieldResult:
    seizure = row.detail.get("seizure")
    report = FieldReport(
        ResultKind(row.kind),
        row.count,
        row.country,
        row.day,
        row.checkpoint,
        tuple(row.entities),
        Seizure(**seizure) if isinstance(seizure, dict) else None,
        str(row.detail.get("note") or ""),
    )
    return FieldResult(
        row.id, row.operation, report, row.agency, row.filed_by, row.filed_at, row.handling, row.source
    )


def list_results(
    session: Session,
    operation_id: str,
    *,
    after: int = 0,
    limit: int | None = None,
    kinds: Sequence[ResultKind] = (),
    newest_first: bool = False,
) -> list[FieldResult]:
    """The operation's results after a result id, in the order they were filed (or the latest first)."""
    query = select(FieldResultRow).where(FieldResultRow.operation == operation_id, FieldResultRow.id > after)
    if kinds:
        query = query.where(FieldResultRow.kind.in_([kind.value for kind in kinds]))
    query = query.order_by(FieldResultRow.id.desc() if newest_first else FieldResultRow.id)
    if limit is not None:
        query = query.limit(limit)
    return [_result(row) for row in session.scalars(query)]


def last_result_id(session: Session, operation_id: str) -> int:
    """The id of the operation's latest result, 0 before the first."""
    found = session.scalar(
        select(func.max(FieldResultRow.id)).where(FieldResultRow.operation == operation_id)
    )
    return int(found or 0)


def tally(session: Session, operation_id: str) -> Tally:
    """The operation's results summed by country, day and kind, with how many results each sum holds."""
    last = last_result_id(session, operation_id)
    query = (
        select(
            FieldResultRow.country,
            FieldResultRow.day,
            FieldResultRow.kind,
            func.sum(FieldResultRow.count),
            func.count(FieldResultRow.id),
        )
        .where(FieldResultRow.operation == operation_id, FieldResultRow.id <= last)
        .group_by(FieldResultRow.country, FieldResultRow.day, FieldResultRow.kind)
    )
    cells = [
        TallyCell(country, day, ResultKind(kind), int(total or 0), int(results))
        for country, day, kind, total, results in session.execute(query)
    ]
    return Tally.of(cells, last)
