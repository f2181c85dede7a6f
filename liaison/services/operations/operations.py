"""Coordinated operations: a coordinator plans one, participants file field results, all watch the tally.

Who may do what: coordinators (and the operator) create operations and close their own agency's;
participants' analysts, officers, first responders, coordinators and admins file results; every
participant reads the operation, its results and its tally. Victims' details are RED: only the
filing agency reads them, though everyone counts them. Every move and read is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access import Action, Kind, OperationFacts, ResultFacts, may
from liaison.access.decision import rule
from liaison.errors import BadInput, Conflict, Forbidden, NotFound
from liaison.model import Handling, Identity
from liaison.model.operation import (
    VICTIM_KINDS,
    FieldReport,
    OperationPlan,
    OperationStatus,
    ResultKind,
    Seizure,
    Tally,
    status_on,
)
from liaison.services.accounts import audit
from liaison.store import operations as operation_store
from liaison.store.operations import FieldResult, Operation

__all__ = [
    "MAX_RESULTS_PAGE",
    "close",
    "create",
    "file_in",
    "file_result",
    "find",
    "get",
    "last_result",
    "list_operations",
    "may_read_detail",
    "results",
    "status",
    "tally",
    "view",
    "view_result",
]

MAX_RESULTS_PAGE = 1_000


def status(operation: Operation, today: dt.date) -> OperationStatus:
    """Where the operation stands today."""
    return status_on(operation.plan.starts, operation.plan.ends, operation.closed_at is not None, today)


def create(engine: Engine, identity: Identity, plan: OperationPlan, now: dt.datetime) -> Operation:
    """A new operation coordinated by the caller's agency; its agencies and watchlists must exist."""
    decision = may(identity, Action.PLAN, OperationFacts(identity.agency or "", frozenset(plan.agencies)))
    if not decision:
        raise Forbidden(decision.reason)
    with Session(engine) as session, session.begin():
        known = {agency.code for agency in store.list_agencies(session)}
        unknown = [code for code in plan.agencies if code not in known]
        if unknown:
            raise BadInput(f"field 'agencies': no agency {', '.join(unknown)}; `liaison agencies` lists them")
        datasets = {summary.name for summary in store.list_datasets(session, identity)}
        missing = [name for name in plan.watchlists if name not in datasets]
        if missing:
            raise BadInput(
                f"field 'watchlists': no dataset {', '.join(missing)}; `liaison datasets` lists them"
            )
        if operation_store.name_taken(session, plan.name):
            raise Conflict(f"an operation named {plan.name!r} exists; choose another name")
        agency = identity.agency or plan.agencies[0]
        operation = operation_store.add_operation(session, plan, agency, identity.actor, now)
        audit.record(
            session,
            identity,
            "operation.create",
            f"operation:{operation.operation_id}",
            now=now,
            detail={"name": plan.name, "agencies": list(plan.agencies), "countries": list(plan.countries)},
        )
        return operation


def find(session: Session, identity: Identity, key: str, *, lock: bool = False) -> Operation:
    """The operation by id or name in the caller's session; NotFound unless the caller takes part."""
    found = operation_store.get_operation(session, key, identity, lock=lock)
    if found is None:
        raise NotFound(f"no operation {key[:80]!r} of yours; `liaison operation list` lists them")
    return found


def get(engine: Engine, identity: Identity, key: str, now: dt.datetime) -> Operation:
    """The operation by id or name, if the caller takes part in it; audited."""
    with Session(engine) as session, session.begin():
        operation = find(session, identity, key)
        audit.record(session, identity, "operation.read", f"operation:{operation.operation_id}", now=now)
        return operation


def list_operations(engine: Engine, identity: Identity) -> list[Operation]:
    """The operations the caller's agency coordinates or takes part in."""
    if not rule(identity, Action.READ, Kind.OPERATION):
        raise Forbidden("sign in to see operations")
    with Session(engine) as session:
        return operation_store.list_operations(session, identity)


def close(engine: Engine, identity: Identity, key: str, now: dt.datetime) -> Operation:
    """Close an operation: its coordinating agency's coordinators (or the operator) may."""
    with Session(engine) as session, session.begin():
        operation = find(session, identity, key, lock=True)
        decision = may(identity, Action.CLOSE, operation.facts)
        if not decision:
            raise Forbidden(decision.reason)
        if operation.closed_at is not None:
            raise Conflict(f"operation {operation.plan.name!r} was closed on {operation.closed_at:%Y-%m-%d}")
        operation_store.close_operation(session, operation.operation_id, now)
        audit.record(session, identity, "operation.close", f"operation:{operation.operation_id}", now=now)
        return find(session, identity, operation.operation_id)


def file_result(
    engine: Engine,
    identity: Identity,
    key: str,
    *,
    kind: str,
    count: int,
    country: str,
    day: dt.date,
    checkpoint: str | None = None,
    entities: Sequence[str] = (),
    seizure: Seizure | None = None,
    note: str = "",
    source: str = "api",
    now: dt.datetime,
) -> FieldResult:
    """File a field result for the caller's agency; refused once the operation is closed."""
    with Session(engine) as session, session.begin():
        operation = find(session, identity, key)
        return file_in(
            session,
            identity,
            operation,
            kind=kind,
            count=count,
            country=country,
            day=day,
            checkpoint=checkpoint,
            entities=entities,
            seizure=seizure,
            note=note,
            source=source,
            now=now,
        )


