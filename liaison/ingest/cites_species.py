"""The CITES species index (Species+ "Index of CITES Species" export) in: taxa with their
appendix, and every name they go by (accepted, synonyms, English, Spanish and French names).

The file is a CSV, gzipped or not, of some 38,000 taxa; some fields run to several kB (the
distribution lists), so the field limit is raised, but not beyond `MAX_FIELD`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import normality

from liaison.errors import BadInput
from liaison.ingest.base import open_text

__all__ = ["MAX_FIELD", "Taxon", "name_key", "read_cites_species"]

MAX_FIELD = 1_000_000
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
    csv.field_size_limit(MAX_FIELD)
    with open_text(path) as handle:
        try:
            reader = csv.DictReader(handle)
            missing = [field for field in _REQUIRED if field not in (reader.fieldnames or ())]
            if missing:
                raise BadInput(f"{path}: not a CITES species index: no column {', '.join(missing)}")
            for row in reader:
                line = reader.line_num
                try:
                    taxon_id = int(row["TaxonId"])
                except ValueError:
                    raise BadInput(f"{path}: line {line}: field 'TaxonId': {row['TaxonId'][:20]!r}") from None
                name = row["FullName"].strip()
                if not name:
                    raise BadInput(f"{path}: line {line}: field 'FullName': required")
                names = [("accepted", name)]
                names += [
                    ("synonym", found.group(0))
                    for part in row.get("SynonymsWithAuthors", "").split(", ")
                    if (found := _LATIN.match(part.strip()))
                ]
                for kind, column in (("en", "EnglishNames"), ("es", "SpanishNames"), ("fr", "FrenchNames")):
                    names += [(kind, common) for common in _common(row.get(column) or "")]
                yield Taxon(
                    taxon_id, name, row["RankName"].strip(), row["Kingdom"].strip(), row["Class"].strip(),
                    row["Family"].strip(), row["Genus"].strip(), row["CurrentListing"].strip(),
                    tuple(dict.fromkeys(names)),
                )  # fmt: skip
        except (csv.Error, UnicodeDecodeError, EOFError, OSError) as exc:
            raise BadInput(f"{path}: not a readable CSV: {exc}") from None
