"""The CITES species index (Species+ "Index of CITES Species" export) in: taxa with their
appendix, and every name they go by (accepted, synonyms, English, Spanish and French names).

The file is a CSV, gzipped or not, of some 38,000 taxa; some fields run to several kB (the
distribution lists, 3,601 characters at most in the 2017 index), within the 65,536 of any value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import normality

from liaison.errors import BadInput
from liaison.ingest.base import csv_rows, text_lines

__all__ = ["Taxon", "name_key", "read_cites_species"]

_REQUIRED = ("TaxonId", "FullName", "RankName", "CurrentListing", "Kingdom", "Class", "Family", "Genus")
# A Latin name at the head of a synonym with its author: "Phataginus gigantea (Illiger, 1815)".
_LATIN = re.compile(r"^[A-Z][a-z-]+(?: (?:[a-z-]+|ssp\.|var\.)){0,3}")


@dataclass(frozen=True, slots=True)
class Taxon:
    """A CITES taxon and the names it is known by, each with its kind."""

    taxon_id: int
    name: str
    rank: str
    kingdom: str
    klass: str
    family: str
    genus: str
    listing: str
    names: tuple[tuple[str, str], ...]
    """(kind, name): kinds are accepted, synonym, en, es and fr."""


def name_key(text: str) -> str:
    """How a species name is looked up: lower case, accents and punctuation dropped, one space."""
    return normality.normalize(text, lowercase=True, latinize=True) or ""


def _common(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def read_cites_species(path: Path) -> Iterator[Taxon]:
    """The taxa of a CITES species index file, in file order; BadInput names the line and field."""
    with text_lines(path) as lines:
        rows = csv_rows(path, lines)
        header = next((cells for _line, cells in rows), [])
        missing = [field for field in _REQUIRED if field not in header]
        if missing:
            raise BadInput(f"{path}: not a CITES species index: no column {', '.join(missing)}")
        for line, cells in rows:  # csv_rows refuses a row of another width than the header's
            row = dict(zip(header, cells, strict=True))
            try:
                taxon_id = int(row["TaxonId"])
            except ValueError:
                raise BadInput.at(
                    str(path), line, "TaxonId", f"{row['TaxonId'][:20]!r} is not a number"
                ) from None
            name = row["FullName"].strip()
            if not name:
                raise BadInput.at(str(path), line, "FullName", "required")
            names = [("accepted", name)]
            names += [
                ("synonym", found.group(0))
                for part in row.get("SynonymsWithAuthors", "").split(", ")
                if (found := _LATIN.match(part.strip()))
            ]
            for kind, column in (("en", "EnglishNames"), ("es", "SpanishNames"), ("fr", "FrenchNames")):
                names += [(kind, common) for common in _common(row.get(column) or "")]
            yield Taxon(
                taxon_id,
                name,
                row["RankName"].strip(),
                row["Kingdom"].strip(),
                row["Class"].strip(),
                row["Family"].strip(),
                row["Genus"].strip(),
                row["CurrentListing"].strip(),
                tuple(dict.fromkeys(names)),
            )
