"""Trafficking case files in HTCDS 2.0 field names (JSON): cases with their victims, perpetrators
and trafficking events, each value checked against the standard's picklists.

A file is `{"standard": "HTCDS 2.0", "cases": [...]}`; a case has an `id`, `cas_` fields, and
lists of `victims` (`prs_` and `vic_` fields), `perpetrators` (`prs_` and `per_` fields) and
`events` (`hte_` fields: recruitment, transit and exploitation, with country and date).

Records made: the case as an FtM Event (route, exploitation, perpetrators involved); each
perpetrator as a Person that matching and the network see, linked to the case with their role;
each victim as a Person marked RED, minimised to name, birth date, gender and citizenship (their
contact details, addresses and identity numbers are not kept), linked to the case by a RED link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from liaison.errors import BadInput
from liaison.ingest.base import Record, add_value
from liaison.ingest.stix import read_json
from liaison.model import Handling
from liaison.model.htcds import checked
from liaison.model.trafficking import CaseFacts, VictimFacts, age_band

__all__ = ["HtcdsRead", "read_htcds"]

MAX_CASES = 10_000
VICTIM_KEPT = (
    "prs_FirstName",
    "prs_MiddleName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
)
"""The only personal fields kept of a victim; the rest of their `prs_` fields are dropped."""
_GENDERS = {
    "Feminine": "female",
    "Masculine": "male",
    "TransgenderFeminine": "other",
    "TransgenderMasculine": "other",
    "NonConforming": "other",
}
_ROUTE = ("Recruitment", "Transit", "Exploitation")
_PARTS = {"victims": ("prs_", "vic_", "con_"), "perpetrators": ("prs_", "per_"), "events": ("hte_",)}


@dataclass(slots=True)
class HtcdsRead:
    """What a case file holds: records to write, facts per case and per victim, and fields dropped."""

    records: list[Record] = field(default_factory=list)
    cases: list[tuple[str, CaseFacts]] = field(default_factory=list)
    victims: list[tuple[str, str, VictimFacts]] = field(default_factory=list)
    dropped: int = 0


def read_htcds(path: Path) -> HtcdsRead:
    """Read a case file; BadInput names the file, the case (and person) and the field."""
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
        raise BadInput(f"{path}: not an HTCDS case file (a JSON object with a list of cases)")
    if not 0 < len(data["cases"]) <= MAX_CASES:
        raise BadInput(f"{path}: 1 to {MAX_CASES:,} cases per file")
    read = HtcdsRead()
    seen: set[str] = set()
    for index, case in enumerate(data["cases"]):
        where = f"{path}: cases[{index}]"
        key = case.get("id") if isinstance(case, dict) else None
        if not isinstance(key, str) or not 0 < len(key.strip()) <= 100:
            raise BadInput(f"{where}: field 'id': every case needs an id (1 to 100 characters)")
        if key in seen:
            raise BadInput(f"{where}: field 'id': case {key!r} appears twice")
        seen.add(key)
        _read_case(read, case, where)
    return read


def _fields(item: Any, where: str, allowed: tuple[str, ...], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise BadInput(f"{where}: an object of HTCDS fields")
    return {
        name: checked(name, value, where, allowed)
        for name, value in item.items()
        if name not in ("id", *skip) and value not in (None, "", [])
    }


def _people(case: dict[str, Any], part: str, where: str) -> list[tuple[str, dict[str, Any]]]:
    items = case.get(part, [])
    if not isinstance(items, list) or len(items) > 500:
        raise BadInput(f"{where}: field '{part}': a list of at most 500")
    found = []
    for index, item in enumerate(items):
        place = f"{where}.{part}[{index}]"
        key = item.get("id", str(index)) if isinstance(item, dict) else str(index)
        found.append((f"{key}", _fields(item, place, _PARTS[part])))
    return found


def _read_case(read: HtcdsRead, case: dict[str, Any], where: str) -> None:
    key = case["id"].strip()
    facts = _fields(case, where, ("cas_", "cco_"), skip=tuple(_PARTS))
    events = sorted(
        (fields for _key, fields in _people(case, "events", where)),
        key=lambda event: (_ROUTE.index(event.get("hte_Type", "Transit")), event.get("hte_Date", "")),
    )
    victims = _people(case, "victims", where)
    perpetrators = _people(case, "perpetrators", where)
    exploited = [event for event in events if event.get("hte_Type") == "Exploitation"]
    place = (exploited or events or [{}])[0]
    dates = [
        *(event.get("hte_Date", "") for event in exploited),
        facts.get("cas_IncomingReferralDate", ""),
        *(event.get("hte_Date", "") for event in events),
    ]
    when = next((text for text in dates if text), "")
    year = int(when[:4]) if when else None
    country = str(place.get("hte_Country", "")).lower()
    case_proxy = _case_proxy(key, facts, events, victims)
    read.records.append(Record(case_proxy, f"{where}"))
    case_id = str(case_proxy.id)
    for index, (person_key, person) in enumerate(perpetrators):
        proxy = _person(f"{key}/perpetrator/{person_key}", person, keep=None)
        case_proxy.add("involved", proxy.id)
        link = _link(
            proxy,
            case_id,
            ", ".join(person.get("per_RoleInProcess", [])) or "perpetrator",
            person.get("per_RoleDetails"),
        )
        place_of = f"{where}.perpetrators[{index}]"
        read.records += [Record(proxy, place_of), Record(link, place_of)]
    minors = 0
    for index, (person_key, person) in enumerate(victims):
        proxy = _person(f"{key}/victim/{person_key}", person, keep=VICTIM_KEPT)
        read.dropped += sum(1 for name in person if name.startswith("prs_") and name not in VICTIM_KEPT)
        kinds = person.get("vic_TypeOfExploitation", [])
        described = "; ".join(
            f"{name[4:]}: {', '.join(value) if isinstance(value, list) else value}"
            for name, value in person.items()
            if name.startswith("vic_")
        )
        link = _link(proxy, case_id, "victim", described or None)
        place_of = f"{where}.victims[{index}]"
        red = Handling.RED
        read.records += [Record(proxy, place_of, handling=red), Record(link, place_of, handling=red)]
        age = person.get("vic_AgeWhenTrafficked")
        if age is None and year is not None and "prs_Birthdate" in person:
            age = year - int(person["prs_Birthdate"][:4])
        minors += age is not None and age < 18
        gender = person.get("prs_Gender", "NonSpecifiedUnknown")
        victim = VictimFacts(year, country, tuple(kinds), gender, age_band(None if age is None else int(age)))
        read.victims.append((str(proxy.id), case_id, victim))
    region = str(place.get("hte_State", ""))[:16]
    read.cases.append((case_id, CaseFacts(year, country, region, len(victims), minors, len(perpetrators))))


def _case_proxy(
    key: str,
    facts: Mapping[str, Any],
    events: list[dict[str, Any]],
    victims: list[tuple[str, dict[str, Any]]],
) -> EntityProxy:
    proxy = model.make_entity("Event")
    proxy.make_id("htcds-case", key)
    proxy.add("name", f"Trafficking case {key}")
    proxy.add("recordId", key)
    route = [str(event["hte_Country"]) for event in events if "hte_Country" in event]
    proxy.add("country", [code.lower() for code in route])
    proxy.add("summary", f"Route: {' > '.join(dict.fromkeys(route))}" if route else None)
    proxy.add("date", facts.get("cas_IncomingReferralDate"))
    proxy.add(
        "location", [", ".join(filter(None, (e.get("hte_City"), e.get("hte_Country")))) for e in events]
    )
    kinds = {kind for _key, victim in victims for kind in victim.get("vic_TypeOfExploitation", [])}
    proxy.add("keywords", ["human trafficking", *sorted(kinds)])
    proxy.add("description", facts.get("cco_CaseComment"))
    proxy.add("notes", [f"{name[4:]}: {value}" for name, value in facts.items() if name.startswith("cas_")])
    return proxy


def _person(key: str, fields: dict[str, Any], keep: tuple[str, ...] | None) -> EntityProxy:
    proxy = model.make_entity("Person")
    proxy.make_id("htcds-person", key)
    kept = {name: value for name, value in fields.items() if keep is None or name in keep}
    parts = [kept.get(name) for name in ("prs_FirstName", "prs_MiddleName", "prs_SecondName")]
    proxy.add("name", " ".join(part for part in parts if part) or None)
    proxy.add("firstName", kept.get("prs_FirstName"))
    proxy.add("middleName", kept.get("prs_MiddleName"))
    proxy.add("lastName", kept.get("prs_SecondName"))
    proxy.add("birthDate", kept.get("prs_Birthdate"))
    proxy.add("gender", _GENDERS.get(kept.get("prs_Gender", "")))
    proxy.add("nationality", [code.lower() for code in kept.get("prs_Citizenship", [])])
    for name, prop in (("prs_Email", "email"), ("prs_IdentityNumber", "idNumber"), ("prs_Title", "position")):
        add_value(proxy, prop, kept.get(name), "case file", key, strict=False)
    for name in ("prs_MobilePhone", "prs_HomePhone"):
        add_value(proxy, "phone", kept.get(name), "case file", key, strict=False)
    address = ", ".join(
        str(kept[name])
        for name in (
            "prs_MailingStreet",
            "prs_MailingCity",
            "prs_MailingPostalCode",
            "prs_MailingState",
            "prs_MailingCountry",
        )
        if name in kept
    )
    proxy.add("address", address or None)
    return proxy


def _link(person: EntityProxy, case_id: str, role: str, description: str | None) -> EntityProxy:
    proxy = model.make_entity("UnknownLink")
    proxy.make_id("htcds-link", str(person.id), case_id)
    proxy.add("subject", person.id)
    proxy.add("object", case_id)
    proxy.add("role", role)
    proxy.add("description", description)
    return proxy
