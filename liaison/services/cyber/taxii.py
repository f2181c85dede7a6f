"""TAXII 2.1 collections over Liaison's datasets: reading pages of STIX objects, adding envelopes.

A collection is a dataset. Each caller sees the collections holding objects they may read
(through the records' access filter: a collection shows each agency only what it may read)
and their own agency's datasets, which they may write to. Pages are keyset-paginated by
(date added, id, version), so the `next` token is a position, not an offset. Objects go out
marked with their record's handling, as the STIX export marks them. Every read and
every write is audited. An envelope with any bad object adds nothing: its status lists why.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import orjson
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from liaison.access.decision import Action, DatasetFacts, HeldFacts, Kind, may
from liaison.domains.cyber.stix_export import marked
from liaison.errors import BadInput, Forbidden, NotFound
from liaison.ingest.stix import stix_records
from liaison.ingest.stix_validator import object_problem
from liaison.model import Envelope, Handling, Identity
from liaison.services.accounts import audit
from liaison.services.sharing.imports import import_records
from liaison.store.stix import StixFilter, StoredStix, stix_page, stix_readable
from liaison.store.tables import DatasetRow, TaxiiStatusRow

__all__ = [
    "DEFAULT_PAGE",
    "MAX_PAGE",
    "Collection",
    "Page",
    "add_objects",
    "collection",
    "collection_id",
    "collections",
    "read_page",
    "status",
    "stix_time",
]

DEFAULT_PAGE = 1_000
MAX_PAGE = 10_000
UNMARKED = Handling.AMBER
"""The handling of a POSTed object that carries no TLP marking: its agency and those it releases to."""
_NAMESPACE = uuid.UUID("6f1d3c7e-8a0b-4c55-9d6e-2b7a4e1f0c93")


@dataclass(frozen=True, slots=True)
class Collection:
    """A dataset as a TAXII collection, with what this caller may do with it."""

    id: str
    dataset: str
    title: str
    can_read: bool
    can_write: bool


@dataclass(frozen=True, slots=True)
class Page:
    """One page of object versions, and where the next starts."""

    objects: list[StoredStix]
    more: bool
    next: str | None


def collection_id(dataset: str) -> str:
    """A dataset's collection id: a UUID, stable across servers holding the dataset."""
    return str(uuid.uuid5(_NAMESPACE, dataset))


