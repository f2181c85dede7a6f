"""Correlation: who else holds this IP, domain, URL, hash, e-mail, phone number or wallet.

Values are read into canonical observables and looked up in the observable index; the records
found are read through the one access path. A member sees the records they may read and, for
the rest, hit/no-hit references naming the owning agency (which is alerted), never the content.
Every correlation is audited with its purpose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.errors import BadInput, NotFound
from liaison.model import Identity
from liaison.model.observables import Observable, guess_observable, observables_of, parse_observable
from liaison.services.accounts import audit
from liaison.services.sharing.hits import Reference, note_hits
from liaison.store import hits as hit_store
from liaison.store import observables as observable_store
from liaison.store.entities import StoredEntity

__all__ = ["MAX_VALUES", "Correlated", "Held", "correlate", "correlate_entity", "read_values"]

MAX_VALUES = 500
"""Values of one correlation request."""
PER_VALUE = 200
"""Records shown per value: a value thousands of records share (a public resolver) says little."""


@dataclass(frozen=True, slots=True)
class Held:
    """A readable record and what it holds of the value: the value, networks around it, or the
    addresses inside it."""

    found: tuple[Observable, ...]
    entity: StoredEntity


@dataclass(frozen=True, slots=True)
class Correlated:
    """One value's correlations: the records the caller may read, and references to the others."""

    observable: Observable
    records: tuple[Held, ...]
    references: tuple[Reference, ...]


def read_values(values: Sequence[tuple[str | None, str]]) -> list[Observable]:
    """(kind or None, text) pairs as observables; BadInput names the value that cannot be read."""
    if not values:
        raise BadInput("field 'observables': give at least one value")
    if len(values) > MAX_VALUES:
        raise BadInput(f"field 'observables': {len(values)} values exceed the {MAX_VALUES} of one request")
    read = []
    for position, (kind, text) in enumerate(values, start=1):
        try:
            read.append(parse_observable(kind, text) if kind else guess_observable(text))
        except BadInput as exc:
            raise BadInput(f"value {position}: {exc}") from None
    return list(dict.fromkeys(read))


def correlate(
    engine: Engine,
    identity: Identity,
    observables: Sequence[Observable],
    *,
    purpose: str,
    now: dt.datetime,
    exclude: tuple[str, str] | None = None,
) -> list[Correlated]:
    """Every record holding each observable (but `exclude`, a (dataset, id) record), within access."""
    if len(purpose.strip()) < 3:
        raise BadInput("field 'purpose': say why you correlate (at least 3 characters); it is audited")
    with Session(engine) as session, session.begin():
        found = _correlate(session, identity, observables, now, exclude)
        audit.record(
            session,
            identity,
            "correlate",
            f"observables:{len(observables)}",
            now=now,
            purpose=purpose,
            detail={
                "values": [str(observable) for observable in observables[:20]],
                "records": sum(len(item.records) for item in found),
                "references": sum(len(item.references) for item in found),
            },
        )
    return found


def correlate_entity(
    engine: Engine, identity: Identity, dataset: str, entity_id: str, *, purpose: str, now: dt.datetime
) -> tuple[StoredEntity, list[Correlated]]:
    """The observables of a record the caller may read, each with the other records holding it."""
    with Session(engine) as session:
        readable, _hidden = hit_store.split_copies(session, [entity_id], identity)
    stored = next((copy for copy in readable.get(entity_id, []) if copy.envelope.dataset == dataset), None)
    if stored is None:
        # The same answer whether the record is missing or hidden: its existence is not told.
        raise NotFound(f"no record {entity_id!r} in dataset {dataset!r} that you may read")
    observables = sorted(observables_of(stored.proxy))
    if not observables:
        return stored, []
    return stored, correlate(
        engine, identity, observables, purpose=purpose, now=now, exclude=(dataset, entity_id)
    )


def _correlate(
    session: Session,
    identity: Identity,
    observables: Sequence[Observable],
    now: dt.datetime,
    exclude: tuple[str, str] | None,
) -> list[Correlated]:
    holdings = [
        holding
        for holding in observable_store.holdings(session, observables, PER_VALUE)
        if (holding.dataset, holding.entity_id) != exclude
    ]
    readable, hidden = hit_store.split_copies(session, [holding.entity_id for holding in holdings], identity)
    answers = []
    for observable in observables:
        mine = [holding for holding in holdings if holding.observable == observable]
        held: dict[tuple[str, str], list[Observable]] = {}
        for holding in mine:
            held.setdefault((holding.dataset, holding.entity_id), []).append(holding.found)
        records = tuple(
            Held(tuple(sorted(held[(copy.envelope.dataset, entity_id)])), copy)
            for entity_id in dict.fromkeys(holding.entity_id for holding in mine)
            for copy in readable.get(entity_id, [])
            if (copy.envelope.dataset, entity_id) in held
        )
        copies = [copy for copy in hidden if (copy.dataset, copy.entity_id) in held]
        references = note_hits(
            session, identity, [(copy.entity_id, 1.0) for copy in copies], "correlation", now, copies=copies
        )
        answers.append(Correlated(observable, records, tuple(references)))
    return answers
