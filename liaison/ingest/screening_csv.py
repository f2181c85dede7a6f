"""Screening queries from a CSV file: one query per row, a row error never stops the others.
A file whose rows do not fit its header (cut short, or ending inside a quoted field) is refused
whole: what it lacks would go unscreened unnoticed.

Recognised columns: `name` (required), `birth_date`, `nationality`, `gender`, `id_number`,
`country` and `schema` (default `Person`). Other columns are ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy

from liaison.errors import BadInput
from liaison.ingest.base import add_readable, csv_rows, text_lines
from liaison.matching.record import MATCHABLE

__all__ = ["COLUMNS", "ScreeningRow", "read_screening_csv"]

COLUMNS = ("name", "birth_date", "nationality", "gender", "id_number", "country", "schema")
# Which FtM property each column fills, by schema; the first the schema has is used.
_TARGETS = {
    "name": ("name",),
    "birth_date": ("birthDate", "incorporationDate", "buildDate"),
    "nationality": ("nationality", "jurisdiction", "flag", "country"),
    "gender": ("gender",),
    "id_number": ("idNumber", "registrationNumber", "imoNumber", "serialNumber", "accountNumber"),
    "country": ("country", "jurisdiction", "flag"),
}


@dataclass(frozen=True, slots=True)
class ScreeningRow:
    """One data row: its number (1 = first row after the header), the values read, and a query or
    an error; `notes` say which values the query was read without."""

    row: int
    values: dict[str, str]
    query: EntityProxy | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()


def read_screening_csv(path: Path) -> Iterator[ScreeningRow]:
    """Yield each row as a query or an error; a file without a `name` column is refused whole."""
    source = str(path)
    with text_lines(path) as lines:
        rows = csv_rows(path, lines)
        header_line = next(rows, None)
        if header_line is None:
            raise BadInput.at(source, 1, None, "empty file: expected a header with a 'name' column")
        header = [cell.strip().lower() for cell in header_line[1]]
        if "name" not in header:
            raise BadInput.at(
                source, 1, "name", f"no 'name' column in the header ({', '.join(header)[:200]})"
            )
        # csv_rows skips blank lines and refuses a row of another width than the header's.
        for number, (line, cells) in enumerate(rows, start=1):
            values = {
                column: cell.strip() for column, cell in zip(header, cells, strict=True) if column in COLUMNS
            }
            yield _query(source, line, number, values)


def _query(source: str, line: int, number: int, values: dict[str, str]) -> ScreeningRow:
    schema = values.get("schema") or "Person"
    if schema not in MATCHABLE:
        return ScreeningRow(
            number, values, error=f"row {number} (line {line}): field 'schema': cannot screen {schema!r}"
        )
    if not values.get("name"):
        return ScreeningRow(number, values, error=f"row {number} (line {line}): field 'name': empty")
    proxy = model.make_entity(schema)
    proxy.make_id("screening", str(number))
    notes: list[str] = []
    for column, props in _TARGETS.items():
        value = values.get(column)
        if not value:
            continue
        prop = next((name for name in props if proxy.schema.get(name)), None)
        if prop is None:
            continue
        # A field that cannot be read is left out, not the row: a bad date must not hide a name.
        note = add_readable(proxy, prop, value, column)
        if note is not None:
            notes.append(f"row {number} (line {line}): {note}")
    return ScreeningRow(number, values, query=proxy, notes=tuple(notes))
