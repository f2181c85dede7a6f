"""Takedown tracking: an operation's malicious IPs, domains and servers, from identified to taken
down or seized, with the share ended per country (Synergia II reported 76%).

Participants of the operation add targets and move them on; the agency that added a target, or
the operation's coordinating agency, answers for it. A target that ends (taken down or seized)
files its field result in the same transaction, so the operation's live tally moves with it.
A closed operation takes no more targets or steps. Every change and every list is audited.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from liaison.access import Action, may
from liaison.access.decision import TakedownFacts
from liaison.errors import BadInput, Conflict, Forbidden, NotFound
from liaison.model import Identity
from liaison.model.operation import ResultKind, country_code
from liaison.model.takedown import FINAL, Stage, Target, canonical_target, check_advance
from liaison.services.accounts import audit
from liaison.services.operations.operations import file_in, find
from liaison.store.operations import Operation
from liaison.store.tables import TakedownRow
from liaison.store.takedowns import (
    CountryShare,
    Takedown,
    add_takedown,
    country_shares,
    get_takedown,
    list_takedowns,
)

__all__ = ["add", "advance", "listing"]

_MAX_TEXT = 200
_RESULTS = {
    (Target.IP, Stage.TAKEN_DOWN): ResultKind.IP_TAKEN_DOWN,
    (Target.IP, Stage.SEIZED): ResultKind.SERVER_SEIZED,
    (Target.DOMAIN, Stage.TAKEN_DOWN): ResultKind.DOMAIN_TAKEN_DOWN,
    (Target.DOMAIN, Stage.SEIZED): ResultKind.DOMAIN_TAKEN_DOWN,
    (Target.SERVER, Stage.TAKEN_DOWN): ResultKind.IP_TAKEN_DOWN,
    (Target.SERVER, Stage.SEIZED): ResultKind.SERVER_SEIZED,
}
"""The field result an ended takedown files: a seized address is a seized server, a seized domain
is a domain taken down."""


def _may_act(identity: Identity, operation: Operation) -> None:
    decision = may(identity, Action.FILE, operation.facts)
    if not decision:
        raise Forbidden(decision.reason)
    if operation.closed_at is not None:
        raise Conflict(f"operation {operation.plan.name!r} was closed on {operation.closed_at:%Y-%m-%d}")


def _text(value: str, field: str, *, required: bool = False) -> str:
    text = value.strip()
    if required and not text:
        raise BadInput(f"field '{field}': required")
    if len(text) > _MAX_TEXT:
        raise BadInput(f"field '{field}': at most {_MAX_TEXT} characters")
    return text


def add(
    engine: Engine,
    identity: Identity,
    key: str,
    *,
    kind: str,
    value: str,
    country: str,
    provider: str,
    day: dt.date,
    note: str = "",
    now: dt.datetime,
) -> Takedown:
    """Add a target identified on `day` to an operation, in a country of the operation."""
    target, canonical = canonical_target(kind, value)
    code = country_code(country, "country")
    host = _text(provider, "provider", required=True)
    with Session(engine) as session, session.begin():
        operation = find(session, identity, key)
        _may_act(identity, operation)
        if code not in operation.plan.countries:
            raise BadInput(f"field 'country': {code.upper()} does not take part in {operation.plan.name}")
        held = session.scalar(
            select(TakedownRow.id).where(
                TakedownRow.operation == operation.operation_id,
                TakedownRow.kind == target.value,
                TakedownRow.value == canonical,
            )
        )
        if held is not None:
            raise Conflict(f"{canonical} is already takedown #{held} of {operation.plan.name}")
        made = add_takedown(
            session,
            TakedownRow(
                operation=operation.operation_id,
                kind=target.value,
                value=canonical,
                country=code,
                provider=host,
                stage=Stage.IDENTIFIED.value,
                agency=identity.agency or operation.agency,
                notified_to="",
                identified_on=day,
                note=_text(note, "note"),
                created_by=identity.actor,
                updated_at=now,
            ),
        )
        audit.record(
            session,
            identity,
            "takedown.add",
            f"operation:{operation.operation_id}",
            now=now,
            detail={"takedown": made.takedown_id, "kind": target.value, "value": canonical},
        )
        return made


def advance(
    engine: Engine,
    identity: Identity,
    takedown_id: int,
    *,
    stage: str,
    day: dt.date,
    notified_to: str = "",
    note: str = "",
    now: dt.datetime,
) -> Takedown:
    """Move a takedown on to `stage` on `day`; an ending stage files the operation's field result."""
    with Session(engine) as session, session.begin():
        row = get_takedown(session, takedown_id, lock=True)
        if row is None:
            raise NotFound(f"no takedown #{takedown_id}")
        operation = find(session, identity, row.operation)
        _may_act(identity, operation)
        if not may(identity, Action.WRITE, TakedownFacts(row.agency, operation.agency)):
            raise Forbidden(
                f"takedown #{takedown_id} is {row.agency}'s, or the coordinators' ({operation.agency})"
            )
        new = check_advance(Stage(row.stage), stage)
        if day < row.identified_on:
            raise BadInput(f"field 'day': {day} is before the target was identified ({row.identified_on})")
        if new is Stage.NOTIFIED:
            row.notified_to = _text(notified_to, "notified_to", required=True)
            row.notified_on = day
        if new in FINAL:
            row.ended_on = day
            file_in(
                session,
                identity,
                operation,
                kind=_RESULTS[(Target(row.kind), new)].value,
                count=1,
                country=row.country,
                day=day,
                note=f"takedown #{row.id}: {row.value}",
                source=f"takedown:{row.id}",
                now=now,
            )
        row.stage = new.value
        row.updated_at = now
        if note.strip():
            row.note = "\n".join(part for part in (row.note, _text(note, "note")) if part)
        audit.record(
            session,
            identity,
            "takedown.advance",
            f"operation:{operation.operation_id}",
            now=now,
            detail={"takedown": row.id, "stage": new.value},
        )
        session.flush()
        (found,) = [
            item for item in list_takedowns(session, operation.operation_id) if item.takedown_id == row.id
        ]
        return found


def listing(
    engine: Engine, identity: Identity, key: str, now: dt.datetime, stage: str | None = None
) -> tuple[Operation, list[Takedown], list[CountryShare]]:
    """An operation's targets (at one stage, if asked) and the share ended per country; audited."""
    try:
        wanted = Stage(stage) if stage else None
    except ValueError:
        raise BadInput(f"field 'stage': use one of {', '.join(Stage)}") from None
    with Session(engine) as session, session.begin():
        operation = find(session, identity, key)
        found = list_takedowns(session, operation.operation_id, wanted)
        shares = country_shares(session, operation.operation_id)
        audit.record(
            session,
            identity,
            "takedown.list",
            f"operation:{operation.operation_id}",
            now=now,
            detail={"takedowns": len(found)},
        )
        return operation, found, shares
