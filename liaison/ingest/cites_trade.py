"""CITES trade records: the CITES Trade Database's comparative tabulation (CSV), legal trade as
importers and exporters each reported it.

Each row: year, appendix, taxon ("Manis spp." stands for the genus), importer, exporter and
origin (ISO codes; XX unknown), the quantity the importer reported and the one the exporter
reported (either may be missing), the term traded (live, skins, scales…), its unit (empty: a
count), purpose and source codes (I: confiscated or seized specimens). Quantities in grams are
kept as kilograms. A bad row refuses the file, naming line and column.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from liaison.errors import BadInput
from liaison.ingest.base import csv_rows, text_lines

__all__ = ["COLUMNS", "TradeRecord", "read_cites_trade"]

COLUMNS = (
    "Year",
    "App.",
    "Taxon",
    "Importer",
    "Exporter",
    "Origin",
    "Importer reported quantity",
    "Exporter reported quantity",
    "Term",
    "Unit",
    "Purpose",
    "Source",
)
_APPENDICES = {"I", "II", "III", "N"}
_UNITS = {"g": ("kg", 0.001), "kg": ("kg", 1.0)}


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """One line of the comparative tabulation."""

    line: int
    year: int
    appendix: str
    taxon: str
    importer: str
    exporter: str
    origin: str
    importer_quantity: float | None
    exporter_quantity: float | None
    term: str
    unit: str
    purpose: str
    source: str


def _quantity(text: str, factor: float, source: str, line: int, column: str) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadInput.at(source, line, column, f"{text[:40]!r} is not a number") from None
    if not 0 <= value < 1e12:
        raise BadInput.at(source, line, column, f"{text[:40]!r} is out of range")
    return value * factor


def _code(text: str, source: str, line: int, column: str) -> str:
    code = text.strip().upper()
    if code and not (len(code) == 2 and code.isalpha()):
        raise BadInput.at(source, line, column, f"{text[:40]!r} is not a two-letter country code")
    return code


def read_cites_trade(path: Path) -> Iterator[TradeRecord]:
    """Every row of a comparative tabulation CSV, checked."""
    source = str(path)
    with text_lines(path) as lines:
        rows = csv_rows(path, lines)
        header = next((cells for _line, cells in rows), [])
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            raise BadInput.at(
                source, 1, None, f"not a CITES comparative tabulation: missing {', '.join(missing)}"
            )
        for line, cells in rows:  # csv_rows refuses a row of another width than the header's
            row = dict(zip(header, cells, strict=True))
            year = row["Year"].strip()
            if not (year.isdigit() and 1975 <= int(year) <= 2100):
                raise BadInput.at(source, line, "Year", f"{year[:40]!r} is not a year")
            if row["App."].strip() not in _APPENDICES:
                raise BadInput.at(source, line, "App.", f"{row['App.'][:40]!r} is not a CITES appendix")
            unit, factor = _UNITS.get(row["Unit"].strip().lower(), (row["Unit"].strip().lower(), 1.0))
            taxon = row["Taxon"].strip()
            if not taxon:
                raise BadInput.at(source, line, "Taxon", "empty")
            importer, exporter, origin = (
                _code(row[name], source, line, name) for name in ("Importer", "Exporter", "Origin")
            )
            imported, exported = (
                _quantity(row[f"{side} reported quantity"], factor, source, line, f"{side} reported quantity")
                for side in ("Importer", "Exporter")
            )
            yield TradeRecord(
                line,
                int(year),
                row["App."].strip(),
                taxon,
                importer,
                exporter,
                origin,
                imported,
                exported,
                row["Term"].strip().lower(),
                unit,
                row["Purpose"].strip().upper(),
                row["Source"].strip().upper(),
            )
