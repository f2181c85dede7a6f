"""Wildlife seizures: the CITES species index, seizure imports through a mapping, and the trends
and routes counted from them within the caller's access.

An import resolves every species named against the CITES index (accepted names and synonyms
first; a common name only when it names one taxon) before anything is written, and writes each
seizure as a record (an FtM Event, which access control, search and the network see) with its
facts beside it, in one transaction. Trends and routes are audited reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from liaison.access.decision import Action, ReferenceFacts, may
from liaison.domains.wildlife.duplicates import Reported, duplicates
from liaison.errors import BadInput, Forbidden
from liaison.ingest.base import Record
from liaison.ingest.cites_species import name_key, read_cites_species
from liaison.ingest.seizure_sheet import ReadSeizure, load_mapping, read_seizures
from liaison.model import Envelope, Identity
from liaison.model.seizure import SeizureReport
from liaison.services.accounts import audit
from liaison.services.sharing.imports import ImportResult, write_records
from liaison.services.sharing.landed import landed
from liaison.store.seizures import (
    Dimension,
    SeizureFilter,
    TrendRow,
    readable_seizures,
    route_legs,
    trends,
    write_seizures,
)
from liaison.store.species import Named, replace_species, species_by_ids, species_named, taxa_within
from liaison.store.tables import SeizureRow, SpeciesRow

__all__ = [
    "ReportedTwice",
    "SeizureImport",
    "import_seizures",
    "import_species",
    "lookup",
    "reported_twice",
    "resolve",
    "routes",
    "trend",
]

MAX_LEGS = 500
EVERY = SeizureFilter()
"""No filter: every seizure the caller may read."""


@dataclass(frozen=True, slots=True)
class SeizureImport:
    """What a seizure import wrote, and how many rows its mapping skipped."""

    result: ImportResult
    seizures: int
    skipped: int


def import_species(engine: Engine, identity: Identity, path: Path, now: dt.datetime) -> tuple[int, int]:
    """Replace the species index with a CITES species index file; (taxa, names). Operator and admins."""
    if not may(identity, Action.WRITE, ReferenceFacts()):
        raise Forbidden("the species index is reference data: the operator or an admin replaces it")
    with Session(engine) as session, session.begin():
        counts = replace_species(session, read_cites_species(path))
        audit.record(
            session,
            identity,
            "species.import",
            "species",
            now=now,
            detail={"taxa": counts[0], "names": counts[1]},
        )
    return counts


def _pick(name: str, found: list[Named]) -> Named:
    scientific = [item for item in found if item.kind in ("accepted", "synonym")]
    accepted = [item for item in scientific if item.kind == "accepted"]
    for group in (accepted, scientific, found):
        taxa = {item.taxon_id for item in group}
        if len(taxa) == 1:
            return group[0]
        if len(taxa) > 1:
            examples = ", ".join(sorted({item.name for item in group})[:5])
            raise BadInput(
                f"field 'species': {name!r} names {len(taxa)} taxa ({examples}); give the scientific name"
            )
    raise BadInput(f"field 'species': {name!r} is not in the CITES species index")


def resolve(session: Session, names: Iterable[str]) -> dict[str, Named]:
    """Each species name as the one taxon it stands for; BadInput for an unknown or ambiguous name."""
    wanted = sorted(set(names))
    if wanted and session.scalar(select(func.count()).select_from(SpeciesRow)) == 0:
        raise BadInput("the species index is empty: import it first (liaison species import FILE)")
    found = species_named(session, wanted)
    return {name: _pick(name, found.get(name_key(name), [])) for name in wanted}


def _mirror(dataset: str, where: str, report: SeizureReport, taxon: Named) -> EntityProxy:
    proxy = model.make_entity("Event")
    proxy.make_id("seizure", dataset, where)
    amount = f"{report.quantity:g} {report.unit} " if report.quantity is not None else ""
    proxy.add("name", f"Seizure of {amount}{taxon.name} ({report.commodity.value})")
    proxy.add("date", report.day.isoformat() if report.day else str(report.year))
    proxy.add("country", report.country)
    proxy.add("summary", report.concealment or None)
    proxy.add("keywords", ["wildlife seizure", report.commodity.value, f"CITES {taxon.listing}"])
    proxy.add(
        "notes", f"Route: {' > '.join(code.upper() for code in report.route)}" if report.route else None
    )
    return proxy


def _involved(dataset: str, read: list[ReadSeizure], seizures: list[Record]) -> list[Record]:
    """The people, companies and vessels the rows name, one record per name and schema in the
    dataset (a smuggler named on two rows is one person), each seizure `involved` with them."""
    parties: dict[tuple[str, str], Record] = {}
    for item, seizure in zip(read, seizures, strict=True):
        for schema, name in item.parties:
            key = (schema, name_key(name))
            if key not in parties:
                proxy = model.make_entity(schema)
                proxy.make_id("seizure-party", dataset, schema, key[1])
                proxy.add("name", name)
                parties[key] = Record(proxy, item.where)
            seizure.proxy.add("involved", parties[key].proxy.id)
    return list(parties.values())


def import_seizures(
    engine: Engine,
    identity: Identity,
    path: Path,
    mapping: str,
    *,
    envelope: Envelope,
    source: str,
    now: dt.datetime,
) -> SeizureImport:
    """Import a file's seizures through a mapping, all or nothing; species resolved first; then
    watches are matched against the parties it wrote."""
    read = list(read_seizures(path, load_mapping(mapping), now.date()))
    kept = [(item.where, item.report) for item in read if item.report is not None]
    if not kept:
        raise BadInput(f"{path}: no seizure in the file")
    with Session(engine) as session, session.begin():
        taxa = resolve_named(session, kept)
        records = [
            Record(_mirror(envelope.dataset, where, report, taxa[report.species]), where)
            for where, report in kept
        ]
        involved = _involved(envelope.dataset, [item for item in read if item.report is not None], records)
        result = write_records(
            session,
            [*records, *involved],
            envelope=envelope,
            title=envelope.dataset,
            kind="seizures",
            source=source,
            now=now,
            identity=identity,
        )
        rows = [
            (str(record.proxy.id), report, taxa[report.species].taxon_id)
            for record, (_where, report) in zip(records, kept, strict=True)
        ]
        write_seizures(session.connection(), envelope.dataset, rows, result.run_id)
    # After the commit, as for any import: the people and companies named may be watched.
    landed(engine, result.dataset, result.run_id, now)
    return SeizureImport(result, len(kept), len(read) - len(kept))


def resolve_named(session: Session, kept: list[tuple[str, SeizureReport]]) -> dict[str, Named]:
    """The taxon of every species the seizures name; BadInput names the first row naming an unknown one."""
    try:
        return resolve(session, (report.species for _where, report in kept))
    except BadInput as exc:
        for where, report in kept:
            try:
                resolve(session, [report.species])
            except BadInput:
                raise BadInput(f"{where}: {exc}") from None
        raise


def lookup(engine: Engine, name: str) -> Named:
    """The taxon a name stands for."""
    with Session(engine) as session:
        return resolve(session, [name])[name]


def _taxa(session: Session, species: str | None) -> tuple[int, ...]:
    if not species:
        return ()
    named = resolve(session, [species])[species]
    return tuple(taxa_within(session, named.taxon_id))


def trend(
    engine: Engine,
    identity: Identity,
    by: Dimension,
    *,
    species: str | None = None,
    wanted: SeizureFilter = EVERY,
    purpose: str,
    now: dt.datetime,
) -> list[TrendRow]:
    """Seizures per year by species, country or commodity (a species' history with `species`); audited."""
    if by not in ("species", "country", "commodity"):
        raise BadInput(f"field 'by': {by!r}; use species, country or commodity")
    with Session(engine) as session, session.begin():
        chosen = SeizureFilter(
            _taxa(session, species), wanted.countries, wanted.commodities, wanted.since, wanted.until
        )
        found = trends(session, identity, by, chosen)
        if by == "species":
            names = {
                taxon_id: row.name
                for taxon_id, row in species_by_ids(session, (int(row.key) for row in found)).items()
            }
            found = [
                TrendRow(
                    row.year, names.get(int(row.key), row.key), row.seizures, row.weight_kg, row.individuals
                )
                for row in found
            ]
        audit.record(
            session,
            identity,
            "seizure.trends",
            "seizures",
            now=now,
            purpose=purpose,
            detail={"by": by, "species": species, "rows": len(found)},
        )
    return found


def routes(
    engine: Engine, identity: Identity, *, species: str | None = None, purpose: str, now: dt.datetime
) -> list[tuple[str, str, int]]:
    """The legs seizures travelled, most travelled first; audited."""
    with Session(engine) as session, session.begin():
        found = route_legs(session, identity, SeizureFilter(_taxa(session, species)), MAX_LEGS)
        audit.record(
            session,
            identity,
            "seizure.routes",
            "seizures",
            now=now,
            purpose=purpose,
            detail={"species": species, "legs": len(found)},
        )
    return found


@dataclass(frozen=True, slots=True)
class ReportedTwice:
    """One seizure of a dataset that another dataset may report too, how sure, and why."""

    verdict: str
    first: str
    second: str
    year: int
    country: str
    place: str
    other_place: str
    quantity: float
    other_quantity: float
    unit: str
    reasons: tuple[str, ...]


def _reported(row: SeizureRow) -> Reported:
    return Reported(
        row.entity_id,
        row.year,
        row.day,
        row.country,
        row.location,
        row.commodity,
        row.unit,
        row.quantity or 0.0,
    )


def reported_twice(
    engine: Engine, identity: Identity, first: str, second: str, *, purpose: str, now: dt.datetime
) -> list[ReportedTwice]:
    """Seizures of `first` that `second` may report too, with reasons, among those the caller may
    read; likely ones first. Audited."""
    if first == second:
        raise BadInput("field 'against': compare two different datasets")
    with Session(engine) as session, session.begin():
        rows = {name: readable_seizures(session, identity, name) for name in (first, second)}
        by_id = {row.entity_id: row for found in rows.values() for row in found}
        reports = {
            name: [_reported(row) for row in found if row.quantity is not None]
            for name, found in rows.items()
        }
        pairs = duplicates(reports[first], reports[second])
        audit.record(
            session,
            identity,
            "seizure.duplicates",
            f"datasets:{first},{second}",
            now=now,
            purpose=purpose,
            detail={"pairs": len(pairs), "likely": sum(pair.verdict == "likely" for pair in pairs)},
        )
        return [
            ReportedTwice(
                pair.verdict,
                pair.first,
                pair.second,
                one.year,
                one.country,
                one.location,
                other.location,
                one.quantity or 0.0,
                other.quantity or 0.0,
                one.unit,
                pair.reasons,
            )
            for pair in pairs
            for one, other in [(by_id[pair.first], by_id[pair.second])]
        ]
