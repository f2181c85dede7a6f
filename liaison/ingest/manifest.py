"""Passenger manifests in: UN/EDIFACT PAXLST messages or CSV files; PAXLST out.

A file that cannot be a manifest at all (not EDIFACT, not PAXLST, no flight, too large,
flight details that contradict each other) raises `BadInput` and nothing is returned. A
person whose entry cannot be accepted (an unreadable or future date, an unknown code, a
duplicate) becomes a `PassengerError`, and the others are still read.

PAXLST places are "segment N", counting every segment in the file from 1, UNA and UNB
included, as a person reading the file would count them. CSV places are "line N", the
header being line 1.

PAXLST departure and arrival times (DTM+189, DTM+232) carry no time zone; they are stored
as UTC as given. The WCO/IATA guide has carriers send the airports' local times, so a
consumer comparing them across airports must know the offset.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
from pydifact.constants import EDI_DEFAULT_DIRECTORY, EDI_DEFAULT_VERSION, Element
from pydifact.parser import Parser
from pydifact.segmentcollection import Interchange, Message
from pydifact.segments import Segment, SegmentFactory

from liaison.errors import BadInput
from liaison.ingest.base import check_exists, csv_rows, open_bytes, read_limited, text_lines
from liaison.model.manifest import (
    DOCUMENT_KINDS,
    GENDERS,
    MAX_PASSENGERS,
    Flight,
    Manifest,
    Passenger,
    PassengerError,
    TravelDocument,
)

__all__ = [
    "COLUMNS",
    "MAX_FIELD_CHARS",
    "MAX_FILE_BYTES",
    "read_manifest",
    "read_manifest_csv",
    "read_paxlst",
    "write_paxlst",
]

# A manifest of 1,000 people takes about 300 KB; a larger file is refused before it is parsed.
MAX_FILE_BYTES = 512 * 1024
# No name, number or code on a travel document comes near this.
MAX_FIELD_CHARS = 200

COLUMNS = (
    "surname",
    "given_names",
    "birth_date",
    "nationality",
    "gender",
    "document_type",
    "document_number",
    "document_country",
    "document_expiry",
)
FLIGHT_COLUMNS = ("flight", "departure", "arrival", "departure_time", "arrival_time")
PERSON_QUALIFIERS = frozenset({"FL", "FM", "DDT", "DDU"})  # passenger, crew, and both in transit

# ICAO Doc 9303 codes that are not ISO 3166 but are read from passports' machine-readable zones.
_ICAO_COUNTRIES: dict[str, str | None] = {
    "D": "de",
    "GBD": "gb",
    "GBN": "gb",
    "GBO": "gb",
    "GBP": "gb",
    "GBS": "gb",
    "RKS": "xk",
    "UNK": "xk",
    "XK": "xk",
    "EUE": "eu",
    "EU": "eu",
    "XXA": None,  # stateless, refugee and unspecified nationality: known codes, no country
    "XXB": None,
    "XXC": None,
    "XXX": None,
}
_ALPHA_3_BESIDE_ISO = {"xk": "RKS", "eu": "EUE"}
_GENDERS = {"m": "male", "f": "female", "x": "other", "u": None, "male": "male", "female": "female"}
_GENDER_CODES = {"male": "M", "female": "F", "other": "X"}
_KIND_CODES = {"passport": "P", "identity_card": "I", "visa": "V", "other": "F"}
# Character sets a UNB may declare besides UTF-8 (UNOW, UNOY) and ASCII (UNOA, UNOB).
_SYNTAX_ENCODINGS = {
    b"UNOC": "iso8859-1",
    b"UNOD": "iso8859-2",
    b"UNOE": "iso8859-5",
    b"UNOF": "iso8859-7",
    b"UNOG": "iso8859-3",
    b"UNOH": "iso8859-4",
    b"UNOI": "iso8859-6",
    b"UNOJ": "iso8859-8",
    b"UNOK": "iso8859-9",
}
_DEFAULT_UNA = "UNA:+.? '"
_ISO_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def read_manifest(path: Path, today: dt.date) -> Manifest:
    """Read a PAXLST file (it begins with UNA or UNB) or else a CSV file."""
    with open_bytes(path) as handle:
        head = handle.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith((b"UNA", b"UNB")):
        return read_paxlst(path, today)
    return read_manifest_csv(path, today)


def read_paxlst(path: Path, today: dt.date) -> Manifest:
    """Read a PAXLST interchange: its flight, its people (passengers and crew) and their documents.

    Several messages in one interchange (a long manifest split in parts) make one manifest;
    they must name the same flight.
    """
    source = str(path)
    text = _paxlst_text(path).lstrip("\ufeff \t\r\n")
    if not text.startswith(("UNA", "UNB")):
        raise BadInput.at(
            source, "segment 1", None, "not an EDIFACT interchange: it must begin with UNA or UNB"
        )
    return _PaxlstReader(source, today).read(_segments(source, text))


def read_manifest_csv(path: Path, today: dt.date) -> Manifest:
    """Read a CSV manifest, one person a row; a file without a `surname` column is refused whole.

    Columns are `COLUMNS`, plus flight columns that must agree on every row that fills them.
    """
    source = str(path)
    _check_size(path)
    people = _People(source)
    flight = _FlightParts(source)
    with text_lines(path) as lines:
        rows = csv_rows(path, lines)
        header_row = next(rows, None)
        if header_row is None:
            raise BadInput.at(source, 1, None, "empty file: expected a header with a 'surname' column")
        header = [cell.strip().lower() for cell in header_row[1]]
        if "surname" not in header:
            raise BadInput.at(
                source, 1, "surname", f"no 'surname' column in the header ({', '.join(header)[:200]})"
            )
        for line, cells in rows:  # csv_rows skips blank lines and refuses a row of another width
            position = people.count_one()
            if position is None:
                continue  # past the limit: count the rest to report it, keep nothing
            values = {column: cell.strip() for column, cell in zip(header, cells, strict=True)}
            for column in FLIGHT_COLUMNS:
                text = values.get(column)
                if text and column.endswith("_time"):
                    flight.give(column, flight.iso_time(column, text, line), line)
                elif text:
                    flight.give(column, text, line)
            draft = _Draft(position, f"line {line}")
            try:
                _fill_from_row(draft, values, today)
            except _Refused as exc:
                draft.refuse(str(exc))
            people.add(draft)
    people.check_count()
    return Manifest(source, "csv", flight.flight(), tuple(people.passengers), tuple(people.errors))


def write_paxlst(
    manifest: Manifest, *, sender: str = "LIAISON", recipient: str = "BORDER", now: dt.datetime
) -> str:
    """Write a manifest as a PAXLST interchange (D.02B, as the WCO/IATA guide has it).

    Dates are written with their century (CCYYMMDD, format 102), partial birth dates as
    CCYY (602) or CCYYMM (610), so that reading the text back gives the same people. The
    character set is UNOA for ASCII text, else UNOY: write the text out as UTF-8.
    """
    message = Message("1", ["PAXLST", "D", "02B", "UN", "IATA"])
    segments = [Segment("BGM", "745"), Segment("NAD", "MS", "", "", sender)]
    flight = manifest.flight
    segments.append(Segment("TDT", "20", flight.number))
    if flight.departure:
        segments.append(Segment("LOC", "125", flight.departure))
    if flight.departs_at is not None:
        segments.append(Segment("DTM", ["189", f"{flight.departs_at.astimezone(dt.UTC):%y%m%d%H%M}", "201"]))
    if flight.arrival:
        segments.append(Segment("LOC", "87", flight.arrival))
    if flight.arrives_at is not None:
        segments.append(Segment("DTM", ["232", f"{flight.arrives_at.astimezone(dt.UTC):%y%m%d%H%M}", "201"]))
    for passenger in manifest.passengers:
        segments.extend(_passenger_segments(manifest.source, passenger))
    segments.append(Segment("CNT", ["42", str(len(manifest.passengers))]))
    message.add_segments(segments)
    # Names are the only free text; codes, numbers and dates are ASCII by construction.
    texts = [sender, recipient, flight.number, flight.departure, flight.arrival]
    texts += [part for p in manifest.passengers for part in (p.surname, p.given_names)]
    syntax = "UNOA" if all(text.isascii() for text in texts) else "UNOY"
    interchange = Interchange(sender, recipient, f"{now:%y%m%d%H%M}", (syntax, 4), timestamp=now)
    interchange.has_una_segment = True
    interchange.add_message(message)
    return interchange.serialize()


def _passenger_segments(source: str, passenger: Passenger) -> list[Segment]:
    """One person's group: NAD+FL, ATT, DTM+329, NAT, then DOC, DTM+36 and LOC+91 per document."""
    names = [passenger.surname, passenger.given_names] if passenger.given_names else [passenger.surname]
    segments = [Segment("NAD", "FL", "", "", names)]
    if passenger.gender is not None:
        segments.append(Segment("ATT", "2", "", _GENDER_CODES[passenger.gender]))
    if passenger.birth_date is not None:
        digits = passenger.birth_date.replace("-", "")
        code = {4: "602", 6: "610"}.get(len(digits), "102")
        segments.append(Segment("DTM", ["329", digits, code]))
    if passenger.nationality is not None:
        segments.append(Segment("NAT", "2", _alpha_3(source, passenger, passenger.nationality)))
    for document in passenger.documents:
        segments.append(Segment("DOC", [_KIND_CODES[document.kind], "110", "111"], document.number))
        if document.expiry is not None:
            segments.append(Segment("DTM", ["36", f"{document.expiry:%Y%m%d}", "102"]))
        if document.country is not None:
            segments.append(Segment("LOC", "91", _alpha_3(source, passenger, document.country)))
    return segments


