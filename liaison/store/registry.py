"""Agencies, datasets and import runs: the store's small registry tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind
from liaison.errors import BadInput, Conflict, NotFound
from liaison.model import Agency, AgencyKind, Identity, dataset_prefix, namespace_of
from liaison.store.access import readable, where
from liaison.store.changes import log_run
from liaison.store.tables import AgencyRow, DatasetRow, EntityRow, ImportRow

__all__ = [
    "DatasetSummary",
    "claim_dataset",
    "dataset_owner",
    "dataset_owners",
    "finish_import",
    "get_agency",
    "known_datasets",
    "list_agencies",
    "list_datasets",
    "save_agency",
    "start_import",
    "updated_datasets",
]


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    """A dataset with its owner and entity count, as `liaison datasets` and the home page list them."""

    name: str
    title: str
    owner_agency: str
    entities: int
    updated_at: dt.datetime


def save_agency(session: Session, agency: Agency) -> None:
    """Insert or update an agency."""
    session.merge(
        AgencyRow(code=agency.code, name=agency.name, country=agency.country, kind=agency.kind.value)
    )


def get_agency(session: Session, code: str) -> Agency:
    """The agency with this code, or NotFound naming it."""
    row = session.get(AgencyRow, code)
    if row is None:
        raise NotFound(f"agency {code!r} is not registered; add it with `liaison agency add {code} ...`")
    return Agency(code=row.code, name=row.name, country=row.country, kind=AgencyKind(row.kind))


def list_agencies(session: Session) -> list[Agency]:
    """All agencies, by code."""
    rows = session.scalars(select(AgencyRow).order_by(AgencyRow.code))
    return [Agency(row.code, row.name, row.country, AgencyKind(row.kind)) for row in rows]


def known_datasets(session: Session, identity: Identity, names: Iterable[str]) -> set[str]:
    """Which of these datasets the caller may know of, by the rule of `list_datasets`; a dataset
    they may not know of is answered exactly as one that does not exist."""
    query = select(DatasetRow.name, where(identity, Action.READ, Kind.DATASET))
    rows = session.execute(query.where(DatasetRow.name.in_(set(names))))
    found = {name: bool(owned) for name, owned in rows}
    known = {name for name, owned in found.items() if owned}
    for name in sorted(set(found) - known):  # a request names one or two: one indexed probe each
        if session.scalar(select(exists().where(EntityRow.dataset == name, readable(identity)))):
            known.add(name)
    return known


def dataset_owner(session: Session, name: str) -> str | None:
    """The agency owning a dataset, None if there is no such dataset."""
    return session.scalar(select(DatasetRow.owner_agency).where(DatasetRow.name == name))


def dataset_owners(session: Session, prefix: str) -> dict[str, str]:
    """The datasets whose names start with `prefix`, by name, with their owners."""
    query = select(DatasetRow.name, DatasetRow.owner_agency).where(
        DatasetRow.name.startswith(prefix, autoescape=True)
    )
    return {name: owner for name, owner in session.execute(query.order_by(DatasetRow.name))}


def claim_dataset(session: Session, name: str, title: str, owner: str, now: dt.datetime) -> None:
    """Create the dataset for its owner, or touch it; another agency's dataset is refused.

    A new name in an agency's namespace (`model.namespace_of`) is created for that agency only,
    so that no agency finds its own namespace taken.
    """
    row = session.get(DatasetRow, name)
    if row is None:
        holder = namespace_of(name, session.scalars(select(AgencyRow.code)))
        if holder not in (None, owner):
            raise BadInput(
                f"dataset {name!r} is named in {holder}'s namespace; start the name of a dataset of "
                f"{owner} with {dataset_prefix(owner)!r}"
            )
        session.add(DatasetRow(name=name, title=title, owner_agency=owner, created_at=now, updated_at=now))
        session.flush()
        return
    if row.owner_agency != owner:
        raise Conflict(f"dataset {name!r} belongs to agency {row.owner_agency!r}, not {owner!r}")
    row.title = title
    row.updated_at = now


def start_import(session: Session, dataset: str, kind: str, source: str, now: dt.datetime) -> int:
    """Record the start of an import run and return its id."""
    row = ImportRow(dataset=dataset, kind=kind, source=source, started_at=now, entities=0)
    session.add(row)
    session.flush()
    return row.id


def finish_import(session: Session, run_id: int, entities: int) -> None:
    """Record how many entities an import run wrote, and log the run in the change feed.

    The run is logged once, as it finishes: logging takes the lock that orders commits
    (`store.changes`), which must not be held while the run writes.
    """
    row = session.get(ImportRow, run_id)
    if row is not None:
        row.entities = entities
        log_run(session, row.dataset, run_id)


def updated_datasets(session: Session) -> dict[str, dt.datetime]:
    """When each dataset was last written, by name: one small read, without counting entities."""
    return {
        name: updated for name, updated in session.execute(select(DatasetRow.name, DatasetRow.updated_at))
    }


def list_datasets(session: Session, identity: Identity) -> list[DatasetSummary]:
    """The datasets the caller may know of, by name, counting the entities they may read.

    A dataset none of whose records the caller may read is listed only if the access decision
    lets them know of it (`Action.READ` on `Kind.DATASET`: their agency's own, or the operator's
    every one): its name and title say something too.
    """
    query = select(EntityRow.dataset, func.count()).where(readable(identity)).group_by(EntityRow.dataset)
    counts: dict[str, int] = {dataset: count for dataset, count in session.execute(query)}
    rows = session.execute(
        select(DatasetRow, where(identity, Action.READ, Kind.DATASET)).order_by(DatasetRow.name)
    )
    return [
        DatasetSummary(row.name, row.title, row.owner_agency, counts.get(row.name, 0), row.updated_at)
        for row, known in rows
        if known or row.name in counts
    ]
