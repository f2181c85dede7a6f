"""Reading the store's contents: statistics, dataset lists, one entity, a dataset's export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.audit import AuditEvent
from liaison.access.decision import Action, RecordFacts, may
from liaison.errors import Forbidden, NotFound
from liaison.model import Agency, Envelope, Identity
from liaison.services.accounts import audit
from liaison.store import DatasetSummary, StoredEntity

if TYPE_CHECKING:
    from followthemoney.proxy import EntityProxy

__all__ = [
    "Overview",
    "agencies",
    "datasets",
    "export_ftm",
    "overview",
    "readers",
    "require_dataset",
    "show",
    "stats",
]


def stats(engine: Engine, identity: Identity) -> dict[str, dict[str, int]]:
    """Counts of the entities the caller may read, per dataset and schema."""
    with Session(engine) as session:
        return store.count_by_dataset_schema(session, identity)


def datasets(engine: Engine, identity: Identity) -> list[DatasetSummary]:
    """The datasets the caller may know of, with their owner and the entities the caller may read."""
    with Session(engine) as session:
        return store.list_datasets(session, identity)


def agencies(engine: Engine) -> list[Agency]:
    """Every member agency."""
    with Session(engine) as session:
        return store.list_agencies(session)


@dataclass(frozen=True, slots=True)
class Overview:
    """What the home page shows: agencies, datasets and entity counts."""

    agencies: list[Agency]
    datasets: list[DatasetSummary]

    @property
    def entities(self) -> int:
        """Entities in all datasets."""
        return sum(dataset.entities for dataset in self.datasets)


def overview(engine: Engine, identity: Identity) -> Overview:
    """Agencies and the datasets the caller may know of, in one read."""
    with Session(engine) as session:
        return Overview(store.list_agencies(session), store.list_datasets(session, identity))


def show(
    engine: Engine, entity_id: str, identity: Identity, now: dt.datetime, purpose: str = ""
) -> list[StoredEntity]:
    """Every copy of an entity the caller may read; NotFound, the same for absent and unreadable.

    The read is audited, whether it found anything or not.
    """
    with Session(engine) as session, session.begin():
        found = store.entities_by_id(session, entity_id, identity)
        datasets = [stored.envelope.dataset for stored in found]
        audit.record(
            session,
            identity,
            "read",
            f"entity:{entity_id}",
            now=now,
            purpose=purpose,
            detail={"datasets": datasets},
        )
    if not found:
        raise NotFound(f"no entity with id {entity_id!r}")
    return found


def readers(engine: Engine, identity: Identity, entity_id: str, limit: int = 50) -> list[AuditEvent]:
    """Who read an entity, newest first; only those `may` lets trace one of its copies (its owner
    agencies, and the operator) may know."""
    with Session(engine) as session:
        copies = store.entities_by_id(session, entity_id, identity)
        if not any(may(identity, Action.TRACE, _facts(stored.envelope)) for stored in copies):
            raise Forbidden("only the agency that holds a record sees who read it")
        return [
            chained.event for chained in store.events_about(session, f"entity:{entity_id}", "read", limit)
        ]


def _facts(envelope: Envelope) -> RecordFacts:
    return RecordFacts.of(envelope.owner_agency, envelope.handling, envelope.releasability)


def require_dataset(session: Session, identity: Identity, dataset: str) -> None:
    """NotFound unless the dataset is one the caller may know of."""
    if not any(summary.name == dataset for summary in store.list_datasets(session, identity)):
        raise NotFound(f"no dataset named {dataset!r}; `liaison datasets` lists them")


def export_ftm(
    engine: Engine,
    dataset: str,
    handle: IO[bytes],
    identity: Identity,
    now: dt.datetime,
    purpose: str = "",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the dataset's entities the caller may read as FtM JSON lines; return how many. Audited."""
    from liaison.ingest.ftm import write_ftm

    with Session(engine) as session:
        require_dataset(session, identity, dataset)
        entities = (stored.proxy for stored in store.iter_dataset(session, dataset, identity))
        count = write_ftm(entities if progress is None else _counted(entities, progress), handle)
    with Session(engine) as session, session.begin():
        audit.record(
            session,
            identity,
            "export",
            f"dataset:{dataset}",
            now=now,
            purpose=purpose,
            detail={"entities": count},
        )
    return count


def _counted(
    entities: Iterator[EntityProxy], progress: Callable[[int], None], every: int = 1_000
) -> Iterator[EntityProxy]:
    count = 0
    for count, proxy in enumerate(entities, start=1):
        yield proxy
        if count % every == 0:
            progress(every)
    progress(count % every)