def _alpha_3(source: str, passenger: Passenger, country: str) -> str:
    """The alpha-3 code PAXLST wants for one of our alpha-2 countries (ICAO's for Kosovo and the EU)."""
    found = pycountry.countries.get(alpha_2=country.upper())
    if found is not None:
        return str(found.alpha_3)
    if country in _ALPHA_3_BESIDE_ISO:
        return _ALPHA_3_BESIDE_ISO[country]
    raise BadInput.at(source, passenger.where, "country", f"no ISO 3166 alpha-3 code for {country!r}")


def _shown(value: str | dt.datetime) -> str:
    """A flight part as a message shows it."""
    return value.isoformat() if isinstance(value, dt.datetime) else value


class _Refused(Exception):
    """A person's entry cannot be accepted; the message names the field."""


@dataclass(slots=True)
class _DocumentDraft:
    """A travel document as it is being read."""

    kind: str
    number: str
    country: str | None = None
    expiry: dt.date | None = None


@dataclass(slots=True)
class _Draft:
    """One person's entry as it is being read; the first problem met refuses it."""

    position: int
    where: str
    surname: str = ""
    given_names: str = ""
    birth_date: str | None = None
    nationality: str | None = None
    gender: str | None = None
    documents: list[_DocumentDraft] = field(default_factory=list)
    problem: str | None = None

    def refuse(self, problem: str) -> None:
        """Record why the entry is refused, keeping the first reason."""
        if self.problem is None:
            self.problem = problem

    def passenger(self) -> Passenger:
        """The finished passenger, or `_Refused` if a required part is missing."""
        if not self.surname:
            raise _Refused("field 'surname': empty")
        documents = tuple(TravelDocument(d.kind, d.number, d.country, d.expiry) for d in self.documents)
        return Passenger(
            self.position,
            self.where,
            self.surname,
            self.given_names,
            self.birth_date,
            self.nationality,
            self.gender,
            documents,
        )


