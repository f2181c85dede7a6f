"""A dataset as a STIX 2.1 bundle: what the caller may read, each object marked with its handling.

The bundle is written as it is read, a thousand records at a time, so memory does not grow
with the dataset. The export is audited with its purpose and the number of objects.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from itertools import islice
from typing import IO

import orjson
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.domains.cyber.stix_export import AMBER_STRICT_DEFINITION, exported_objects
from liaison.model import Handling, Identity
from liaison.services.accounts import audit
from liaison.services.sharing.catalog import require_dataset
from liaison.store import StoredEntity
from liaison.store.stix import newest_documents

__all__ = ["export_stix"]

_BATCH = 1_000


def _batches(entities: Iterator[StoredEntity]) -> Iterator[list[StoredEntity]]:
    while batch := list(islice(entities, _BATCH)):
        yield batch


def export_stix(
    engine: Engine,
    dataset: str,
    handle: IO[bytes],
    identity: Identity,
    now: dt.datetime,
    purpose: str = "",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the dataset's readable records as one STIX bundle; return the number of objects."""
    count = 0
    seen: set[str] = set()
    strict = False
    with Session(engine) as session:
        require_dataset(session, identity, dataset)
        handle.write(b'{"type":"bundle","id":"bundle--' + str(uuid.uuid4()).encode() + b'","objects":[')
        for batch in _batches(store.iter_dataset(session, dataset, identity)):
            documents = newest_documents(session, dataset, [str(stored.proxy.id) for stored in batch])
            for stored in batch:
                document = documents.get(str(stored.proxy.id))
                handling = stored.envelope.handling
                objects = exported_objects(
                    dataset,
                    stored.proxy,
                    handling,
                    stored.created_at,
                    stored.updated_at,
                    orjson.loads(document) if document is not None else None,
                )
                for obj in objects:
                    if "created" not in obj:  # an observable several records hold goes out once
                        if obj["id"] in seen:
                            continue
                        seen.add(obj["id"])
                    handle.write((b"," if count else b"") + orjson.dumps(obj))
                    count += 1
                strict = strict or (handling is Handling.AMBER_STRICT and bool(objects))
            if progress is not None:
                progress(len(batch))
        if strict:
            handle.write((b"," if count else b"") + orjson.dumps(AMBER_STRICT_DEFINITION))
            count += 1
        handle.write(b"]}")
    with Session(engine) as session, session.begin():
        audit.record(
            session,
            identity,
            "export",
            f"dataset:{dataset}",
            now=now,
            purpose=purpose,
            detail={"format": "stix", "objects": count},
        )
    return count
