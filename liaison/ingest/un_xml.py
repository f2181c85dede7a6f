"""Read the UN Security Council consolidated sanctions list (XML) into FtM entities.

Each INDIVIDUAL becomes a `Person` and each ENTITY an `Organization`, followed by its
`Sanction` and identity documents. The file is streamed, entities are never resolved and a
DTD is refused at the root element, so a hostile file can neither read local files nor expand
itself in memory.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from followthemoney.proxy import EntityProxy
from lxml import etree  # type: ignore[import-untyped]
from normality import slugify

from liaison.errors import BadInput
from liaison.ingest.base import Record, add_value, make_entity, open_bytes

__all__ = ["read_un_xml"]

AUTHORITY = "United Nations Security Council"
ROOT_TAG = "CONSOLIDATED_LIST"
SCHEMATA = {"INDIVIDUAL": "Person", "ENTITY": "Organization"}
NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
# Alias QUALITY: individuals have Good/Low, entities a.k.a./f.k.a.; anything else is an alias.
ALIAS_PROPS = {"Low": "weakAlias", "f.k.a.": "previousName"}
# TYPE_OF_DOCUMENT is sometimes in French or Spanish, and TYPE_OF_DOCUMENT2 sometimes says
# "national passport" under a "National Identification Number" type.
PASSPORT_WORDS = ("passport", "passeport", "pasaporte")
# Most listings give gender only inside COMMENTS1, as "Gender: male".
GENDER_NOTE = re.compile(r"\bgender:\s*(male|female)\b", re.IGNORECASE)
# Several names in one field are separated by ";" and sometimes enumerated as "a) … b) …".
NAME_SEPARATOR = re.compile(r";|(?:^|\s)[a-z]\)\s")
MONTH_YEAR = re.compile(r"^([A-Za-z]+)\.?\s+(\d{4})$")
ANY_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# A BETWEEN birth date becomes one value per year so matching sees every candidate; a wider
# range than this says little and would let a hostile file add thousands of values.
MAX_YEAR_SPAN = 15


def read_un_xml(path: Path) -> Iterator[Record]:
    """Yield each listed Person or Organization, then its Sanction and documents.

    `where` is the line of the INDIVIDUAL or ENTITY element. A DTD, malformed XML or bytes
    outside the declared encoding raise `BadInput` naming the line and the element read.
    """
    source = str(path)
    with open_bytes(path) as handle:
        yield from _read(handle, source)


def _read(handle: IO[bytes], source: str) -> Iterator[Record]:
    events = etree.iterparse(
        handle,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    open_tags: list[str] = []
    record_line: int | None = None
    try:
        for event, el in events:
            if event == "start":
                if not open_tags:
                    _check_root(el, source)
                open_tags.append(el.tag)
                if el.tag in SCHEMATA:
                    record_line = el.sourceline
                continue
            open_tags.pop()
            if el.tag in SCHEMATA:
                record_line = None
                yield from _records(el, source)
                # Drop the finished record and its predecessors so memory stays flat.
                el.clear()
                parent = el.getparent()
                while el.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        line, problem = exc.lineno, exc.msg
        last = exc.error_log.last_error
        if not line and last is not None:
            # Without entity resolution lxml reports an undefined entity as "no element
            # found" at line 0; the parser's log keeps the real cause and line.
            line, problem = last.line, last.message
        reading = "/".join(open_tags) or "the document start"
        if record_line is not None:
            reading += f" (record begun at line {record_line})"
        raise BadInput.at(
            source, line, None, f"malformed XML or wrong encoding while reading {reading}: {problem}"
        ) from exc


def _check_root(root: Any, source: str) -> None:
    """Refuse a document with a DTD or another root, on the first event, before any record."""
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise BadInput.at(source, root.sourceline, None, "a DOCTYPE or entity declaration is not accepted")
    if root.tag != ROOT_TAG:
        raise BadInput.at(source, root.sourceline, None, f"root element is <{root.tag}>, not <{ROOT_TAG}>")


def _records(el: Any, source: str) -> Iterator[Record]:
    """Map one INDIVIDUAL or ENTITY element to its entity, Sanction and documents."""
    where: int = el.sourceline
    dataid = _text(el, "DATAID")
    if dataid is None or not dataid.isdigit():
        raise BadInput.at(source, where, "DATAID", f"missing or not a number: {dataid!r}")
    proxy = make_entity(SCHEMATA[el.tag], source, where)
    proxy.id = f"un-sc-{dataid}"
    add_value(proxy, "topics", "sanction", source, where)
    _add_names(proxy, el, source, where)
    for alias in el.iterchildren(f"{el.tag}_ALIAS"):
        _add_alias(proxy, alias, source, where)
    for address in el.iterchildren(f"{el.tag}_ADDRESS"):
        parts = [_text(address, tag) for tag in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")]
        add_value(proxy, "address", ", ".join(p for p in parts if p), source, where, strict=False)
        add_value(proxy, "country", _text(address, "COUNTRY"), source, where, strict=False)
    add_value(proxy, "notes", _text(el, "COMMENTS1"), source, where)
    documents: list[EntityProxy] = []
    if proxy.schema.is_a("Person"):
        _add_person_facts(proxy, el, source, where)
        documents = _documents(proxy, el, source, where)
    yield Record(proxy, where)
    yield Record(_sanction(proxy, el, dataid, source, where), where)
    for document in documents:
        yield Record(document, where)


def _add_names(proxy: EntityProxy, el: Any, source: str, where: int) -> None:
    """Add the full name, its parts and the original-script name."""
    parts = [part for part in (_text(el, tag) for tag in NAME_PARTS) if part]
    if not parts:
        raise BadInput.at(source, where, "FIRST_NAME", "the listing has no name")
    if proxy.schema.is_a("Person"):
        add_value(proxy, "name", " ".join(parts), source, where)
        # The UN name fields are positional, not given and family names (DPRK listings put
        # the family name first), so THIRD_NAME and FOURTH_NAME live only in the full name.
        add_value(proxy, "firstName", _text(el, "FIRST_NAME"), source, where)
        add_value(proxy, "secondName", _text(el, "SECOND_NAME"), source, where)
    else:
        for name in _split_names(" ".join(parts)):
            add_value(proxy, "name", name, source, where)
    add_value(proxy, "name", _text(el, "NAME_ORIGINAL_SCRIPT"), source, where)


def _add_alias(proxy: EntityProxy, alias: Any, source: str, where: int) -> None:
    """Add one alias by its quality, with the birth details some individual aliases carry."""
    prop = ALIAS_PROPS.get(_text(alias, "QUALITY") or "", "alias")
    for name in _split_names(_text(alias, "ALIAS_NAME") or ""):
        add_value(proxy, prop, name, source, where)
    if proxy.schema.is_a("Person"):
        add_value(proxy, "birthDate", _text(alias, "DATE_OF_BIRTH"), source, where)
        place = [_text(alias, "CITY_OF_BIRTH"), _text(alias, "COUNTRY_OF_BIRTH")]
        add_value(proxy, "birthPlace", ", ".join(p for p in place if p), source, where, strict=False)
        add_value(proxy, "birthCountry", _text(alias, "COUNTRY_OF_BIRTH"), source, where, strict=False)


def _add_person_facts(proxy: EntityProxy, el: Any, source: str, where: int) -> None:
    """Add what only individuals have: title, position, gender, nationality, birth."""
    for title in _texts(el, "TITLE/VALUE"):
        add_value(proxy, "title", title, source, where)
    for position in _texts(el, "DESIGNATION/VALUE"):
        add_value(proxy, "position", position, source, where)
    add_value(proxy, "gender", _text(el, "GENDER"), source, where, strict=False)
    gender = GENDER_NOTE.search(_text(el, "COMMENTS1") or "")
    if gender is not None:
        add_value(proxy, "gender", gender.group(1), source, where, strict=False)
    for country in _texts(el, "NATIONALITY/VALUE"):
        add_value(proxy, "nationality", country, source, where, strict=False)
    for birth in el.iterchildren("INDIVIDUAL_DATE_OF_BIRTH"):
        for date in _birth_dates(birth):
            add_value(proxy, "birthDate", date, source, where)
    for place in el.iterchildren("INDIVIDUAL_PLACE_OF_BIRTH"):
        parts = [_text(place, tag) for tag in ("STREET", "CITY", "STATE_PROVINCE", "COUNTRY")]
        add_value(proxy, "birthPlace", ", ".join(p for p in parts if p), source, where, strict=False)
        add_value(proxy, "birthCountry", _text(place, "COUNTRY"), source, where, strict=False)


def _birth_dates(birth: Any) -> list[str]:
    """Birth dates at their real precision: '1971-05-02', '1958-09' or '1971', one per candidate.

    TYPE_OF_DATE is implied by the fields present; FtM dates have no "approximately", so an
    approximate year stays a year. A NOTE such as "Nov. 1973" is read when nothing else is given.
    """
    date, year, note = _text(birth, "DATE"), _text(birth, "YEAR"), _text(birth, "NOTE") or ""
    if date:
        return [date]
    if year:
        month = _month(note)
        return [f"{year}-{month:02d}" if month else year]
    start, end = _text(birth, "FROM_YEAR"), _text(birth, "TO_YEAR")
    if start and end and start.isdigit() and end.isdigit() and 0 <= int(end) - int(start) <= MAX_YEAR_SPAN:
        return [str(y) for y in range(int(start), int(end) + 1)]
    if start or end:
        return [y for y in (start, end) if y]
    match = MONTH_YEAR.match(note)
    if match and (month := _month(match.group(1))):
        return [f"{match.group(2)}-{month:02d}"]
    return ANY_YEAR.findall(note)[:1]


def _month(word: str) -> int | None:
    """The month number of a name or abbreviation such as 'Sep.' or 'August'."""
    word = word.strip().lower().rstrip(".")
    if len(word) >= 3:
        for number, name in enumerate(MONTH_NAMES, start=1):
            if name.startswith(word):
                return number
    return None


def _documents(holder: EntityProxy, el: Any, source: str, where: int) -> list[EntityProxy]:
    """Make a Passport or Identification per numbered document, merging repeats of one number.

    The number is also set on the holder, as `passportNumber` or `idNumber`, so matching sees it.
    """
    documents: dict[str, EntityProxy] = {}
    for doc in el.iterchildren("INDIVIDUAL_DOCUMENT"):
        number = _text(doc, "NUMBER")
        if number is None:  # a document without a number identifies nobody
            continue
        types = [t for t in (_text(doc, "TYPE_OF_DOCUMENT"), _text(doc, "TYPE_OF_DOCUMENT2")) if t]
        passport = any(word in t.lower() for t in types for word in PASSPORT_WORDS)
        add_value(holder, "passportNumber" if passport else "idNumber", number, source, where, strict=False)
        document = make_entity("Passport" if passport else "Identification", source, where)
        key = slugify(number, sep="") or hashlib.sha1(number.encode()).hexdigest()
        document.id = f"{holder.id}-{document.schema.name.lower()}-{key}"
        add_value(document, "holder", holder.id, source, where)
        add_value(document, "number", number, source, where)
        for kind in types:
            add_value(document, "type", kind, source, where)
        for tag in ("ISSUING_COUNTRY", "COUNTRY_OF_ISSUE"):
            add_value(document, "country", _text(doc, tag), source, where, strict=False)
        add_value(document, "startDate", _text(doc, "DATE_OF_ISSUE"), source, where)
        # FtM has no place of issue; the city of issue (at times the office itself, as in
        # "Stadt Bonn") is the nearest thing to the issuing authority the list gives.
        add_value(document, "authority", _text(doc, "CITY_OF_ISSUE"), source, where)
        add_value(document, "summary", _text(doc, "NOTE"), source, where)
        if document.id in documents:
            documents[document.id].merge(document)
        else:
            documents[document.id] = document
    return list(documents.values())


def _sanction(proxy: EntityProxy, el: Any, dataid: str, source: str, where: int) -> EntityProxy:
    """The listing itself: regime, reference number, listing date and last update."""
    sanction = make_entity("Sanction", source, where)
    sanction.id = f"un-sc-sanction-{dataid}"
    add_value(sanction, "entity", proxy.id, source, where)
    add_value(sanction, "authority", AUTHORITY, source, where)
    add_value(sanction, "program", _text(el, "UN_LIST_TYPE"), source, where)
    reference = _text(el, "REFERENCE_NUMBER")
    add_value(sanction, "authorityId", reference, source, where)
    add_value(sanction, "unscId", reference, source, where)
    add_value(sanction, "listingDate", _text(el, "LISTED_ON"), source, where)
    # ISO dates sort as text; the latest update is when the listing last changed.
    updates = sorted(_texts(el, "LAST_DAY_UPDATED/VALUE"))
    if updates:
        add_value(sanction, "modifiedAt", updates[-1], source, where)
    return sanction


def _split_names(text: str) -> list[str]:
    """Split a field holding several names ('A; B', 'a) A b) B') into the names."""
    return [name.strip() for name in NAME_SEPARATOR.split(text) if name.strip()]


def _text(node: Any, path: str) -> str | None:
    """The whitespace-collapsed text of the first matching child, or None if empty."""
    value = node.findtext(path)
    return " ".join(value.split()) or None if value else None


def _texts(node: Any, path: str) -> list[str]:
    """The non-empty, whitespace-collapsed texts of every matching child."""
    return [
        " ".join(found.text.split()) for found in node.iterfind(path) if found.text and found.text.strip()
    ]
