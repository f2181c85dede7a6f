"""Entities written and read one at a time, through the API: create, read, update, list.

A write is an import of one entity: the same checks (FtM schema and values, releasability that
names known agencies, groups and users), the same transaction and the same audit, under the
caller's agency. Reads go through the store's access filter; a record the caller may not read
is reported as absent, exactly as one that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.decision import Action, DatasetFacts, may
from liaison.errors import BadInput, Conflict, Forbidden, NotFound
from liaison.ingest import Record
from liaison.ingest.ftm import entity_from_dict
from liaison.model import Envelope, Handling, Identity, parse_release
from liaison.services.accounts import audit
from liaison.services.sharing.imports import check_writable, check_writes_for, write_records
from liaison.services.sharing.landed import landed
from liaison.store import StoredEntity

__all__ = ["Handled", "create", "page", "read", "update"]

MAX_PAGE = 500
_SOURCE = "request"


@dataclass(frozen=True, slots=True)
class Handled:
    """How a write wants its record handled; None keeps what the record had (updates only)."""

    handling: str | None = None
    releasability: Sequence[str] | None = None
    purpose: str | None = None
    retention_review: dt.date | None = None


def _writer(identity: Identity, owner: str | None = None) -> None:
    """Refuse unless the caller may write records of `owner` (their own agency's when None)."""
    decision = may(identity, Action.WRITE, DatasetFacts(owner or identity.agency or ""))
    if not decision:
        raise Forbidden(decision.reason)


def _envelope(
    dataset: str, owner: str, handled: Handled, base: Envelope | None, retention_years: int, now: dt.datetime
) -> Envelope:
    try:
        handling = Handling.parse(handled.handling) if handled.handling is not None else None
    except ValueError as exc:
        raise BadInput(f"field 'handling': {exc}") from exc
    try:
        releasability = (
            tuple(dict.fromkeys(parse_release(entry) for entry in handled.releasability))
            if handled.releasability is not None
            else None
        )
    except ValueError as exc:
        raise BadInput(f"field 'releasability': {exc}") from exc
    if base is None and handling is None:
        raise BadInput("field 'handling': required; one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED")
    default_review = now.date().replace(year=now.year + retention_years)
    return Envelope(
        owner_agency=owner,
        dataset=dataset,
        handling=handling or (base.handling if base else Handling.RED),
        purpose=handled.purpose if handled.purpose is not None else (base.purpose if base else ""),
        retention_review=handled.retention_review or (base.retention_review if base else default_review),
        releasability=releasability if releasability is not None else (base.releasability if base else ()),
    )


def create(
    engine: Engine,
    identity: Identity,
    dataset: str,
    data: Mapping[str, Any],
    handled: Handled,
    *,
    now: dt.datetime,
    retention_years: int,
    agency: str | None = None,
) -> StoredEntity:
    """Add a new entity to a dataset of the caller's agency (created if new); Conflict if the id is taken.

    The dataset is checked before the id, so that a member learns nothing of another agency's
    dataset (`imports.check_writable`). The operator writes for the agency named by `agency`, or
    the dataset's owner.
    """
    _writer(identity)
    proxy = entity_from_dict(dict(data), _SOURCE, "entity")
    with Session(engine) as session, session.begin():
        owner = _owner(session, identity, dataset, agency)
        envelope = _envelope(dataset, owner, handled, None, retention_years, now)
        check_writable(session, identity, dataset)
        if store.entity_in_dataset(session, dataset, str(proxy.id), Identity.operator()) is not None:
            raise Conflict(f"entity {proxy.id!r} already exists in dataset {dataset!r}; update it instead")
        run_id = _write(session, identity, proxy, envelope, "entity.create", now)
        stored = _stored(session, dataset, str(proxy.id))
    landed(engine, dataset, run_id, now)
    return stored


def update(
    engine: Engine,
    identity: Identity,
    dataset: str,
    entity_id: str,
    data: Mapping[str, Any],
    handled: Handled,
    *,
    now: dt.datetime,
    retention_years: int,
) -> StoredEntity:
    """Replace an entity's properties, and any part of its envelope given; its agency's users only."""
    _writer(identity)
    proxy = entity_from_dict({**data, "id": entity_id}, _SOURCE, "entity")
    with Session(engine) as session, session.begin():
        current = store.entity_in_dataset(session, dataset, entity_id, identity)
        if current is None:
            raise NotFound(f"no entity {entity_id!r} in dataset {dataset!r}")
        owner = current.envelope.owner_agency
        _writer(identity, owner)
        if proxy.schema.name != current.proxy.schema.name and not proxy.schema.is_a(current.proxy.schema):
            raise BadInput(f"field 'schema': {current.proxy.schema.name} cannot become {proxy.schema.name}")
        envelope = _envelope(dataset, owner, handled, current.envelope, retention_years, now)
        run_id = _write(session, identity, proxy, envelope, "entity.update", now)
        stored = _stored(session, dataset, entity_id)
    landed(engine, dataset, run_id, now)
    return stored


def _owner(session: Session, identity: Identity, dataset: str, agency: str | None) -> str:
    """The agency a new record is written for, if the caller may write for it: the one named,
    else the caller's own, else (the operator, which has none) the dataset's owner."""
    owner = agency if agency is not None else identity.agency or store.dataset_owner(session, dataset)
    if owner is None:
        raise BadInput("field 'agency': the operator names the agency a new dataset belongs to")
    check_writes_for(identity, owner)
    return owner


def _write(
    session: Session, identity: Identity, proxy: Any, envelope: Envelope, action: str, now: dt.datetime
) -> int:
    title = envelope.dataset
    existing = {summary.name: summary for summary in store.list_datasets(session, Identity.operator())}
    if envelope.dataset in existing:
        title = existing[envelope.dataset].title
    return write_records(
        session,
        [Record(proxy, str(proxy.id))],
        envelope=envelope,
        title=title,
        kind="api",
        source=f"api:{identity.actor}",
        now=now,
        identity=identity,
        action=action,
    ).run_id


def _stored(session: Session, dataset: str, entity_id: str) -> StoredEntity:
    stored = store.entity_in_dataset(session, dataset, entity_id, Identity.operator())
    if stored is None:  # written in this transaction; absent only if the store lost it
        raise NotFound(f"entity {entity_id!r} was not stored in dataset {dataset!r}")
    return stored


def read(engine: Engine, identity: Identity, dataset: str, entity_id: str, now: dt.datetime) -> StoredEntity:
    """One dataset's copy of an entity with its envelope, audited; NotFound if absent or not readable."""
    with Session(engine) as session, session.begin():
        stored = store.entity_in_dataset(session, dataset, entity_id, identity)
        audit.record(
            session, identity, "read", f"{dataset}/{entity_id}", now=now, detail={"found": bool(stored)}
        )
    if stored is None:
        raise NotFound(f"no entity {entity_id!r} in dataset {dataset!r}")
    return stored


def page(
    engine: Engine, identity: Identity, dataset: str, *, limit: int, offset: int, now: dt.datetime
) -> tuple[list[StoredEntity], int]:
    """One page of a dataset's entities the caller may read, and how many there are; audited."""
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise BadInput(f"'limit' must be 1 to {MAX_PAGE} and 'offset' 0 or more")
    with Session(engine) as session, session.begin():
        known = {summary.name for summary in store.list_datasets(session, identity)}
        if dataset not in known:
            raise NotFound(f"no dataset named {dataset!r}")
        found, total = store.page_dataset(session, dataset, identity, limit, offset)
        audit.record(
            session,
            identity,
            "list",
            f"dataset:{dataset}",
            now=now,
            detail={"offset": offset, "count": len(found)},
        )
    return found, total
