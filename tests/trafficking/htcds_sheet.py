"""Reading the HTCDS 2.0 field standards spreadsheet (OpenDocument) independently of Liaison, to
check the picklists Liaison ships against the standard itself."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"


def _rows(path: Path) -> list[list[str]]:
    with zipfile.ZipFile(path) as archive:
        root = ElementTree.fromstring(archive.read("content.xml"))
    table = next(root.iter(f"{_TABLE}table"))
    rows = []
    for row in table.iter(f"{_TABLE}table-row"):
        cells: list[str] = []
        for cell in row.findall(f"{_TABLE}table-cell"):
            repeat = min(int(cell.get(f"{_TABLE}number-columns-repeated", "1")), 20)
            text = "\n".join("".join(part.itertext()) for part in cell.findall(f"{_TEXT}p"))
            cells.extend([text] * repeat)
        rows.append(cells)
    return rows


def htcds_fields(path: Path) -> dict[str, dict[str, Any]]:
    """Every field of the standard by its prefixed name: section, status, core, type and picklist."""
    rows = _rows(path)
    header = rows[0]
    fields: dict[str, dict[str, Any]] = {}
    section = ""
    for cells in rows[1:]:
        row = dict(zip(header, [*cells, *[""] * len(header)], strict=False))
        if row["Section"].strip():
            section = " ".join(row["Section"].split())
            continue
        name = row["Field Name including Prefix"].strip()
        if not name or row["Status"] == "N/A":
            continue
        values = [value.strip() for value in row["Value Names (if picklist)"].split("\n") if value.strip()]
        labels = [label.strip() for label in row["Value Labels (if picklist)"].split("\n") if label.strip()]
        picklist = (
            "Picklist" in row["Field Type"] and values and len(values) == len(labels) and " " not in values[0]
        )
        fields[name] = {
            "section": section,
            "status": row["Status"],
            "core": row["Core"] == "Core",
            "type": row["Field Type"],
            "values": dict(zip(values, labels, strict=True)) if picklist else {},
        }
    return fields
