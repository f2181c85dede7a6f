"""CITES trade records (legal trade) beside seizures (illegal trade), and the trade records whose
importer and exporter disagree.

The trade records are public reference data: the operator or an admin replaces them; everyone
may read them. Seizures beside them count only those the caller may read. Reads are audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.access.decision import Action, ReferenceFacts, may
from liaison.errors import BadInput, Forbidden
from liaison.ingest.cites_trade import read_cites_trade
from liaison.model import Identity
from liaison.services.accounts import audit
from liaison.services.wildlife.seizures import resolve
from liaison.store.cites_trade import TradeYear, discrepancies, replace_trade, trade_per_year
from liaison.store.seizures import SeizureFilter, trends
from liaison.store.species import taxa_within
from liaison.store.tables import CitesTradeRow

__all__ = ["YearSideBySide", "beside_seizures", "disagreements", "import_trade"]


@dataclass(frozen=True, slots=True)
class YearSideBySide:
    """A year's legal trade (None without records) and the seizures the caller may read."""

    year: int
    trade: TradeYear | None
    seizures: int
    seized_kg: float
    seized_individuals: float


def _taxon_name(text: str) -> str:
    # "Manis spp." is the genus, as the Trade Database writes a higher taxon.
    return text.removesuffix(" spp.").removesuffix(" spp").strip()


def import_trade(engine: Engine, identity: Identity, path: Path, now: dt.datetime) -> tuple[int, int]:
    """Replace the trade records with a comparative tabulation; (records, records of unknown taxa)."""
    if not may(identity, Action.WRITE, ReferenceFacts()):
        raise Forbidden("CITES trade records are reference data: the operator or an admin replaces them")
    records = list(read_cites_trade(path))
    if not records:
        raise BadInput(f"{path}: no trade record in the file")
    with Session(engine) as session, session.begin():
        names = sorted({_taxon_name(record.taxon) for record in records})
        known = {}
        for name in names:
            try:
                known[name] = resolve(session, [name])[name].taxon_id
            except BadInput:
                continue  # kept without a taxon: the index may predate the name
        rows: list[dict[str, object]] = [
            {
                "id": record.line,
                "year": record.year,
                "appendix": record.appendix,
                "taxon_id": known.get(_taxon_name(record.taxon)),
                "taxon": record.taxon,
                "importer": record.importer,
                "exporter": record.exporter,
                "origin": record.origin,
                "importer_quantity": record.importer_quantity,
                "exporter_quantity": record.exporter_quantity,
                "term": record.term,
                "unit": record.unit,
                "purpose": record.purpose,
                "source": record.source,
            }
            for record in records
        ]
        written = replace_trade(session, rows)
        unknown = sum(1 for row in rows if row["taxon_id"] is None)
        audit.record(
            session,
            identity,
            "trade.import",
            "cites_trade",
            now=now,
            detail={"records": written, "unknown_taxa": unknown},
        )
    return written, unknown


def _taxa(session: Session, species: str | None) -> list[int]:
    if not species:
        return []
    return taxa_within(session, resolve(session, [species])[species].taxon_id)


def beside_seizures(
    engine: Engine, identity: Identity, species: str | None, *, purpose: str, now: dt.datetime
) -> list[YearSideBySide]:
    """Per year, legal trade in the taxon (and the taxa within it) beside the seizures of it you may read."""
    with Session(engine) as session, session.begin():
        taxa = _taxa(session, species)
        trade = {row.year: row for row in trade_per_year(session, taxa)}
        seized: dict[int, list[float]] = {}
        for row in trends(session, identity, "commodity", SeizureFilter(taxa=tuple(taxa))):
            totals = seized.setdefault(row.year, [0, 0.0, 0.0])
            totals[0] += row.seizures
            totals[1] += row.weight_kg
            totals[2] += row.individuals
        audit.record(
            session,
            identity,
            "trade.compare",
            "cites_trade",
            now=now,
            purpose=purpose,
            detail={"species": species, "years": len(trade.keys() | seized.keys())},
        )
    return [
        YearSideBySide(
            year, trade.get(year), int(seized.get(year, [0])[0]), *seized.get(year, [0, 0.0, 0.0])[1:]
        )
        for year in sorted(trade.keys() | seized.keys())
    ]


def disagreements(
    engine: Engine,
    identity: Identity,
    species: str | None,
    *,
    ratio: float = 0.5,
    limit: int = 100,
    purpose: str,
    now: dt.datetime,
) -> list[CitesTradeRow]:
    """Trade records whose importer and exporter figures differ by more than `ratio`, largest first."""
    if not 0 < ratio < 1:
        raise BadInput("field 'ratio': between 0 and 1")
    with Session(engine) as session, session.begin():
        found = discrepancies(session, _taxa(session, species), ratio, limit)
        audit.record(
            session,
            identity,
            "trade.discrepancies",
            "cites_trade",
            now=now,
            purpose=purpose,
            detail={"species": species, "records": len(found)},
        )
        session.expunge_all()
    return found
