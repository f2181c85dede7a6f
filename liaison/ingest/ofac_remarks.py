"""Turn the Remarks column of the OFAC SDN legacy CSV into structured facts.

OFAC packs dates of birth, documents, aliases and wallet addresses into one `;`-separated
text. This module is pure: text in, plain data out; the reader decides which facts the
subject's schema can hold and keeps the rest as notes, so no remark is ever lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from followthemoney.types import registry

__all__ = ["Document", "Fact", "Remarks", "Wallet", "parse_date", "parse_dob", "parse_remarks"]


@dataclass(frozen=True, slots=True)
class Fact:
    """One value for a property of the listed subject, with the remark it came from."""

    prop: str
    value: str
    remark: str


@dataclass(frozen=True, slots=True)
class Document:
    """A passport, identity, tax or registration number; `prop` receives it on the subject."""

    prop: str
    kind: str
    number: str
    country: str | None
    issued: str | None
    expires: str | None
    remark: str


@dataclass(frozen=True, slots=True)
class Wallet:
    """A digital currency address held by the subject."""

    currency: str
    address: str
    remark: str


@dataclass(slots=True)
class Remarks:
    """Everything read from one Remarks text; `provisions` describe the sanction, not the subject."""

    facts: list[Fact] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    wallets: list[Wallet] = field(default_factory=list)
    provisions: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _labels(text: str) -> tuple[str, ...]:
    return tuple(label.strip() for label in text.split("|") if label.strip())


# Document labels as OFAC writes them, by the subject property that receives the number.
# The list is the long tail seen in the 2021 and 2024 files; an unknown label stays a note.
_DOCUMENT_LABELS: dict[str, tuple[str, ...]] = {
    "passportNumber": _labels(
        "Passport | Diplomatic Passport | British National Overseas Passport | Stateless Person Passport"
    ),
    "idNumber": _labels(
        """National ID No. | Cedula No. | C.U.R.P. | C.U.R.P. # | Identification Number | D.N.I. |
        Electoral Registry No. | Driver's License No. | Birth Certificate Number | Personal ID Card |
        National Foreign ID Number | Credencial electoral | Cartilla de Servicio Militar Nacional |
        Residency Number | I.F.E. | C.U.I. | C.U.I.P. | LE Number | Turkish Identification Number |
        Numero de Identidad | Citizen's Card Number | Kenyan ID No. | Travel Document Number | VisaNumberID |
        Tazkira National ID Card | Immigration No. | Refugee ID Card | Pilot License Number |
        UAE Identification | Public Security and Immigration No. | Moroccan Personal ID No. |
        Bosnian Personal ID No. | N.I.E. | Stateless Person ID Card | CNP (Personal Numerical Code) |
        Romanian Permanent Resident | Seafarer's Identification Document | Military Registration Number"""
    ),
    "socialSecurityNumber": ("SSN",),
    "taxNumber": _labels(
        """Tax ID No. | R.F.C. | R.F.C. # | RFC | NIT # | RUC # | RIF # | Italian Fiscal Code |
        Italian Fiscal Code: | C.U.I.T. | US FEIN | RTN | C.I.F. | N.I.F. | Fiscal Code |
        Romanian Tax Registration | Paraguayan tax identification number | RSIN |
        Numero Unico de Identificacao Tributaria (NUIT)"""
    ),
    "vatCode": ("V.A.T. Number",),
    "registrationNumber": _labels(
        """Registration Number | Registration ID | Business Registration Number | Company Number |
        UK Company Number | Commercial Registry Number | Government Gazette Number | Folio Mercantil No. |
        Matricula Mercantil No | C.R. No. | Romanian C.R. | Trade License No. | Chamber of Commerce Number |
        Istanbul Chamber of Comm. No. | Dubai Chamber of Commerce Membership No. |
        Business Registration Document # | Central Registration System Number | Business Number |
        Public Registration Number | Enterprise Number | Branch Unit Number |
        Certificate of Incorporation Number | Economic Register Number (CBLS) | Registered Charity No. |
        License | Permit Number | SRE Permit No. | Organization Code | File Number | MSB Registration Number |
        Registration Certificate Number (Dubai) | C.I.N. | Tourism License No. |
        Afghan Money Service Provider License Number |
        Russian State Individual Business Registration Number Pattern (OGRNIP)"""
    ),
}
_DOCUMENT_PROP = {label: prop for prop, labels in _DOCUMENT_LABELS.items() for label in labels}


