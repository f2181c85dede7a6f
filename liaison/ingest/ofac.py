"""Read the US Treasury OFAC SDN list in its legacy CSV format.

`sdn.csv` streams; the side files beside it (`alt.csv` aliases, `add.csv` addresses and
`sdn_comments.csv`, the rest of remarks cut off at 1,000 characters) are small and are loaded
first, keyed by ent_num. Each row gives a subject, its `Sanction`, and the passports,
identifications and crypto wallets its remarks name, all with the row's line number.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from followthemoney.proxy import EntityProxy
from followthemoney.util import make_entity_id

from liaison.errors import BadInput, NotFound
from liaison.ingest.base import Record, add_value, check_exists, csv_rows, make_entity, member, text_lines
from liaison.ingest.ofac_remarks import Remarks, parse_remarks

__all__ = ["AUTHORITY", "read_ofac", "split_person_name", "split_programs"]

AUTHORITY = "US Office of Foreign Assets Control"

_SCHEMATA = {"individual": "Person", "": "Organization", "vessel": "Vessel", "aircraft": "Airplane"}
# The legacy files have no header; their columns, as Treasury's documentation names them.
_SDN_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
_ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
_ADD_COLUMNS = ("ent_num", "Add_num", "Address", "City/State/Province/Postal Code", "Country", "Add_remarks")
_COMMENT_COLUMNS = ("ent_num", "Remarks_Extended")
# The legacy files mark an empty cell with '-0-' and may end with a DOS end-of-file character.
_EMPTY = "-0-"
_BLANK = " \t\r\n\x1a"
# Where a fact goes when the subject's schema lacks the property (an entity's 'nationality').
_FALLBACK = {"nationality": "country", "citizenship": "country", "socialSecurityNumber": "idNumber"}
_WEAK_ALIAS_RE = re.compile(r"weak|low.quality", re.IGNORECASE)
_HONORIFICS = ("Dr.", "Prof.")
_SUFFIXES = ("Jr.", "Sr.", "II", "III")


@dataclass(frozen=True, slots=True)
class _SideRow:
    source: str
    line: int
    cells: list[str]


@dataclass(frozen=True, slots=True)
class _SideFiles:
    aliases: dict[int, list[_SideRow]]
    addresses: dict[int, list[_SideRow]]
    comments: dict[int, list[_SideRow]]


def read_ofac(path: Path) -> Iterator[Record]:
    """Yield the entities of an OFAC SDN list: PATH is `sdn.csv` or the folder holding it.

    Raises `NotFound` for a missing file and `BadInput`, naming file, line and field, for a
    wrong column count, a file ending inside a quoted field (cut short), a non-numeric ent_num,
    undecodable text or an oversized value.
    """
    sdn_path = _locate(path)
    folder = sdn_path.parent
    side = _SideFiles(
        aliases=_load_side(member(folder, "alt.csv"), _ALT_COLUMNS),
        addresses=_load_side(member(folder, "add.csv"), _ADD_COLUMNS),
        comments=_load_side(member(folder, "sdn_comments.csv"), _COMMENT_COLUMNS),
    )
    source = str(sdn_path)
    with text_lines(sdn_path) as handle:
        for line, row in csv_rows(sdn_path, handle, names=_SDN_COLUMNS):
            if _is_padding(row):
                continue
            ent_num = _ent_num(source, line, row)
            yield from _read_subject(source, line, ent_num, [_cell(value) for value in row], side)


def _locate(path: Path) -> Path:
    if path.is_dir():
        found = member(path, "sdn.csv")
        if found is None:
            raise NotFound(f"{path}: no sdn.csv in this folder")
        return found
    check_exists(path)
    return path


def _load_side(path: Path | None, columns: tuple[str, ...]) -> dict[int, list[_SideRow]]:
    rows: dict[int, list[_SideRow]] = defaultdict(list)
    if path is None:
        return rows
    source = str(path)
    with text_lines(path) as handle:
        for line, row in csv_rows(path, handle, names=columns):
            if not _is_padding(row):
                ent_num = _ent_num(source, line, row)
                rows[ent_num].append(_SideRow(source, line, [_cell(value) for value in row]))
    return rows


def _is_padding(row: list[str]) -> bool:
    return not "".join(row).strip(_BLANK)


def _ent_num(source: str, line: int, row: list[str]) -> int:
    """A row's ent_num (csv_rows has checked the row's shape)."""
    ent_num = row[0].strip()
    if not (ent_num.isascii() and ent_num.isdigit()):
        raise BadInput.at(source, line, "ent_num", f"not a number: {ent_num[:40]!r}")
    return int(ent_num)


def _cell(value: str) -> str:
    value = value.strip(_BLANK)
    return "" if value == _EMPTY else value


def split_programs(text: str) -> list[str]:
    """Split '[SDGT] [IRGC]' (or the unbalanced 'SDGT] [IFSR' OFAC also writes) into codes."""
    return [code.strip() for code in re.split(r"\]\s*\[", text.strip().strip("[]")) if code.strip()]


def _read_subject(
    source: str, line: int, ent_num: int, cells: list[str], side: _SideFiles
) -> Iterator[Record]:
    sdn_type, program, title = cells[2], cells[3], cells[4]
    schema = _SCHEMATA.get(sdn_type.lower())
    if schema is None:
        raise BadInput.at(source, line, "SDN_Type", f"unknown type {sdn_type[:40]!r}")
    proxy = make_entity(schema, source, line)
    proxy.id = f"ofac-{ent_num}"
    notes = _add_columns(proxy, cells, source, line)
    remarks = parse_remarks(cells[11] + "".join(row.cells[1] for row in side.comments.get(ent_num, [])))
    notes += _add_facts(proxy, remarks, source, line)
    for alt in side.aliases.get(ent_num, []):
        _add_side_alias(proxy, alt)
    for address in side.addresses.get(ent_num, []):
        _add_side_address(proxy, address)
    add_value(proxy, "topics", "sanction", source, line)
    children = _children(proxy, remarks, source, line, notes)
    for note in [*notes, *remarks.notes]:
        if note.rstrip(".") != title.rstrip("."):  # the Title column repeats in the remarks
            add_value(proxy, "notes", note, source, line)
    yield Record(proxy, line)
    yield Record(_sanction(proxy, ent_num, program, remarks.provisions, source, line), line)
    for child in children.values():
        yield Record(child, line)


def _add_columns(proxy: EntityProxy, cells: list[str], source: str, line: int) -> list[str]:
    """Add the name, title and vessel columns; return what can only be a note."""
    name, title, call_sign, vess_type, tonnage, grt, flag, owner = cells[1], *cells[4:11]
    if not name:
        raise BadInput.at(source, line, "SDN_Name", "empty")
    values: dict[str, str] = {"name": name}
    notes = []
    if proxy.schema.name == "Person":
        full, first, last, honorific, suffix = split_person_name(name)
        values = {"name": full, "firstName": first, "lastName": last, "title": honorific}
        values |= {"nameSuffix": suffix, "position": title}
    elif title:
        notes.append(title)
    if proxy.schema.name == "Vessel":
        values |= {"callSign": call_sign, "type": vess_type, "flag": flag}
        values |= {"tonnage": tonnage.replace(",", ""), "grossRegisteredTonnage": grt.replace(",", "")}
        if owner:
            notes.append(f"Owner: {owner}")
    if proxy.schema.name == "Airplane":
        # A few aircraft are listed by their serial number ('MSN 164'), not their registration.
        serial = re.fullmatch(r"MSN\s+(\S+)", name)
        values["serialNumber" if serial else "registrationNumber"] = serial[1] if serial else name
    for prop, value in values.items():
        add_value(proxy, prop, value, source, line, strict=prop == "name")
    return notes


def _add_facts(proxy: EntityProxy, remarks: Remarks, source: str, line: int) -> list[str]:
    """Add the facts read from the remarks; return the remarks whose facts the schema cannot hold."""
    notes = []
    for fact in remarks.facts:
        prop = fact.prop if proxy.schema.get(fact.prop) else _FALLBACK.get(fact.prop, "")
        value = fact.value
        if prop in ("alias", "previousName") and proxy.schema.name == "Person":
            value = split_person_name(value)[0]
        if not (proxy.schema.get(prop) and add_value(proxy, prop, value, source, line, strict=False)):
            notes.append(fact.remark)
    return notes


def split_person_name(text: str) -> tuple[str, str, str, str, str]:
    """Read OFAC's 'LAST, First[, Jr.]' as (full name, first, last, title, suffix).

    An honorific such as 'Dr.' opening the given names is a title, not a name.
    """
    parts = [part.strip() for part in text.split(",")]
    suffix = parts.pop() if len(parts) > 2 and parts[-1] in _SUFFIXES else ""
    last, first = parts[0], ", ".join(parts[1:])
    title = ""
    for honorific in _HONORIFICS:
        if first.startswith(honorific + " "):
            title, first = honorific, first[len(honorific) :].strip()
    return f"{first} {last}".strip(), first, last, title, suffix


def _add_side_alias(proxy: EntityProxy, alt: _SideRow) -> None:
    _, _, alt_type, alt_name, alt_remarks = alt.cells
    prop = "previousName" if alt_type.lower() == "fka" else "alias"
    if _WEAK_ALIAS_RE.search(alt_remarks):
        prop = "weakAlias"
    if proxy.schema.is_a("Person"):
        alt_name = split_person_name(alt_name)[0]
    add_value(proxy, prop, alt_name, alt.source, alt.line, strict=False)
    if alt_remarks and prop != "weakAlias":
        add_value(proxy, "notes", f"{alt_name}: {alt_remarks}", alt.source, alt.line)


def _add_side_address(proxy: EntityProxy, address: _SideRow) -> None:
    _, _, street, city, country, add_remarks = address.cells
    full = ", ".join(part for part in (street, city, country) if part)
    if street or city:
        add_value(proxy, "address", full, address.source, address.line, strict=False)
    add_value(proxy, "country", country, address.source, address.line, strict=False)
    if add_remarks:
        add_value(proxy, "notes", f"{full}: {add_remarks}", address.source, address.line)


def _child(
    subject: EntityProxy,
    schema: str,
    key: tuple[str | None, ...],
    values: dict[str, str | None],
    source: str,
    where: int,
) -> tuple[str, EntityProxy]:
    """An entity that belongs to one subject, with a stable id from the subject's id and `key`."""
    digest = make_entity_id(schema, *key)
    assert digest is not None  # the schema name is never empty, so there is always something to hash
    entity_id = f"{subject.id}-{schema.lower()}-{digest[:16]}"
    entity = make_entity(schema, source, where)
    entity.id = entity_id
    add_value(entity, "holder", subject.id, source, where)
    for prop, value in values.items():
        add_value(entity, prop, value, source, where, strict=False)
    return entity_id, entity