class _People:
    """The people of a manifest: accepted, refused or duplicate, counted against the limit."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.count = 0
        self.passengers: list[Passenger] = []
        self.errors: list[PassengerError] = []
        self._seen: dict[tuple[str, str, str], Passenger] = {}

    def count_one(self) -> int | None:
        """Count one more person and return its position; None past the limit, so nothing is kept."""
        self.count += 1
        return self.count if self.count <= MAX_PASSENGERS else None

    def add(self, draft: _Draft) -> None:
        """Accept the person, or record why not: a problem or a duplicate of an earlier person."""
        try:
            if draft.problem is not None:
                raise _Refused(draft.problem)
            passenger = draft.passenger()
        except _Refused as exc:
            self.errors.append(PassengerError(draft.position, draft.where, str(exc)))
            return
        earlier = self._seen.get(passenger.key())
        if earlier is not None:
            problem = f"duplicates passenger {earlier.position} ({earlier.where})"
            self.errors.append(PassengerError(passenger.position, passenger.where, problem))
            return
        self._seen[passenger.key()] = passenger
        self.passengers.append(passenger)

    def check_count(self) -> None:
        """Refuse the whole file when it holds more people than one flight can."""
        if self.count > MAX_PASSENGERS:
            problem = f"{self.count} passengers exceed the {MAX_PASSENGERS} one manifest may hold"
            raise BadInput.at(self.source, None, None, f"{problem}; split it by flight")


class _FlightParts:
    """The flight as read: a part given many times (each CSV row, each PAXLST message) must not vary."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: dict[str, tuple[str | dt.datetime, str]] = {}

    def give(self, name: str, value: str | dt.datetime, where: int | str) -> None:
        """Take one part, refusing the file if it differs from the value given earlier."""
        if isinstance(value, str):
            if len(value) > MAX_FIELD_CHARS:
                problem = f"value of {len(value)} characters exceeds the limit of {MAX_FIELD_CHARS}"
                raise BadInput.at(self.source, where, name, problem)
            value = re.sub(r"\s+", "", value).upper()
        place = f"line {where}" if isinstance(where, int) else where
        earlier, earlier_place = self.parts.setdefault(name, (value, place))
        if earlier != value:
            problem = f"{_shown(value)!r} differs from {_shown(earlier)!r} given on {earlier_place}"
            raise BadInput.at(self.source, where, name, problem)

    def iso_time(self, name: str, text: str, where: int | str) -> dt.datetime:
        """Read an ISO 8601 date and time as UTC; one without a zone is taken as UTC."""
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError as exc:
            problem = f"cannot read {text[:40]!r} as a date and time"
            raise BadInput.at(self.source, where, name, problem) from exc
        return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)

    def flight(self) -> Flight:
        """The flight; a part never given is "" or None."""

        def text(name: str) -> str:
            value = self.parts.get(name, ("", ""))[0]
            return value if isinstance(value, str) else ""

        def moment(name: str) -> dt.datetime | None:
            value = self.parts.get(name, (None, ""))[0]
            return value if isinstance(value, dt.datetime) else None

        return Flight(
            text("flight"),
            text("departure"),
            text("arrival"),
            moment("departure_time"),
            moment("arrival_time"),
        )


