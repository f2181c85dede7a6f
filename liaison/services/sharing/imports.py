"""Importing a source into the store: one transaction, batched writes, progress as it goes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import pycountry
from followthemoney.proxy import EntityProxy
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.decision import Action, DatasetFacts, may
from liaison.errors import BadInput, Conflict, Forbidden
from liaison.ingest import Record
from liaison.model import Envelope, Handling, Identity, dataset_prefix, namespace_of, parse_release
from liaison.names.controls import drop_format_controls
from liaison.services.accounts import audit
from liaison.services.sharing.landed import landed
from liaison.store import hits as hit_store
from liaison.store import peers as peer_store

__all__ = [
    "ImportResult",
    "check_releasability",
    "check_writable",
    "check_writes_for",
    "envelope_for",
    "import_records",
    "write_records",
]


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


def envelope_for(
    agency: str,
    dataset: str,
    handling: str,
    purpose: str,
    *,
    now: dt.datetime,
    retention_years: int,
    release: Iterable[str] = (),
) -> Envelope:
    """An import's envelope from what its user typed; BadInput names a bad handling code or entry."""
    try:
        code = Handling.parse(handling)
    except ValueError as exc:
        raise BadInput(f"field 'handling': {exc}") from None
    try:
        releasability = tuple(dict.fromkeys(parse_release(entry) for entry in release))
    except ValueError as exc:
        raise BadInput(f"field 'release': {exc}") from None
    review = now.date().replace(year=now.year + retention_years)
    return Envelope(agency, dataset, code, purpose, review, releasability=releasability)


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
    identity: Identity | None = None,
) -> ImportResult:
    """Write every record under the envelope in one transaction; any error leaves the store as it was.

    Records are read lazily, so a reader's `BadInput` in the middle of a file aborts the
    transaction with nothing written. A member imports only for their own agency; the import
    is audited in its transaction. Without `identity`, the local operator imports. Once it
    has committed, watches and cleared subjects are matched against what it wrote.
    """
    with Session(engine) as session, session.begin():
        result = write_records(
            session,
            records,
            envelope=envelope,
            title=title,
            kind=kind,
            source=source,
            now=now,
            batch_size=batch_size,
            progress=progress,
            identity=identity or Identity.operator(),
        )
    # After the commit, so that a watcher alerted can read what the alert names.
    landed(engine, result.dataset, result.run_id, now)
    return result


def write_records(
    session: Session,
    records: Iterable[Record],
    *,
    envelope: Envelope,
    title: str,
    kind: str,
    source: str,
    now: dt.datetime,
    identity: Identity,
    action: str = "import",
    batch_size: int = 2_000,
    progress: Callable[[int], None] | None = None,
    named_by_liaison: bool = False,
    copy_of: str | None = None,
) -> ImportResult:
    """`import_records` inside the caller's transaction, audited as `action` on the dataset.

    The dataset is checked by `check_writable`, unless Liaison names it (`named_by_liaison`: a
    notice lands in the published notices or its agency's diffusions). Names and name parts lose
    their invisible format controls (bidi overrides, isolates and marks, zero-width spaces) on the
    way in; ZWNJ and ZWJ stay.

    A record of an agency a peer hosts is a copy, written only by a sync from that peer
    (`copy_of`): its owner's node is its only writer."""
    owner = envelope.owner_agency
    host = peer_store.hosts_of(session, [owner]).get(owner)
    if host != copy_of:
        raise Conflict(
            f"agency {owner} is hosted by the peer node {host!r}: its records are written there"
            if host
            else f"agency {owner} is hosted by this node, not by the peer {copy_of!r}"
        )
    check_writes_for(identity, envelope.owner_agency, action)
    if not named_by_liaison:
        check_writable(session, identity, envelope.dataset)
    schemata: dict[str, int] = {}
    store.get_agency(session, envelope.owner_agency)
    check_releasability(session, envelope.releasability)
    store.claim_dataset(session, envelope.dataset, title, envelope.owner_agency, now)
    run_id = store.start_import(session, envelope.dataset, kind, source, now)
    batch: list[Record] = []
    for record in records:
        # Every import and record write passes here: no stored name keeps a bidi override.
        drop_format_controls(record.proxy)
        batch.append(record)
        schemata[record.proxy.schema.name] = schemata.get(record.proxy.schema.name, 0) + 1
        if len(batch) >= batch_size:
            _write_batch(session, batch, envelope, source, run_id, now)
            if progress is not None:
                progress(len(batch))
            batch = []
    if batch:
        _write_batch(session, batch, envelope, source, run_id, now)
        if progress is not None:
            progress(len(batch))
    store.finish_import(session, run_id, sum(schemata.values()))
    # The import replaced its records' envelopes: access the owner granted is given back.
    hit_store.reapply_grants(session, envelope.dataset)
    audit.record(
        session,
        identity,
        action,
        f"dataset:{envelope.dataset}",
        now=now,
        detail={"source": source, "kind": kind, "handling": envelope.handling.value, "records": schemata},
    )
    return ImportResult(run_id, envelope.dataset, schemata)