def _alternation(labels: Iterable[str]) -> str:
    # Longest first, so "Diplomatic Passport" wins over "Passport".
    return "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))


_DOCUMENT_RE = re.compile(rf"^(?P<label>{_alternation(_DOCUMENT_PROP)})\s+(?P<rest>.*\d.*)$")
_DOCUMENT_TAIL_RE = re.compile(
    r"^(?P<number>.+?)(?:\s*\((?P<country>[^()]+)\))?(?:,?\s+issued\s+(?P<issued>.+?))?"
    r"(?:,?\s+expires?\s+(?P<expires>.+?))?\.?$"
)

# Labelled single values: label pattern -> (property, how to read the value).
_VALUE_LABELS: tuple[tuple[str, str, str], ...] = (
    (
        r"Vessel Registration Identification(?: IMO)?|International Maritime Organization No\.",
        "imoNumber",
        "imo",
    ),
    (r"(?:Identification Number|Company Number) IMO", "imoNumber", "imo"),
    (r"MMSI", "mmsi", "id"),
    (r"Former Vessel Flag", "pastFlags", "text"),
    (r"Other Vessel Flag", "flag", "text"),
    (r"Other Vessel Call Sign", "callSign", "text"),
    (r"Other Vessel Type", "type", "text"),
    (r"Vessel Year of Build", "buildDate", "date"),
    (r"Aircraft Model", "model", "text"),
    (r"Aircraft Manufacture Date", "buildDate", "date"),
    (r"Aircraft (?:Manufacturer's Serial Number \(MSN\)|Serial Identification)", "serialNumber", "id"),
    (r"Aircraft Tail Number", "registrationNumber", "id"),
    (r"Organization Established Date", "incorporationDate", "date"),
    (r"Organization Type:", "sector", "text"),
    (r"Legal Entity Number", "leiCode", "id"),
    (r"Unified Social Credit Code \(USCC\)|United Social Credit Code Certificate \(USCCC\)", "uscCode", "id"),
    (r"D-U-N-S Number", "dunsCode", "id"),
    (r"SWIFT/BIC", "swiftBic", "id"),
    (r"Email Address", "email", "text"),
    (r"Website:?", "website", "text"),
    (r"(?:Phone|Telephone)(?: Number| No\.)?:?", "phone", "phone"),
    (r"nationality", "nationality", "text"),
    (r"citizen", "citizenship", "text"),
    (r"Gender", "gender", "text"),
)
_VALUE_RES = tuple(
    (re.compile(rf"^(?:{label})\s+(?P<value>.+?)\.?$", re.IGNORECASE), prop, reader)
    for label, prop, reader in _VALUE_LABELS
)

# Remarks about the scope of the sanction: they belong on the Sanction entity.
_PROVISION_RE = re.compile(
    r"^(Additional Sanctions Information|Secondary sanctions risk|Transactions Prohibited For Persons"
    r"|Executive Order \d+|CAATSA|IFCA|PEESA|Listing Date|Effective Date|For more information on directives)",
    re.IGNORECASE,
)
_ALT_RE = re.compile(r"^alt\.\s*", re.IGNORECASE)
_NAME_RE = re.compile(r"^(?P<kind>[afn])\.k\.a\.,?\s+'(?P<name>.+)'\.?$")
_NAME_PROPS = {"a": "alias", "f": "previousName", "n": "alias"}
_DOB_RE = re.compile(r"^DOB\s+(?P<value>.+?)\.?$")
_POB_RE = re.compile(r"^POB\s+(?P<value>.+?)\.?$")
_WALLET_RE = re.compile(r"^Digital Currency Address - (?P<currency>[A-Za-z0-9]+)\s+(?P<address>\S+?)\.?$")
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES, 1)}
_DATE_RE = re.compile(r"^(?:(?P<day>\d{1,2})\s+)?(?:(?P<month>[A-Za-z]{3})[a-z]*\.?\s+)?(?P<year>\d{4})$")
_RANGE_RE = re.compile(r"\s+to\s+|(?<=\d{4})\s*-\s*(?=\d{4}$)")


def parse_date(text: str) -> str | None:
    """Read '10 Dec 1948', 'Dec 1948' or '1948' as an ISO date at the precision given, else None."""
    match = _DATE_RE.match(text.strip())
    if match is None:
        return None
    year, month, day = match["year"], match["month"], match["day"]
    if month is None:
        return year if day is None else None
    number = _MONTHS.get(month.lower())
    if number is None:
        return None
    if day is None:
        return f"{year}-{number:02d}"
    try:
        return date(int(year), number, int(day)).isoformat()
    except ValueError:
        return None