# The values every reader shares.


def _field(value: str, name: str) -> str:
    """A stripped value with runs of white space made one space; too long a value is refused."""
    text = " ".join(value.split())
    if len(text) > MAX_FIELD_CHARS:
        raise _Refused(
            f"field '{name}': value of {len(text)} characters exceeds the limit of {MAX_FIELD_CHARS}"
        )
    return text


def _country(value: str, name: str) -> str | None:
    """An ISO 3166 alpha-2 or alpha-3 code, or an ICAO one, as FtM's lower-case alpha-2."""
    text = _field(value, name).upper()
    if not text:
        return None
    if text in _ICAO_COUNTRIES:
        return _ICAO_COUNTRIES[text]
    found = None
    if len(text) == 2:
        found = pycountry.countries.get(alpha_2=text)
    elif len(text) == 3:
        found = pycountry.countries.get(alpha_3=text)
    if found is None:
        raise _Refused(f"field '{name}': unknown country code {text!r}")
    return str(found.alpha_2).lower()


def _gender(value: str) -> str | None:
    """FtM's gender for M, F, X (other) or U (unknown, so None), or the FtM value itself."""
    text = _field(value, "gender").lower()
    if not text or text in GENDERS:
        return text or None
    if text not in _GENDERS:
        raise _Refused(f"field 'gender': unknown gender {value!r}; use M, F, X or U")
    return _GENDERS[text]


def _document(kind: str, number: str) -> _DocumentDraft:
    """A document from its kind (a PAXLST code or our kind name) and number, kept as A-Z0-9."""
    code = _field(kind, "document_type")
    found = DOCUMENT_KINDS.get(code.upper()) or (code.lower() if code.lower() in _KIND_CODES else None)
    if found is None:
        raise _Refused(f"field 'document_type': unknown document code {code!r}")
    cleaned = re.sub(r"[^A-Z0-9]", "", _field(number, "document_number").upper())
    if not cleaned:
        raise _Refused("field 'document_number': empty")
    return _DocumentDraft(found, cleaned)


def _not_future(iso: str, today: dt.date) -> str:
    """Refuse a birth date after today; a partial date is compared with as much of today."""
    if iso > today.isoformat()[: len(iso)]:
        raise _Refused(f"field 'birth_date': {iso} is in the future")
    return iso


# CSV rows.