def _children(
    subject: EntityProxy, remarks: Remarks, source: str, line: int, notes: list[str]
) -> dict[str, EntityProxy]:
    """Put document numbers on the subject and build its passports, identifications and wallets.

    They need a holder, which FtM allows only for a legal entity: a vessel keeps them as values or notes.
    """
    children: dict[str, EntityProxy] = {}  # by id: OFAC sometimes lists a document twice
    holder = subject.schema.is_a("LegalEntity")
    for doc in remarks.documents:
        prop = doc.prop if subject.schema.get(doc.prop) else _FALLBACK.get(doc.prop, "")
        if not (
            prop
            and subject.schema.get(prop)
            and add_value(subject, prop, doc.number, source, line, strict=False)
        ):
            notes.append(doc.remark)
        elif holder:
            schema = "Passport" if prop == "passportNumber" else "Identification"
            values = {"number": doc.number, "type": doc.kind, "country": doc.country}
            values |= {"startDate": doc.issued, "endDate": doc.expires}
            entity_id, child = _child(
                subject, schema, (doc.kind, doc.number, doc.country), values, source, line
            )
            children[entity_id] = child
    for wallet in remarks.wallets:
        if not holder:
            notes.append(wallet.remark)
            continue
        values = {"publicKey": wallet.address, "currency": wallet.currency}
        key = (wallet.currency, wallet.address)
        entity_id, child = _child(subject, "CryptoWallet", key, values, source, line)
        children[entity_id] = child
    return children


def _sanction(
    subject: EntityProxy, ent_num: int, program: str, provisions: list[str], source: str, line: int
) -> EntityProxy:
    sanction = make_entity("Sanction", source, line)
    sanction.id = f"ofac-sanction-{ent_num}"
    add_value(sanction, "entity", subject.id, source, line)
    add_value(sanction, "authority", AUTHORITY, source, line)
    add_value(sanction, "authorityId", str(ent_num), source, line)
    add_value(sanction, "country", "us", source, line)
    for code in split_programs(program):
        add_value(sanction, "program", code, source, line)
    for provision in provisions:
        add_value(sanction, "provisions", provision, source, line)
    return sanction