def parse_dob(text: str) -> list[str]:
    """Read an OFAC date of birth, 'circa' and ranges included; empty if it cannot be read.

    A range gives the most precise date both ends share, or else every year it spans: FtM
    reads several birth dates as 'one of these', which is what a range means.
    """
    text = re.sub(r"^circa\s+", "", text.strip(), flags=re.IGNORECASE)
    ends = _RANGE_RE.split(text)
    if len(ends) == 1:
        one = parse_date(text)
        return [one] if one else []
    if len(ends) != 2:
        return []
    start, end = parse_date(ends[0]), parse_date(ends[1])
    if start is None or end is None or end < start:
        return []
    for size in (10, 7, 4):
        if len(start) >= size and start[:size] == end[:size]:
            return [start[:size]]
    first, last = int(start[:4]), int(end[:4])
    if last - first > 20:  # no honest reading of a wider span as a birth year
        return []
    return [str(year) for year in range(first, last + 1)]


def _country_code(place: str) -> str | None:
    """The country named by a place ('Giza, Egypt' -> 'eg'), trying the whole text then its last part."""
    code = registry.country.clean(place)
    if code is None and "," in place:
        code = registry.country.clean(place.rsplit(",", 1)[1])
    return code


def _read_value(value: str, reader: str) -> str | None:
    if reader == "date":
        return parse_date(value)
    if reader == "imo":
        digits = re.sub(r"\D", "", value)
        return f"IMO{digits}" if len(digits) == 7 else None
    if reader == "id":
        # A trailing '(Russia)' names the issuing country, not part of the code.
        return re.sub(r"\s*\([^()]*\)$", "", value).strip() or None
    if reader == "phone":
        digits = re.sub(r"[^\d+]", "", value)
        if digits.startswith("00"):
            return "+" + digits[2:]
        # A leading 0 is a national trunk prefix: only the subject's country can resolve it.
        return digits if digits.startswith(("+", "0")) else "+" + digits
    return value


def _read_document(label: str, rest: str, remark: str, out: Remarks) -> bool:
    """Add the document; False if its issue or expiry text could not be read as a date."""
    match = _DOCUMENT_TAIL_RE.match(rest)
    if match is None:
        return False
    issued = parse_date(match["issued"]) if match["issued"] else None
    expires = parse_date(match["expires"]) if match["expires"] else None
    number, country = match["number"].strip(), match["country"]
    out.documents.append(Document(_DOCUMENT_PROP[label], label, number, country, issued, expires, remark))
    return bool(issued or not match["issued"]) and bool(expires or not match["expires"])


def _read_part(part: str, out: Remarks) -> bool:
    """Add what one remark says to `out`; False if nothing in it could be read."""
    body = _ALT_RE.sub("", part)
    if match := _NAME_RE.match(body):
        out.facts.append(Fact(_NAME_PROPS[match["kind"]], match["name"].strip(), part))
        return True
    if match := _DOB_RE.match(body):
        dates = parse_dob(match["value"])
        out.facts.extend(Fact("birthDate", value, part) for value in dates)
        return bool(dates)
    if match := _POB_RE.match(body):
        out.facts.append(Fact("birthPlace", match["value"], part))
        if code := _country_code(match["value"]):
            out.facts.append(Fact("birthCountry", code, part))
        return True
    if match := _WALLET_RE.match(body):
        out.wallets.append(Wallet(match["currency"].upper(), match["address"], part))
        return True
    for pattern, prop, reader in _VALUE_RES:
        if match := pattern.match(body):
            value = _read_value(match["value"], reader)
            if value is not None:
                out.facts.append(Fact(prop, value, part))
            return value is not None
    if match := _DOCUMENT_RE.match(body):
        return _read_document(match["label"], match["rest"], part, out)
    if _PROVISION_RE.match(body):
        out.provisions.append(part)
        return True
    return False


def parse_remarks(text: str) -> Remarks:
    """Split a Remarks text at ';' and sort each remark into facts, documents, wallets or notes."""
    out = Remarks()
    for raw in text.split(";"):
        part = raw.strip()
        if part and not _read_part(part, out):
            out.notes.append(part)
    return out
