"""Read the UK sanctions list published as normalised tables: subjects plus four child tables.

Each subject becomes a `Person`, `Organization` or `Vessel` with id `uk-{unique_id}`, followed
by its `Sanction` and any `Passport` or `Identification` documents, all at the subject's line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from followthemoney.proxy import EntityProxy
from followthemoney.types import registry
from followthemoney.util import make_entity_id
from rigour.ids import IMO

from liaison.errors import BadInput, NotFound
from liaison.ingest.base import Record, add_value, csv_rows, make_entity, member, text_lines

__all__ = ["AUTHORITY", "read_uk"]

AUTHORITY = "UK Office of Financial Sanctions Implementation"

SUBJECTS = "subjects.csv"
NAMES = "subject_names.csv"
DOBS = "subject_dobs.csv"
IDENTIFIERS = "subject_identifiers.csv"
COUNTRIES = "subject_countries.csv"

# Columns read from each file, after unique_id; any other column may come and go.
SUBJECT_COLUMNS = ("subject_type", "un_reference_number", "date_designated", "last_updated")
CHILD_COLUMNS = {
    NAMES: (
        "name_type",
        "alias_strength",
        "full_name",
        "name_1",
        "name_2",
        "name_3",
        "name_4",
        "name_5",
        "name_6",
    ),
    DOBS: ("year", "month", "day", "precision"),
    IDENTIFIERS: ("identifier_type", "raw_value", "additional_info"),
    COUNTRIES: ("country_type", "iso", "raw_value"),
}

SCHEMAS = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}

# OFSI's format: Name 1 is the given name, Names 2-5 further names, Name 6 the family name.
NAME_PART_PROPS = ("firstName", "middleName", "middleName", "middleName", "middleName", "lastName")
OWN_NAME_TYPES = {"primary", "primary_variation"}
PRECISION_PARTS = {"year_only": 1, "month_year": 2, "exact": 3}
COUNTRY_PROPS = {"birth": "birthCountry", "nationality": "nationality", "citizenship": "citizenship"}
IDENTIFIER_PROPS = {
    "passport": "passportNumber",
    "national": "idNumber",
    "imo": "imoNumber",
    "business_registration_numbers": "registrationNumber",
}
DOCUMENT_SCHEMAS = {"passport": "Passport", "national": "Identification"}

# The unique_id prefix names the regime the designation was made under.
REGIMES = {
    "AFG": "Afghanistan",
    "AQD": "ISIL (Da'esh) and Al-Qaida",
    "BEL": "Belarus",
    "BIH": "Bosnia and Herzegovina",
    "CAF": "Central African Republic",
    "CHW": "Chemical Weapons",
    "CTD": "Counter-Terrorism (Domestic)",
    "CTI": "Counter-Terrorism (International)",
    "CYB": "Cyber",
    "DPR": "Democratic People's Republic of Korea",
    "DRC": "Democratic Republic of the Congo",
    "GAC": "Global Anti-Corruption",
    "GHR": "Global Human Rights",
    "GIM": "Global Irregular Migration and Trafficking in Persons",
    "GUB": "Republic of Guinea-Bissau",
    "GUC": "Republic of Guinea",
    "HAI": "Haiti",
    "INU": "Iran (Nuclear)",
    "IRN": "Iran",
    "IRQ": "Iraq",
    "LIB": "Libya",
    "MAL": "Mali",
    "MYA": "Myanmar",
    "NIC": "Nicaragua",
    "RUS": "Russia",
    "SOM": "Somalia",
    "SSU": "South Sudan",
    "SUD": "Sudan",
    "SYR": "Syria",
    "VEN": "Venezuela",
    "YEM": "Yemen",
}

# Distinct child rows of one subject, each with the line it first appeared on. The tables
# repeat rows many times over, so keeping distinct values keeps them small.
Group = dict[tuple[str, ...], int]


def read_uk(path: Path) -> Iterator[Record]:
    """Read the UK sanctions list directory, refusing at once a missing directory or file.

    Subjects stream from subjects.csv; the child tables are grouped in memory first, because
    subject_identifiers.csv and subject_countries.csv are not ordered by unique_id (rows of
    AFG0055 recur after other subjects'), which rules out a merge-join.
    """
    if not path.exists():
        raise NotFound(f"{path}: directory does not exist")
    if not path.is_dir():
        raise BadInput(f"{path}: not a directory")
    files: dict[str, Path] = {}
    for name in (SUBJECTS, *CHILD_COLUMNS):
        found = member(path, name)
        if found is None:
            raise BadInput(f"{path / name}: required file of the UK sanctions list is missing")
        files[name] = found
    return _read(files)


def _read(files: dict[str, Path]) -> Iterator[Record]:
    """Yield each subject, its Sanction and documents; child rows left over name a missing subject."""
    children = {name: _group(files[name], columns) for name, columns in CHILD_COLUMNS.items()}
    source = str(files[SUBJECTS])
    sources = {name: str(files[name]) for name in CHILD_COLUMNS}
    seen: set[str] = set()
    for line, (uid, subject_type, un_ref, designated, updated) in _rows(files[SUBJECTS], SUBJECT_COLUMNS):
        if uid in seen:
            raise BadInput.at(source, line, "unique_id", f"subject {uid!r} is listed twice")
        seen.add(uid)
        schema = SCHEMAS.get(subject_type)
        if schema is None:
            raise BadInput.at(source, line, "subject_type", f"unknown subject type {subject_type[:40]!r}")
        proxy = make_entity(schema, source, line)
        proxy.id = f"uk-{uid}"
        if registry.entity.clean(proxy.id) is None:
            raise BadInput.at(source, line, "unique_id", f"{uid[:40]!r} cannot form an entity id")
        add_value(proxy, "topics", "sanction", source, line)
        rows = {name: table.pop(uid, {}) for name, table in children.items()}
        _add_names(proxy, sources[NAMES], rows[NAMES])
        _add_birth_dates(proxy, sources[DOBS], rows[DOBS])
        _add_countries(proxy, sources[COUNTRIES], rows[COUNTRIES])
        documents = _add_identifiers(proxy, sources[IDENTIFIERS], rows[IDENTIFIERS])
        yield Record(proxy, line)
        yield Record(_sanction(proxy, uid, un_ref, designated, updated, source, line), line)
        for document in documents:
            yield Record(document, line)
    for name, table in children.items():
        for uid, group in table.items():
            raise BadInput.at(
                sources[name], min(group.values()), "unique_id", f"{uid!r} is not in {SUBJECTS}"
            )


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, tuple[str, ...]]]:
    """Yield (line, (unique_id, *columns)) from one table, checking its header and row shapes."""
    source = str(path)
    wanted = ("unique_id", *columns)
    # utf-8-sig: a byte-order mark from a spreadsheet export must not hide the first column.
    with text_lines(path) as handle:
        rows = csv_rows(path, handle)
        header = next(rows, (1, []))[1]
        for column in wanted:
            if column not in header:
                raise BadInput.at(source, 1, column, "required column is missing")
        index = [header.index(column) for column in wanted]
        for line, row in rows:  # csv_rows skips blank lines and refuses a row of another width
            values = tuple(row[i] for i in index)
            if not values[0].strip():
                raise BadInput.at(source, line, "unique_id", "is empty")
            yield line, (values[0].strip(), *values[1:])


def _group(path: Path, columns: tuple[str, ...]) -> dict[str, Group]:
    """Group a child table's distinct rows by unique_id, keeping each row's first line."""
    groups: dict[str, Group] = {}
    for line, (uid, *values) in _rows(path, columns):
        groups.setdefault(uid, {}).setdefault(tuple(values), line)
    return groups


def _add_names(proxy: EntityProxy, source: str, group: Group) -> None:
    """Add names: primary as name, weak aliases as weakAlias, variations and aliases as alias."""
    for (name_type, strength, full_name, *parts), line in group.items():
        if name_type == "primary":
            prop = "name"
        elif strength == "low_quality_aka":
            prop = "weakAlias"
        else:
            prop = "alias"
        text = full_name.strip() or " ".join(part.strip() for part in parts if part.strip())
        add_value(proxy, prop, text, source, line, strict=False)
        # Parts of aliases would pair one identity's given name with another's family name.
        if name_type in OWN_NAME_TYPES and proxy.schema.is_a("Person"):
            for part_prop, part in zip(NAME_PART_PROPS, parts, strict=True):
                add_value(proxy, part_prop, part, source, line, strict=False)


def _add_birth_dates(proxy: EntityProxy, source: str, group: Group) -> None:
    """Add birth dates cut to their stated precision; parts that are not numbers end the date."""
    for (year, month, day, precision), line in group.items():
        parts: list[str] = []
        for part in (year, month, day)[: PRECISION_PARTS.get(precision, 3)]:
            if not part.strip().isdigit():
                break
            parts.append(part.strip().zfill(2))
        add_value(proxy, "birthDate", "-".join(parts), source, line, strict=False)


def _add_countries(proxy: EntityProxy, source: str, group: Group) -> None:
    """Add countries by type; addresses and unknown types give plain `country`."""
    for (country_type, iso, raw_value), line in group.items():
        prop = COUNTRY_PROPS.get(country_type, "country")
        # iso is empty where the publisher's lookup failed (Kosovo); FtM's lookup of the name may not.
        add_value(proxy, prop, iso or raw_value, source, line, strict=False)


def _add_identifiers(proxy: EntityProxy, source: str, group: Group) -> list[EntityProxy]:
    """Add identifier numbers to the subject and return a Passport or Identification per document."""
    documents: dict[str, EntityProxy] = {}
    for (id_type, raw_value, info), line in group.items():
        number = raw_value.strip()
        if id_type == "imo":
            number = IMO.normalize(number) or number
        prop = IDENTIFIER_PROPS.get(id_type, "registrationNumber")
        schema = DOCUMENT_SCHEMAS.get(id_type)
        if not add_value(proxy, prop, number, source, line, strict=False) or schema is None:
            continue
        doc_id = f"{proxy.id}-{schema.lower()}-{make_entity_id(number)}"
        document = documents.get(doc_id)
        if document is None:
            document = documents[doc_id] = make_entity(schema, source, line)
            document.id = doc_id
            add_value(document, "holder", proxy.id, source, line)
            add_value(document, "number", number, source, line)
        add_value(document, "summary", info, source, line, strict=False)
        # additional_info is free text, but often just the issuing country ("Sudan", "Pakistan").
        add_value(document, "country", info, source, line, strict=False)
    return list(documents.values())


def _sanction(
    proxy: EntityProxy, uid: str, un_ref: str, designated: str, updated: str, source: str, line: int
) -> EntityProxy:
    """Build the subject's Sanction: regime from the unique_id prefix, dates from the listing."""
    sanction = make_entity("Sanction", source, line)
    sanction.id = f"uk-sanction-{uid}"
    add_value(sanction, "entity", proxy.id, source, line)
    add_value(sanction, "authority", AUTHORITY, source, line)
    add_value(sanction, "authorityId", uid, source, line)
    prefix = re.match(r"[A-Za-z]+", uid)
    if prefix is not None:
        code = prefix.group().upper()
        add_value(sanction, "programId", code, source, line)
        add_value(sanction, "program", REGIMES.get(code, code), source, line)
    add_value(sanction, "unscId", un_ref, source, line, strict=False)
    listed = _date(designated, source, line, "date_designated")
    add_value(sanction, "listingDate", listed, source, line)
    add_value(sanction, "startDate", listed, source, line)
    if updated.strip():
        add_value(sanction, "modifiedAt", _date(updated, source, line, "last_updated"), source, line)
    return sanction


def _date(text: str, source: str, line: int, field: str) -> str:
    """Turn the list's dd/mm/yyyy into an ISO date, naming the field if it is not one."""
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date().isoformat()
    except ValueError as exc:
        raise BadInput.at(source, line, field, f"not a dd/mm/yyyy date: {text[:40]!r}") from exc
