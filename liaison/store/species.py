"""The CITES species index as stored: taxa, and every name they go by, keyed for lookup."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from liaison.ingest.cites_species import Taxon, name_key
from liaison.store.tables import SpeciesNameRow, SpeciesRow

__all__ = ["Named", "replace_species", "species_by_ids", "species_named", "taxa_within"]

_BATCH = 5_000


@dataclass(frozen=True, slots=True)
class Named:
    """A taxon a name stands for, and as what kind of name."""

    taxon_id: int
    name: str
    rank: str
    listing: str
    kind: str


def replace_species(session: Session, taxa: Iterable[Taxon]) -> tuple[int, int]:
    """Replace the whole index with these taxa; (taxa, names) written."""
    session.execute(delete(SpeciesNameRow))
    session.execute(delete(SpeciesRow))
    connection = session.connection()
    taxa_rows: list[dict[str, object]] = []
    name_rows: dict[tuple[str, int, str], dict[str, object]] = {}
    counts = [0, 0]

    def flush() -> None:
        if taxa_rows:
            connection.execute(insert(SpeciesRow), taxa_rows)
        if name_rows:
            connection.execute(insert(SpeciesNameRow), list(name_rows.values()))
        counts[0] += len(taxa_rows)
        counts[1] += len(name_rows)
        taxa_rows.clear()
        name_rows.clear()

    for taxon in taxa:
        taxa_rows.append(
            {
                "taxon_id": taxon.taxon_id,
                "name": taxon.name,
                "rank": taxon.rank,
                "kingdom": taxon.kingdom,
                "class": taxon.klass,
                "family": taxon.family,
                "genus": taxon.genus,
                "listing": taxon.listing,
            }
        )
        for kind, name in taxon.names:
            key = name_key(name)[:300]
            if key:
                name_rows.setdefault(
                    (key, taxon.taxon_id, kind),
                    {"key": key, "taxon_id": taxon.taxon_id, "kind": kind, "name": name[:300]},
                )
        if len(taxa_rows) >= _BATCH:
            flush()
    flush()
    return counts[0], counts[1]


def species_named(session: Session, names: Sequence[str]) -> dict[str, list[Named]]:
    """For each name key, the taxa it stands for (accepted names and synonyms before common names)."""
    keys = sorted({name_key(name) for name in names} - {""})
    found: dict[str, list[Named]] = {key: [] for key in keys}
    for start in range(0, len(keys), _BATCH):
        query = (
            select(
                SpeciesNameRow.key,
                SpeciesRow.taxon_id,
                SpeciesRow.name,
                SpeciesRow.rank,
                SpeciesRow.listing,
                SpeciesNameRow.kind,
            )
            .join(SpeciesRow, SpeciesRow.taxon_id == SpeciesNameRow.taxon_id)
            .where(SpeciesNameRow.key.in_(keys[start : start + _BATCH]))
            .order_by(SpeciesNameRow.key, SpeciesRow.taxon_id)
        )
        for key, taxon_id, name, rank, listing, kind in session.execute(query):
            found[key].append(Named(taxon_id, name, rank, listing, kind))
    return found


def species_by_ids(session: Session, ids: Iterable[int]) -> dict[int, SpeciesRow]:
    """Taxa by id."""
    wanted = sorted(set(ids))
    return {
        row.taxon_id: row
        for row in session.scalars(select(SpeciesRow).where(SpeciesRow.taxon_id.in_(wanted)))
    }


def taxa_within(session: Session, taxon_id: int) -> list[int]:
    """A taxon and, for a genus or family, every taxon in it: what a seizure of it may be filed as."""
    row = session.get(SpeciesRow, taxon_id)
    if row is None:
        return []
    if row.rank == "GENUS":
        condition = SpeciesRow.genus == row.name
    elif row.rank == "FAMILY":
        condition = SpeciesRow.family == row.name
    else:
        return [taxon_id]
    return sorted({taxon_id, *session.scalars(select(SpeciesRow.taxon_id).where(condition))})
