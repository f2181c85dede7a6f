"""Seizure records from spreadsheets (xlsx) or CSV, through a mapping of columns to fields.

A mapping (YAML) names, for each field of a seizure, the column holding it by the start of its
header (real headers run to whole sentences): `date`, `year`, `country`, `location`, `species`,
`concealment`, and either `commodity`, `quantity` and `unit` columns or `measures`: a list of
(column, commodity, unit), the first holding a number wins. `route_before` and `route_after` name
the columns of the countries a shipment came through before the seizing country and was going to
after it. `values` maps a field's raw values to others (a null value skips the row, counted), and
`constants` fill fields the file leaves empty; `optional` lists fields whose unreadable values
count as missing (the year column still dates the seizure). `keep` reads only rows whose column
contains a text, and `skip_empty` skips rows with an empty cell in a column (a totals row).
`parties` names, per FtM schema (Person, Company, Organization, Vessel), the columns naming who
and what was involved, several names split by ";". Two
mappings ship with Liaison (`eia-pangolin`, `china-pangolin`); a path names any other.
Rows are read lazily; the first bad row stops the import, naming the file, sheet, row and field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from liaison.errors import BadInput
from liaison.ingest.base import MAX_VALUE_CHARS, check_exists, check_zip, csv_rows, text_lines
from liaison.ingest.seizure_mappings import BUILT_IN
from liaison.model.places import countries_in, country_of
from liaison.model.seizure import SeizureReport

__all__ = ["PARTY_SCHEMATA", "ReadSeizure", "SeizureMapping", "load_mapping", "read_seizures"]

_FIELDS = ("date", "year", "country", "location", "species", "concealment", "commodity", "quantity", "unit")
MAX_ROWS = 2_000_000


PARTY_SCHEMATA = ("Person", "Company", "Organization", "Vessel")
"""What a seizure's involved parties may be."""
MAX_PARTY_NAME = 200


@dataclass(frozen=True, slots=True)
class ReadSeizure:
    """A seizure read from a row, with where it came from; `report` None when the mapping skips it.

    `parties` are the (FtM schema, name) of the people, companies and vessels the row names."""

    where: str
    report: SeizureReport | None
    parties: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class SeizureMapping:
    """How a file's columns become seizures."""

    sheet: str | None = None
    keep: tuple[str, str] | None = None
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    measures: tuple[tuple[str, str, str], ...] = ()
    route_before: tuple[str, ...] = ()
    route_after: tuple[str, ...] = ()
    values: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    constants: Mapping[str, str] = field(default_factory=dict)
    optional: frozenset[str] = frozenset()
    """Fields whose unreadable values count as missing (a date column holding "SPLIT 2014-2015")."""
    skip_empty: tuple[str, ...] = ()
    """Columns whose empty cell marks a row that is no record (a totals row), skipped."""
    parties: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Columns naming the people, companies and vessels involved, per FtM schema."""


def _columns(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise BadInput(f"{where}: a column header, or a list of them")


def load_mapping(name: str) -> SeizureMapping:
    """A built-in mapping by name, or a mapping file by path; BadInput names what is wrong."""
    path = BUILT_IN.get(name) or Path(name)
    check_exists(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: not a YAML mapping: {exc}") from None
    if not isinstance(data, dict):
        raise BadInput(f"{path}: not a mapping")
    unknown = sorted(
        set(data)
        - {
            "sheet",
            "keep",
            "fields",
            "measures",
            "route_before",
            "route_after",
            "values",
            "constants",
            "optional",
            "skip_empty",
            "parties",
        }
    )
    if unknown:
        raise BadInput(f"{path}: unknown key {unknown[0]!r}")
    fields = {
        key: _columns(value, f"{path}: fields.{key}") for key, value in (data.get("fields") or {}).items()
    }
    wrong = sorted(set(fields) - set(_FIELDS))
    if wrong:
        raise BadInput(f"{path}: fields.{wrong[0]}: not a seizure field; use {', '.join(_FIELDS)}")
    measures = []
    for number, item in enumerate(data.get("measures") or ()):
        if not isinstance(item, dict) or not {"column", "commodity", "unit"} <= set(item):
            raise BadInput(f"{path}: measures[{number}]: needs column, commodity and unit")
        measures.append((str(item["column"]), str(item["commodity"]), str(item["unit"])))
    parties = {
        str(schema): _columns(columns, f"{path}: parties.{schema}")
        for schema, columns in (data.get("parties") or {}).items()
    }
    odd = sorted(set(parties) - set(PARTY_SCHEMATA))
    if odd:
        raise BadInput(f"{path}: parties.{odd[0]}: use one of {', '.join(PARTY_SCHEMATA)}")
    keep = data.get("keep")
    if keep is not None and not (isinstance(keep, dict) and {"column", "contains"} <= set(keep)):
        raise BadInput(f"{path}: keep: needs column and contains")
    return SeizureMapping(
        sheet=data.get("sheet"),
        keep=(str(keep["column"]), str(keep["contains"])) if keep else None,
        fields=fields,
        measures=tuple(measures),
        route_before=_columns(data.get("route_before") or [], f"{path}: route_before"),
        route_after=_columns(data.get("route_after") or [], f"{path}: route_after"),
        values={
            str(key): {str(raw): mapped for raw, mapped in (table or {}).items()}
            for key, table in (data.get("values") or {}).items()
        },
        constants={str(key): str(value) for key, value in (data.get("constants") or {}).items()},
        optional=frozenset(_columns(data.get("optional") or [], f"{path}: optional")),
        skip_empty=_columns(data.get("skip_empty") or [], f"{path}: skip_empty"),
        parties=parties,
    )


def _rows(path: Path, sheet: str | None) -> Iterator[tuple[str, Sequence[Any]]]:
    """(where, cells) of every row after the header row, the header first as ("header", cells)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        yield from _sheet_rows(path, sheet)
        return
    with text_lines(path) as lines:
        for line, cells in csv_rows(path, lines):
            yield ("header" if line == 1 else f"line {line}"), cells