def file_in(
    session: Session,
    identity: Identity,
    operation: Operation,
    *,
    kind: str,
    count: int,
    country: str,
    day: dt.date,
    checkpoint: str | None = None,
    entities: Sequence[str] = (),
    seizure: Seizure | None = None,
    note: str = "",
    source: str,
    now: dt.datetime,
) -> FieldResult:
    """File a field result in the caller's transaction (a manifest files its counts with its own)."""
    decision = may(identity, Action.FILE, operation.facts)
    if not decision:
        raise Forbidden(decision.reason)
    if operation.closed_at is not None:
        raise Conflict(
            f"operation {operation.plan.name!r} was closed on {operation.closed_at:%Y-%m-%d}; "
            "it takes no more results"
        )
    report = FieldReport.parse(
        operation.plan,
        kind,
        count,
        country,
        day,
        checkpoint=checkpoint,
        entities=entities,
        seizure=seizure,
        note=note,
    )
    handling = Handling.RED if report.kind in VICTIM_KINDS else Handling.AMBER
    agency = identity.agency or operation.agency
    result = operation_store.add_result(
        session,
        operation.operation_id,
        report,
        agency=agency,
        by=identity.actor,
        handling=handling.value,
        source=source,
        now=now,
    )
    audit.record(
        session,
        identity,
        "operation.result",
        f"operation:{operation.operation_id}",
        now=now,
        detail={"result": result.result_id, "kind": report.kind.value, "count": report.count},
    )
    return result


def results(
    engine: Engine,
    identity: Identity,
    key: str,
    now: dt.datetime,
    *,
    after: int = 0,
    limit: int = MAX_RESULTS_PAGE,
    kinds: Sequence[str] = (),
    newest_first: bool = False,
) -> tuple[Operation, list[FieldResult]]:
    """The operation's field results after a result id, oldest first (or the latest first); audited."""
    try:
        wanted = [ResultKind(kind) for kind in kinds]
    except ValueError:
        raise BadInput(f"field 'kind': use any of {', '.join(ResultKind)}") from None
    with Session(engine) as session, session.begin():
        operation = find(session, identity, key)
        found = operation_store.list_results(
            session,
            operation.operation_id,
            after=after,
            limit=min(limit, MAX_RESULTS_PAGE),
            kinds=wanted,
            newest_first=newest_first,
        )
        audit.record(
            session,
            identity,
            "operation.results",
            f"operation:{operation.operation_id}",
            now=now,
            detail={"after": after, "results": len(found)},
        )
        return operation, found


def tally(engine: Engine, identity: Identity, key: str) -> tuple[Operation, Tally]:
    """The operation's live tally: sums only, so no detail of anyone's result is shown."""
    with Session(engine) as session:
        operation = find(session, identity, key)
        return operation, operation_store.tally(session, operation.operation_id)


def last_result(engine: Engine, identity: Identity, key: str) -> int:
    """The id of the operation's latest result: a cheap check for whether the tally moved."""
    with Session(engine) as session:
        operation = find(session, identity, key)
        return operation_store.last_result_id(session, operation.operation_id)


def may_read_detail(result: FieldResult, identity: Identity) -> bool:
    """Whether the caller reads a result's note, seizure and linked entities: victims' are RED."""
    return bool(may(identity, Action.READ, ResultFacts(result.agency, Handling(result.handling))))


def view(operation: Operation, today: dt.date) -> dict[str, object]:
    """An operation as the API and CLI show it."""
    plan = operation.plan
    return {
        "id": operation.operation_id,
        "name": plan.name,
        "area": plan.area.value,
        "starts": plan.starts.isoformat(),
        "ends": plan.ends.isoformat(),
        "status": status(operation, today).value,
        "agency": operation.agency,
        "agencies": list(plan.agencies),
        "countries": list(plan.countries),
        "objectives": plan.objectives,
        "watchlists": list(plan.watchlists),
        "checkpoints": [checkpoint.to_dict() for checkpoint in plan.checkpoints],
        "created_by": operation.created_by,
        "created_at": operation.created_at.isoformat(),
        "closed_at": operation.closed_at.isoformat() if operation.closed_at else None,
    }


def view_result(result: FieldResult, identity: Identity) -> dict[str, object]:
    """A field result as the caller may see it: a RED result's details stay with its agency."""
    report = result.report
    shown = may_read_detail(result, identity)
    return {
        "id": result.result_id,
        "kind": report.kind.value,
        "count": report.count,
        "country": report.country,
        "day": report.day.isoformat(),
        "checkpoint": report.checkpoint,
        "agency": result.agency,
        "filed_by": result.filed_by,
        "filed_at": result.filed_at.isoformat(),
        "handling": result.handling,
        "source": result.source,
        "entities": list(report.entities) if shown else [],
        "seizure": report.seizure.to_dict() if shown and report.seizure else None,
        "note": report.note if shown else "",
        "withheld": not shown,
    }