def stix_time(value: dt.datetime) -> str:
    """A STIX/TAXII timestamp, to the microsecond."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _may_write(identity: Identity, owner: str) -> bool:
    return bool(may(identity, Action.WRITE, DatasetFacts(owner)))


def _collection(session: Session, identity: Identity, name: str, title: str, owner: str) -> Collection:
    readable = stix_readable(session, identity, name)
    return Collection(collection_id(name), name, title, readable, _may_write(identity, owner))


def collections(engine: Engine, identity: Identity) -> list[Collection]:
    """The collections this caller may read or write, by dataset name."""
    with Session(engine) as session:
        rows = session.execute(
            select(DatasetRow.name, DatasetRow.title, DatasetRow.owner_agency).order_by(DatasetRow.name)
        )
        found = [_collection(session, identity, *row) for row in rows.all()]
    return [item for item in found if item.can_read or item.can_write]


def collection(engine: Engine, identity: Identity, wanted: str) -> Collection:
    """One collection by id; NotFound when there is none this caller may see."""
    with Session(engine) as session:
        rows = session.execute(select(DatasetRow.name, DatasetRow.title, DatasetRow.owner_agency)).all()
        for name, title, owner in rows:
            if collection_id(name) == wanted:
                found = _collection(session, identity, name, title, owner)
                if found.can_read or found.can_write:
                    return found
    raise NotFound(f"no collection {wanted!r}")


def _cursor(row: StoredStix) -> str:
    position = [stix_time(row.added_at), row.id, stix_time(row.version)]
    return base64.urlsafe_b64encode(orjson.dumps(position)).decode().rstrip("=")


def _position(token: str) -> tuple[dt.datetime, str, dt.datetime]:
    try:
        added, object_id, version = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return dt.datetime.fromisoformat(added), str(object_id), dt.datetime.fromisoformat(version)
    except (binascii.Error, orjson.JSONDecodeError, ValueError, TypeError) as exc:
        raise BadInput(f"next: {token[:40]!r} is not a page token this server gave") from exc


def read_page(
    engine: Engine,
    identity: Identity,
    wanted_collection: str,
    wanted: StixFilter,
    *,
    limit: int,
    token: str | None,
    now: dt.datetime,
    action: str = "taxii.objects",
) -> Page:
    """A page of the readable object versions of a collection matching the filter; audited."""
    if not 1 <= limit <= MAX_PAGE:
        raise BadInput(f"limit: between 1 and {MAX_PAGE}")
    found = collection(engine, identity, wanted_collection)
    if not found.can_read:
        raise Forbidden(f"collection {wanted_collection!r} holds nothing you may read")
    after = _position(token) if token else None
    with Session(engine) as session, session.begin():
        rows = stix_page(session, identity, found.dataset, wanted, limit + 1, after)
        audit.record(
            session,
            identity,
            action,
            f"dataset:{found.dataset}",
            now=now,
            detail={"collection": found.id, "objects": min(len(rows), limit)},
        )
    more = len(rows) > limit
    # Each version goes out marked with its record's handling, as the STIX export marks it: the
    # producer's marking (or none) may be weaker than the handling the record is shared under.
    rows = [
        replace(row, document=_dumps(marked(orjson.loads(row.document), row.handling)))
        for row in rows[:limit]
    ]
    return Page(rows, more, _cursor(rows[-1]) if more else None)


def _dumps(document: dict[str, Any]) -> str:
    return orjson.dumps(document).decode()


def add_objects(
    engine: Engine,
    identity: Identity,
    wanted_collection: str,
    objects: Sequence[Any],
    *,
    retention_review: dt.date,
    now: dt.datetime,
) -> dict[str, Any]:
    """Add an envelope's objects to a collection in one transaction; the status resource of the request.

    Objects without a TLP marking are kept as `UNMARKED`; marked ones as their marking says.
    """
    found = collection(engine, identity, wanted_collection)
    if not found.can_write:
        raise Forbidden(f"you may not add to collection {wanted_collection!r}")
    source = f"taxii:{found.id}"
    failures = [_entry(obj, problem) for obj in objects if (problem := object_problem(obj)) is not None]
    if not failures:
        try:
            records = [
                replace(record, handling=record.handling or UNMARKED)
                for record in stix_records(objects, source, checked=True)
            ]
        except BadInput as exc:
            failures = [{"id": "", "message": str(exc)}]
    if failures:
        # Nothing half-added: the sound objects are reported as not added, with the reason.
        refused = {entry["id"] for entry in failures}
        failures += [
            _entry(obj, "not added: another object of this envelope was refused")
            for obj in objects
            if isinstance(obj, dict) and obj.get("id") not in refused
        ]
        successes: list[dict[str, str]] = []
    else:
        with Session(engine) as session:
            owner = session.get_one(DatasetRow, found.dataset).owner_agency
        envelope = Envelope(
            owner, found.dataset, Handling.CLEAR, "cyber threat intelligence", retention_review
        )
        import_records(
            engine,
            records,
            envelope=envelope,
            title=found.title,
            kind="taxii",
            source=source,
            now=now,
            identity=identity,
        )
        successes = [_entry(obj, None) for obj in objects]
    document = {
        "id": str(uuid.uuid4()),
        "status": "complete",
        "request_timestamp": stix_time(now),
        "total_count": len(objects),
        "success_count": len(successes),
        "successes": successes,
        "failure_count": len(failures),
        "failures": failures,
        "pending_count": 0,
    }
    with Session(engine) as session, session.begin():
        session.add(
            TaxiiStatusRow(
                id=document["id"],
                agency=identity.agency or "",
                created_at=now,
                document=orjson.dumps(document).decode(),
            )
        )
    return document


def _entry(obj: Any, message: str | None) -> dict[str, str]:
    entry = {"id": str(obj.get("id", "")) if isinstance(obj, dict) else ""}
    if isinstance(obj, dict) and isinstance(obj.get("modified") or obj.get("created"), str):
        entry["version"] = str(obj.get("modified") or obj.get("created"))
    if message is not None:
        entry["message"] = message
    return entry


def status(engine: Engine, identity: Identity, status_id: str) -> dict[str, Any]:
    """A status resource of the caller's agency's request."""
    with Session(engine) as session:
        row = session.get(TaxiiStatusRow, status_id[:64])
    if row is None or not may(identity, Action.READ, HeldFacts(Kind.TAXII_STATUS, row.agency)):
        raise NotFound(f"no status {status_id[:64]!r}")
    document: dict[str, Any] = orjson.loads(row.document)
    return document