def _sheet_rows(path: Path, sheet: str | None) -> Iterator[tuple[str, Sequence[Any]]]:
    import openpyxl  # only spreadsheet imports pay for it
    from openpyxl.utils import get_column_letter

    # An xlsx is a zip whose members openpyxl unpacks whole (the shared strings) or as it parses.
    check_zip(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise BadInput(f"{path}: not a readable spreadsheet: {type(exc).__name__}") from None
    try:
        name = sheet or book.sheetnames[0]
        if name not in book.sheetnames:
            raise BadInput(f"{path}: no sheet {name!r}; it has {', '.join(book.sheetnames)}")
        for number, cells in enumerate(book[name].iter_rows(values_only=True), start=1):
            for column, cell in enumerate(cells, start=1):
                if isinstance(cell, str) and len(cell) > MAX_VALUE_CHARS:
                    raise BadInput(
                        f"{path}: sheet {name!r} cell {get_column_letter(column)}{number}: "
                        f"{len(cell):,} characters, more than the {MAX_VALUE_CHARS:,} a value may have"
                    )
            yield ("header" if number == 1 else f"sheet {name!r} row {number}"), cells
    finally:
        book.close()


def _normal(text: object) -> str:
    return " ".join(str(text or "").split()).lower()


def _index(header: Sequence[Any], wanted: str, path: Path) -> int:
    key = _normal(wanted)
    for position, name in enumerate(header):
        if _normal(name).startswith(key):
            return position
    raise BadInput(f"{path}: no column whose header starts with {wanted!r}")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        return float(str(value).replace(",", "").strip())
    except ValueError:
        return None


def _date(value: Any, where: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise BadInput(f"{where}: field 'date': {text[:40]!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")


def read_seizures(path: Path, mapping: SeizureMapping, today: dt.date) -> Iterator[ReadSeizure]:
    """The seizures of a file through a mapping; species are resolved by the import, not here."""
    check_exists(path)
    rows = _rows(path, mapping.sheet)
    _label, header = next(rows, ("header", ()))
    columns = {key: [_index(header, name, path) for name in names] for key, names in mapping.fields.items()}
    measures = [
        (_index(header, column, path), commodity, unit) for column, commodity, unit in mapping.measures
    ]
    before = [_index(header, name, path) for name in mapping.route_before]
    after = [_index(header, name, path) for name in mapping.route_after]
    keep = (_index(header, mapping.keep[0], path), mapping.keep[1].lower()) if mapping.keep else None
    required = [_index(header, name, path) for name in mapping.skip_empty]
    parties = [
        (schema, _index(header, name, path)) for schema, names in mapping.parties.items() for name in names
    ]
    for count, (label, cells) in enumerate(rows, start=1):
        if count > MAX_ROWS:
            raise BadInput(f"{path}: more than {MAX_ROWS:,} rows; split the file")
        where = f"{path}: {label}"
        if not any(_text(cell) for cell in cells):
            continue
        if keep is not None and keep[1] not in _text(_cell(cells, keep[0])).lower():
            continue
        if any(not _text(_cell(cells, position)) for position in required):
            yield ReadSeizure(where, None)
            continue
        read = _seizure(where, cells, mapping, columns, measures, before, after, today)
        yield replace(read, parties=_parties(where, cells, parties)) if read.report and parties else read


def _parties(where: str, cells: Sequence[Any], columns: list[tuple[str, int]]) -> tuple[tuple[str, str], ...]:
    found: dict[tuple[str, str], None] = {}
    for schema, position in columns:
        for name in _text(_cell(cells, position)).split(";"):
            name = " ".join(name.split())
            if len(name) > MAX_PARTY_NAME:
                raise BadInput(f"{where}: field '{schema}': a name of {len(name):,} characters")
            if name:
                found[(schema, name)] = None
    return tuple(found)


def _cell(cells: Sequence[Any], position: int) -> Any:
    return cells[position] if position < len(cells) else None


def _seizure(
    where: str,
    cells: Sequence[Any],
    mapping: SeizureMapping,
    columns: Mapping[str, list[int]],
    measures: list[tuple[int, str, str]],
    before: list[int],
    after: list[int],
    today: dt.date,
) -> ReadSeizure:
    raw: dict[str, Any] = dict(mapping.constants)
    for key, positions in columns.items():
        found = [_cell(cells, position) for position in positions]
        value = (
            found[0] if key in ("date", "year", "quantity") else "; ".join(t for t in map(_text, found) if t)
        )
        if _text(value):  # an empty cell leaves the mapping's constant, if it has one
            raw[key] = value
    for key, table in mapping.values.items():
        text = _text(raw.get(key))
        if text in table:
            if table[text] is None:
                return ReadSeizure(where, None)
            raw[key] = table[text]
    quantity, unit, commodity = (
        _number(raw.get("quantity")),
        _text(raw.get("unit")),
        _text(raw.get("commodity")),
    )
    for position, measured, measure in measures:
        value = _number(_cell(cells, position))
        if value is not None:
            quantity, commodity, unit = value, measured, measure
            break
    country = country_of(_text(raw.get("country")))
    if country is None:
        raise BadInput(f"{where}: field 'country': {_text(raw.get('country'))[:60]!r} names no country")
    route = [code for position in before for code in _stop(cells, position)]
    route.append(country)
    route += [code for position in after for code in _stop(cells, position)]
    # A country named twice in a row is one stop.
    path = tuple(code for number, code in enumerate(route) if number == 0 or route[number - 1] != code)
    year = _number(raw.get("year"))
    try:
        day = _date(raw.get("date"), where)
    except BadInput:
        if "date" not in mapping.optional:
            raise
        day = None
    try:
        report = SeizureReport.parse(
            day=day,
            year=int(year) if year is not None else None,
            country=country,
            location=_text(raw.get("location")),
            species=_first_species(_text(raw.get("species"))),
            commodity=commodity or "other",
            quantity=quantity,
            unit=unit or "kg",
            concealment=_text(raw.get("concealment")),
            route=path if len(path) > 1 else (),
            today=today,
        )
    except BadInput as exc:
        raise BadInput(f"{where}: {exc}") from None
    return ReadSeizure(where, report)


def _stop(cells: Sequence[Any], position: int) -> list[str]:
    # A cell naming several countries ("Malaysia Indonesia") gives alternatives in no known order:
    # it is left off the route rather than drawn as a leg between them.
    found = countries_in(_text(_cell(cells, position)))
    return found if len(found) == 1 else []


def _first_species(text: str) -> str:
    # "Manis javanica / Manis pentadactyla": the first species named stands for the seizure.
    for separator in ("/", ","):
        text = text.split(separator)[0]
    return text.strip()
