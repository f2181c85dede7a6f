"""What matching knows of an entity: its analysed names, dates, countries, gender and identifiers.

A `MatchRecord` is built from an FtM entity (or a screening query) once, and then compared
many times; it holds plain values only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from followthemoney.proxy import EntityProxy

from liaison.names import NameForm, NameKind, analyze_name, kind_of_schema

__all__ = ["MATCHABLE", "MatchRecord", "normalize_identifier", "record_from_entity"]

MATCHABLE = frozenset(
    {"Person", "Organization", "Company", "LegalEntity", "Vessel", "Airplane", "PublicBody", "BankAccount"}
)
"""The schemata matching indexes and screens: who and what can be listed or looked for."""

# Identifiers strong enough that sharing one is evidence of identity. Codes that many
# entities share (programme ids, sectors) are left out.
IDENTIFIER_PROPS = (
    "passportNumber",
    "idNumber",
    "socialSecurityNumber",
    "taxNumber",
    "registrationNumber",
    "innCode",
    "ogrnCode",
    "leiCode",
    "swiftBic",
    "imoNumber",
    "mmsi",
    "vatCode",
    "dunsCode",
    "publicKey",
    "cryptoAddress",
    "accountNumber",
    "iban",
    "email",
    "phone",
    "serialNumber",
)
NAME_PROPS = ("name", "alias", "previousName", "weakAlias")
# A person's name given in parts, in the order they are written: given names, patronymic, family.
PART_PROPS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
COUNTRY_PROPS = ("nationality", "citizenship", "birthCountry", "country", "jurisdiction", "mainCountry")
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
# A name list longer than this is a data error or an attack on the scorer's pairwise loop.
MAX_NAMES = 64
# Addresses kept per record, and characters kept per address: a postal address is far
# shorter, and the comparison's cost grows with both.
MAX_ADDRESSES = 16
MAX_ADDRESS_CHARS = 200


@dataclass(frozen=True, slots=True)
class MatchRecord:
    """An entity reduced to what matching compares."""

    entity_id: str
    dataset: str
    schema: str
    caption: str
    names: tuple[NameForm, ...]
    birth_dates: tuple[str, ...]
    countries: frozenset[str]
    gender: str | None
    identifiers: frozenset[str]
    addresses: tuple[str, ...] = ()


def normalize_identifier(value: str) -> str | None:
    """Upper-case letters and digits only; None when too short to tell entities apart."""
    text = _NOT_ALNUM.sub("", value.upper())
    if text.startswith("IMO") and text[3:].isdigit():
        text = text[3:]
    return text if len(text) >= 5 else None


def record_from_entity(proxy: EntityProxy, dataset: str) -> MatchRecord:
    """Reduce an FtM entity to a match record."""
    kind = kind_of_schema(proxy.schema.name)
    patronymics = _patronymics(proxy) if kind is NameKind.PERSON else frozenset()
    names: list[NameForm] = []
    seen: set[str] = set()
    for prop, value in _name_values(proxy):
        form = analyze_name(value, kind, patronymics)
        if form is not None and prop == "weakAlias":
            form = replace(form, weak=True)
        if form is not None and form.latin not in seen and len(names) < MAX_NAMES:
            seen.add(form.latin)
            names.append(form)
    identifiers = set()
    for prop in IDENTIFIER_PROPS:
        if proxy.schema.get(prop):
            for value in proxy.get(prop):
                normalized = normalize_identifier(value)
                if normalized:
                    identifiers.add(normalized)
    countries = _countries(
        frozenset(value for prop in COUNTRY_PROPS if proxy.schema.get(prop) for value in proxy.get(prop))
    )
    dates = tuple(sorted(set(proxy.get("birthDate")))) if proxy.schema.get("birthDate") else ()
    if not dates and proxy.schema.get("incorporationDate"):
        dates = tuple(sorted(set(proxy.get("incorporationDate"))))
    genders = proxy.get("gender") if proxy.schema.get("gender") else []
    addresses = proxy.get("address") if proxy.schema.get("address") else []
    return MatchRecord(
        entity_id=str(proxy.id),
        dataset=dataset,
        schema=proxy.schema.name,
        caption=proxy.caption,
        names=tuple(names),
        birth_dates=dates,
        countries=countries,
        gender=genders[0] if len(genders) == 1 else None,
        identifiers=frozenset(identifiers) if identifiers else _NONE,
        addresses=_addresses(addresses),
    )


_NONE: frozenset[str] = frozenset()


# Records of one country share one set object: millions of records, a few hundred sets.
@lru_cache(maxsize=4_096)
def _countries(countries: frozenset[str]) -> frozenset[str]:
    return countries if countries else _NONE


def _name_values(proxy: EntityProxy) -> list[tuple[str, str]]:
    """(property, value) of every name; for a person given only in parts, the name the parts spell.

    Parts beside a full name are left alone: sources give some parts only (the UN list's first
    and second names without the third), and a shortened name is not the person's name.
    """
    values = [(prop, value) for prop in NAME_PROPS if proxy.schema.get(prop) for value in proxy.get(prop)]
    if not proxy.get("name", quiet=True) and proxy.schema.get("firstName") is not None:
        parts = [" ".join(proxy.get(prop)) for prop in PART_PROPS]
        composed = " ".join(part for part in parts if part)
        if composed:
            values.append(("name", composed))
    return values


def _patronymics(proxy: EntityProxy) -> frozenset[str]:
    """The folded tokens of a person's father's name, as the source gives it apart."""
    if proxy.schema.get("fatherName") is None:
        return frozenset()
    tokens: set[str] = set()
    for value in proxy.get("fatherName"):
        form = analyze_name(value, NameKind.PERSON)
        if form is not None:
            tokens.update(form.tokens)
    return frozenset(tokens)


def _addresses(values: list[str]) -> tuple[str, ...]:
    """Addresses with whitespace collapsed, cut to a bounded length and count, repeats dropped."""
    kept = dict.fromkeys(" ".join(value.split())[:MAX_ADDRESS_CHARS] for value in values)
    return tuple(value for value in kept if value)[:MAX_ADDRESSES]
