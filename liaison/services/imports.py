"""Importing a source into the store: one transaction, batched writes, progress as it goes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from followthemoney.proxy import EntityProxy
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.ingest import Record
from liaison.model import Envelope

__all__ = ["ImportResult", "import_records"]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import read: its run id, the dataset and the records per schema.

    Fragments of one entity count once per record here; `stats` counts stored entities.
    """

    run_id: int
    dataset: str
    schemata: dict[str, int]

    @property
    def records(self) -> int:
        """Records read in all."""
        return sum(self.schemata.values())


def import_records(
    engine: Engine,
    records: Iterable[Record],
    *,
    envelope: Envelope,
    title: str,
    kind: str,
    source: str,
    now: dt.datetime,
    batch_size: int = 2_000,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Write every record under the envelope in one transaction; any error leaves the store as it was.

    Records are read lazily, so a reader's `BadInput` in the middle of a file aborts the
    transaction with nothing written.
    """
    schemata: dict[str, int] = {}
    with Session(engine) as session, session.begin():
        store.get_agency(session, envelope.owner_agency)
        store.claim_dataset(session, envelope.dataset, title, envelope.owner_agency, now)
        run_id = store.start_import(session, envelope.dataset, kind, source, now)
        batch: list[tuple[EntityProxy, str]] = []
        for record in records:
            batch.append((record.proxy, f"{source}:{record.where}"))
            schemata[record.proxy.schema.name] = schemata.get(record.proxy.schema.name, 0) + 1
            if len(batch) >= batch_size:
                store.write_batch(session, batch, envelope, run_id, now)
                if progress is not None:
                    progress(len(batch))
                batch = []
        if batch:
            store.write_batch(session, batch, envelope, run_id, now)
            if progress is not None:
                progress(len(batch))
        store.finish_import(session, run_id, sum(schemata.values()))
    return ImportResult(run_id, envelope.dataset, schemata)