def _fill_from_row(draft: _Draft, values: dict[str, str], today: dt.date) -> None:
    """Fill a draft from one CSV row's cells, by column name; raises `_Refused` at the first problem."""
    draft.surname = _field(values.get("surname", ""), "surname")
    draft.given_names = _field(values.get("given_names", ""), "given_names")
    birth = _field(values.get("birth_date", ""), "birth_date")
    draft.birth_date = _not_future(_iso_date(birth, "birth_date"), today) if birth else None
    draft.nationality = _country(values.get("nationality", ""), "nationality")
    draft.gender = _gender(values.get("gender", ""))
    kind, number = values.get("document_type", ""), values.get("document_number", "")
    country, expiry = values.get("document_country", ""), values.get("document_expiry", "")
    if not (kind or number or country or expiry):
        return
    # A number without a type is kept as "other": the number is what screening needs.
    document = _document(kind or "other", number)
    document.country = _country(country, "document_country")
    if expiry:
        full = _iso_date(_field(expiry, "document_expiry"), "document_expiry")
        if len(full) != 10:
            raise _Refused(f"field 'document_expiry': {expiry!r} is not a full date (YYYY-MM-DD)")
        document.expiry = dt.date.fromisoformat(full)
    draft.documents.append(document)


def _iso_date(text: str, name: str) -> str:
    """An ISO date, possibly partial (YYYY or YYYY-MM), checked to exist."""
    match = _ISO_PARTIAL_DATE.fullmatch(text)
    if match is not None:
        year, month, day = match.groups()
        try:
            dt.date(int(year), int(month or 1), int(day or 1))
        except ValueError:
            pass
        else:
            return text
    raise _Refused(f"field '{name}': cannot read {text[:40]!r} as an ISO date (YYYY-MM-DD)")


# PAXLST.