def check_writes_for(identity: Identity, agency: str, action: str = "write") -> None:
    """Refuse unless the caller may write records owned by `agency`: its own agency's, or (the
    operator) any. The access decision's rule for datasets, on the agency a write is made for."""
    if not may(identity, Action.WRITE, DatasetFacts(agency)):
        raise Forbidden(f"{identity.actor} of {identity.agency} cannot {action} for {agency}")


def check_writable(session: Session, identity: Identity, dataset: str) -> None:
    """Refuse a write into a dataset not the caller's, in words that do not say whether it exists.

    A new dataset is, to the access decision, its namespace's agency's: a member creates only
    names that start with their agency's prefix. Every other name, another agency's dataset
    (hidden or not) or a free name outside the namespace, gets the one refusal, naming no owner.
    """
    owner = store.dataset_owner(session, dataset)
    if owner is None:
        owner = namespace_of(dataset, (agency.code for agency in store.list_agencies(session))) or ""
    if not may(identity, Action.WRITE, DatasetFacts(owner)):
        raise Forbidden(
            f"dataset {dataset!r} is not one of {identity.agency}'s: write into one of its datasets, or "
            f"start the name of a new one with {dataset_prefix(identity.agency or '')!r}"
        )


def _write_batch(
    session: Session, batch: list[Record], envelope: Envelope, source: str, run_id: int, now: dt.datetime
) -> None:
    """Write records, each under the stricter of the import's handling and its own TLP marking."""
    by_handling: dict[Handling, list[tuple[EntityProxy, str]]] = {}
    for record in batch:
        handling = envelope.handling
        if record.handling is not None:
            handling = handling.stricter(record.handling)
        by_handling.setdefault(handling, []).append((record.proxy, f"{source}:{record.where}"))
    for handling, rows in by_handling.items():
        store.write_batch(session, rows, replace(envelope, handling=handling), run_id, now)
    connection = session.connection()
    objects = [obj for record in batch for obj in record.stix]
    store.write_stix(connection, envelope.dataset, objects, run_id, now)
    extra = [(str(record.proxy.id), record.observables) for record in batch if record.observables]
    if extra:
        store.add_observables(connection, envelope.dataset, extra, run_id)


def check_releasability(session: Session, releasability: tuple[str, ...]) -> None:
    """Every entry names a registered agency, sharing group or user, or a real country."""
    for entry in releasability:
        kind, _, value = entry.partition(":")
        if kind == "country":
            known = pycountry.countries.get(alpha_2=value.upper()) is not None
        else:
            known = store.is_known(session, kind, value)
        if not known:
            raise BadInput(f"releasability {entry!r}: no such {kind}")