def _check_size(path: Path) -> None:
    """Refuse a missing file, or one larger than a manifest can be, before reading it."""
    check_exists(path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BadInput.at(
            str(path), None, None, f"{size:,} bytes exceed the {MAX_FILE_BYTES:,} a manifest file may take"
        )


def _paxlst_text(path: Path) -> str:
    """The file's text: UTF-8 (so ASCII too), or the ISO 8859 set its UNB declares."""
    _check_size(path)
    data = read_limited(path, MAX_FILE_BYTES, "a manifest file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        declared = re.search(rb"UNB.(UNO[A-Z])", data[:200])
        encoding = _SYNTAX_ENCODINGS.get(declared.group(1)) if declared else None
        if encoding is not None:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                pass
        problem = f"not valid UTF-8 text (byte {exc.start}) and no ISO 8859 character set declared in UNB"
        raise BadInput.at(str(path), None, None, problem) from exc


class _UncheckedSegments(SegmentFactory):
    """pydifact's segment factory without its per-segment validation.

    That validation only checks service segments against syntax files this pydifact does not
    ship, and warns for each one; our reader checks what it uses itself.
    """

    @staticmethod
    def create_segment(
        name: str,
        *elements: Element,
        validate: bool = True,
        version: str = EDI_DEFAULT_VERSION,
        directory: str = EDI_DEFAULT_DIRECTORY,
    ) -> Segment:
        """Create the segment, never validating it."""
        return SegmentFactory.create_segment(
            name, *elements, validate=False, version=version, directory=directory
        )


def _segments(source: str, text: str) -> Iterator[tuple[str, Segment]]:
    """Yield ("segment N", segment) one at a time, so memory does not grow with the file.

    Without a UNA, the default one is put in front: pydifact would otherwise look for "'UNA"
    anywhere in the text, and find it in an escaped name such as O?'UNAGH. It is not counted.
    """
    given_una = text.startswith("UNA")
    parsed = Parser(factory=_UncheckedSegments()).parse(text if given_una else _DEFAULT_UNA + text)
    number = 0 if given_una else -1
    while True:
        try:
            segment = next(parsed)
        except StopIteration:
            return
        except Exception as exc:  # pydifact raises IndexError and ValueError too, not only EDISyntaxError
            where = f"segment {max(number + 1, 1)}"
            raise BadInput.at(source, where, None, f"cannot read it as EDIFACT ({exc})") from exc
        number += 1
        if number > 0:
            yield f"segment {number}", segment


def _component(element: Element | None, index: int) -> str:
    """Component `index` of a data element, "" if absent; a simple element is its own component 0."""
    if element is None:
        return ""
    if isinstance(element, str):
        return element if index == 0 else ""
    return element[index] if index < len(element) else ""


class _PaxlstReader:
    """One read of a PAXLST interchange: where it is in the structure and what it has read."""

    def __init__(self, source: str, today: dt.date) -> None:
        self.source = source
        self.today = today
        self.people = _People(source)
        self.flight = _FlightParts(source)
        self.message: str | None = None  # where the open message's UNH is
        self.messages = 0
        self.message_people = 0
        self.has_transport = False
        self.in_people = False  # past the first person, LOC and DTM belong to people
        self.draft: _Draft | None = None

    def read(self, segments: Iterator[tuple[str, Segment]]) -> Manifest:
        """Read every segment and return the manifest, or raise `BadInput` for the whole file."""
        first = True
        for where, segment in segments:
            if segment.tag == "UNA":
                continue
            if first and segment.tag != "UNB":
                problem = f"not an EDIFACT interchange: it begins with {segment.tag}, not UNB"
                raise BadInput.at(self.source, where, None, problem)
            first = False
            self._segment(where, segment)
        if self.message is not None:
            raise BadInput.at(
                self.source, self.message, None, "the message has no UNT: the file is cut short"
            )
        if self.messages == 0:
            raise BadInput.at(self.source, None, None, "not a PAXLST manifest: no message (UNH) in it")
        self.people.check_count()
        flight = self.flight.flight()
        return Manifest(
            self.source, "paxlst", flight, tuple(self.people.passengers), tuple(self.people.errors)
        )

    def _segment(self, where: str, segment: Segment) -> None:
        """Route one segment by tag, and by whether a person's group is open."""
        tag = segment.tag
        if tag in ("UNB", "UNG", "UNE", "UNZ"):
            return
        if tag == "UNH":
            self._open(where, segment)
        elif self.message is None:
            raise BadInput.at(self.source, where, None, f"{tag} segment outside a message (UNH to UNT)")
        elif tag == "UNT":
            self._close_person()
            if not self.has_transport:
                problem = "no TDT segment: a PAXLST manifest must name its flight"
                raise BadInput.at(self.source, self.message, None, problem)
            self.message = None
        elif tag == "NAD":
            self._person(where, segment)
        elif tag == "CNT":
            self._control_total(where, segment)
        elif tag == "TDT":
            self.has_transport = True
            if _component(segment[0], 0) == "20":
                self.flight.give("flight", _component(segment[1], 0), where)
        elif self.draft is not None:
            try:
                self._person_detail(segment)
            except _Refused as exc:
                self.draft.refuse(str(exc) if where == self.draft.where else f"{exc} ({where})")
        elif not self.in_people:
            self._flight_detail(where, segment)

    def _open(self, where: str, segment: Segment) -> None:
        """Open a message at UNH, which must be a PAXLST one."""
        if self.message is not None:
            raise BadInput.at(
                self.source, where, None, f"UNH before the UNT of the message at {self.message}"
            )
        kind = _component(segment[1], 0)
        if kind != "PAXLST":
            raise BadInput.at(self.source, where, None, f"not a PAXLST manifest: the message is {kind!r}")
        self.message = where
        self.messages += 1
        self.message_people = 0
        self.has_transport = False
        self.in_people = False

    def _person(self, where: str, segment: Segment) -> None:
        """Close the open person at any NAD; open a new one if the NAD names a passenger or crew."""
        self._close_person()
        if _component(segment[0], 0) not in PERSON_QUALIFIERS:
            return  # the reporting party (MS) or another party: its details are not a person's
        self.in_people = True
        self.message_people += 1
        position = self.people.count_one()
        if position is None:
            return
        draft = _Draft(position, where)
        self.draft = draft
        name = segment[3]
        components = [name] if isinstance(name, str) else list(name or [])[:5]
        try:
            draft.surname = _field(_component(components, 0), "surname")
            draft.given_names = _field(" ".join(components[1:]), "given_names")
        except _Refused as exc:
            draft.refuse(str(exc))

    def _close_person(self) -> None:
        """Hand the open person, if any, to the people read."""
        if self.draft is not None:
            self.people.add(self.draft)
            self.draft = None

    def _person_detail(self, segment: Segment) -> None:
        """Read one segment of the open person's group; raises `_Refused` for a value it rejects."""
        draft = self.draft
        assert draft is not None
        qualifier = _component(segment[0], 0)
        if segment.tag == "ATT" and qualifier == "2":
            draft.gender = _gender(_component(segment[2], 0))
        elif segment.tag == "NAT" and qualifier == "2":
            draft.nationality = _country(_component(segment[1], 0), "nationality")
        elif segment.tag == "DOC":
            draft.documents.append(_document(qualifier, _component(segment[1], 0)))
        elif segment.tag == "DTM" and qualifier in ("329", "36"):
            code = _component(segment[0], 2)
            if qualifier == "329":
                value = _field(_component(segment[0], 1), "birth_date")
                draft.birth_date = _not_future(_birth_date(value, code, self.today), self.today)
            else:
                value = _field(_component(segment[0], 1), "document_expiry")
                self._document(draft, "document_expiry").expiry = _expiry(value, self.today)
        elif segment.tag == "LOC" and qualifier == "91":
            country = _country(_component(segment[1], 0), "document_country")
            self._document(draft, "document_country").country = country
        # Anything else in a person's group (RFF, FTX, LOC+178, unknown tags) is not ours to read.

    @staticmethod
    def _document(draft: _Draft, name: str) -> _DocumentDraft:
        """The document DTM+36 and LOC+91 apply to: the person's last DOC."""
        if not draft.documents:
            raise _Refused(f"field '{name}': given before any DOC segment")
        return draft.documents[-1]

    def _flight_detail(self, where: str, segment: Segment) -> None:
        """Read LOC+125, LOC+87, DTM+189 and DTM+232 before the first person."""
        qualifier = _component(segment[0], 0)
        if segment.tag == "LOC" and qualifier in ("125", "87"):
            name = "departure" if qualifier == "125" else "arrival"
            self.flight.give(name, _component(segment[1], 0), where)
        elif segment.tag == "DTM" and qualifier in ("189", "232"):
            name = "departure_time" if qualifier == "189" else "arrival_time"
            # YYMMDDHHMM (format 201) as the guide has it, or CCYYMMDDHHMM (203). Flights are of
            # this century, where %y would put 69 to 99 in the last; the length is checked as
            # strptime would read short fields out of a string of the wrong length.
            text = _component(segment[0], 1)
            full = f"20{text}" if len(text) == 10 else text
            try:
                moment = dt.datetime.strptime(full, "%Y%m%d%H%M") if len(full) == 12 else None
            except ValueError:
                moment = None
            if moment is None or not full.isdigit():
                problem = f"cannot read {text[:40]!r} as a date and time (YYMMDDHHMM)"
                raise BadInput.at(self.source, where, name, problem)
            # PAXLST gives no zone: see the module docstring.
            self.flight.give(name, moment.replace(tzinfo=dt.UTC), where)

    def _control_total(self, where: str, segment: Segment) -> None:
        """Compare CNT+42 (passengers) or CNT+41 (crew) with the people of the message."""
        self._close_person()
        if _component(segment[0], 0) not in ("41", "42"):
            return
        stated = _component(segment[0], 1)
        if not stated.isdigit() or int(stated) != self.message_people:
            problem = f"control total CNT says {stated!r} people, the message holds {self.message_people}"
            self.people.errors.append(PassengerError(0, where, problem))


def _birth_date(value: str, code: str, today: dt.date) -> str:
    """A PAXLST birth date as ISO; YYMMDD takes the latest century that puts it in the past."""
    digits = value.isdigit()
    if digits and (code == "602" or (len(value) == 4 and not code)):
        return _iso_date(value, "birth_date")
    if digits and len(value) == 6 and code == "610":
        return _iso_date(f"{value[:4]}-{value[4:]}", "birth_date")
    if digits and len(value) == 8:
        return _iso_date(f"{value[:4]}-{value[4:6]}-{value[6:]}", "birth_date")
    if digits and len(value) == 6:
        for century in (2000, 1900):
            try:
                day = dt.date(century + int(value[:2]), int(value[2:4]), int(value[4:]))
            except ValueError:
                continue
            if day <= today:
                return day.isoformat()
    raise _Refused(f"field 'birth_date': cannot read {value!r} as a date (format {code or 'not given'})")


def _expiry(value: str, today: dt.date) -> dt.date:
    """A document's expiry; YYMMDD is read within 50 years of today, as documents are short-lived."""
    try:
        if value.isdigit() and len(value) == 8:
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
        if value.isdigit() and len(value) == 6:
            year = 2000 + int(value[:2])
            return dt.date(year if year <= today.year + 50 else year - 100, int(value[2:4]), int(value[4:]))
    except ValueError:
        pass
    raise _Refused(f"field 'document_expiry': cannot read {value!r} as a date")
