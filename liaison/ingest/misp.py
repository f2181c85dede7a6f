"""MISP event JSON in, read as the STIX 2.1 objects it amounts to, then imported as STIX is.

An event is a report by its creator organisation; each attribute MISP marks for detection
(`to_ids`) is an indicator with a STIX pattern, the others observables; vulnerabilities are
vulnerabilities, links the report's references, and attributes STIX has no place for (PDB
paths, YARA or Snort rules kept as text, comments...) one note on the report. Galaxy tags
for threat actors and malware families become those objects, which the indicators indicate;
ids of actors and families are derived from their names, so two events naming the same
actor name one object. TLP tags become TLP markings. An attribute type this reader does
not know stops the import, naming it: correlating on a value misread is worse than asking.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from liaison.errors import BadInput
from liaison.ingest.base import Record
from liaison.ingest.stix import read_json, stix_records
from liaison.ingest.stix_validator import object_problem
from liaison.model import Handling
from liaison.model.markings import MARKING_OF

__all__ = ["KNOWN_TYPES", "misp_objects", "read_misp"]

_NAMESPACE = uuid.UUID("9c8a3f1e-2b4d-4c6a-8e0f-1a2b3c4d5e6f")
_HASHES = {"md5": "MD5", "sha1": "SHA-1", "sha256": "SHA-256", "sha512": "SHA-512"}
_NETWORK = {"ip-dst", "ip-src", "ip-dst|port", "ip-src|port"}
_DOMAINS = {"domain", "hostname"}
_EMAILS = {"email", "email-src", "email-dst"}
_RULES = {"yara": "yara", "snort": "snort", "sigma": "sigma"}
_NOTED = frozenset(
    {
        "comment",
        "text",
        "other",
        "ssdeep",
        "pdb",
        "attachment",
        "malware-sample",
        "email-attachment",
        "imphash",
        "pehash",
        "port",
        "float",
        "size-in-bytes",
        "counter",
        "datetime",
        "AS",
        "mutex",
        "regkey",
        "regkey|value",
        "user-agent",
        "named pipe",
        "uri",
        "whois-registrant-email",
        "whois-registrar",
        "campaign-name",
        "threat-actor",
        "email-body",
        "target-org",
        "target-user",
    }
)
_FAMILIES = {
    "rat",
    "malpedia",
    "ransomware",
    "botnet",
    "backdoor",
    "banker",
    "stealer",
    "exploit-kit",
    "tool",
}
# MISP marks attributes fit for detection with to_ids; the others are context.
_INDICATOR_TYPES = {True: "malicious-activity", False: "anomalous-activity"}
_URI = Draft202012Validator.FORMAT_CHECKER
KNOWN_TYPES = frozenset(
    {*_HASHES, *(f"filename|{name}" for name in _HASHES), *_NETWORK, *_DOMAINS, "domain|ip", "url", "link"}
    | {*_EMAILS, "email-subject", "filename", "vulnerability", *_RULES, *_NOTED}
)
"""The MISP attribute types read; any other is refused."""


def read_misp(path: Path) -> Iterator[Record]:
    """The records of a MISP event file (`{"Event": {...}}`)."""
    data = read_json(path)
    event = data.get("Event") if isinstance(data, dict) else None
    if not isinstance(event, dict) or not isinstance(event.get("uuid"), str):
        raise BadInput(f"{path}: not a MISP event (a JSON object with an Event that has a uuid)")
    objects, places = misp_objects(event, str(path))
    for obj in objects:
        problem = object_problem(obj)
        if problem is not None:
            raise BadInput(f"{path}: {places.get(obj['id'], 'Event')}: {problem}")
    yield from stix_records(objects, str(path), checked=True)


def _time(epoch: Any, field: str, where: str) -> str:
    try:
        moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (TypeError, ValueError, OverflowError):
        raise BadInput(f"{where}: field '{field}': {epoch!r} is not a Unix timestamp") from None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _quoted(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _ip_pattern(value: str) -> str:
    address = value.split("|")[0].strip()
    try:
        kind = "ipv6-addr" if ipaddress.ip_network(address, strict=False).version == 6 else "ipv4-addr"
    except ValueError:
        raise BadInput(f"{address!r} is not an IP address or network") from None
    return f"[{kind}:value = {_quoted(address)}]"


def _pattern(kind: str, value: str) -> tuple[str, str] | None:
    """(pattern type, pattern) of an attribute, or None when STIX has no pattern for it."""
    if kind in _NETWORK:
        return "stix", _ip_pattern(value)
    if kind in _DOMAINS:
        return "stix", f"[domain-name:value = {_quoted(value)}]"
    if kind == "domain|ip":
        domain, _, address = value.partition("|")
        return "stix", f"[domain-name:value = {_quoted(domain)}] AND {_ip_pattern(address)}"
    if kind == "url":
        return "stix", f"[url:value = {_quoted(value)}]"
    if kind in _HASHES:
        return "stix", f"[file:hashes.'{_HASHES[kind]}' = {_quoted(value)}]"
    if kind.startswith("filename|"):
        name, _, digest = value.partition("|")
        algorithm = _HASHES[kind.partition("|")[2]]
        return "stix", f"[file:name = {_quoted(name)} AND file:hashes.'{algorithm}' = {_quoted(digest)}]"
    if kind in _EMAILS:
        return "stix", f"[email-addr:value = {_quoted(value)}]"
    if kind == "email-subject":
        return "stix", f"[email-message:subject = {_quoted(value)}]"
    if kind == "filename":
        return "stix", f"[file:name = {_quoted(value)}]"
    if kind in _RULES:
        return _RULES[kind], value
    return None


def _tlp(tags: Any) -> Handling | None:
    levels = []
    for tag in tags or ():
        name = str(tag.get("name", "")) if isinstance(tag, Mapping) else ""
        if name.lower().startswith("tlp:"):
            try:
                levels.append(Handling.parse(name))
            except ValueError:
                continue
    return Handling.strictest(levels)


def _galaxies(tags: Any) -> list[tuple[str, str]]:
    found = []
    for tag in tags or ():
        name = str(tag.get("name", "")) if isinstance(tag, Mapping) else ""
        if not name.startswith("misp-galaxy:") or "=" not in name:
            continue
        galaxy, _, value = name.removeprefix("misp-galaxy:").partition("=")
        value = value.strip().strip('"')
        if galaxy == "threat-actor":
            found.append(("threat-actor", value))
        elif galaxy in _FAMILIES:
            found.append(("malware", value))
    return found


def _attributes(event: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any], str]]:
    """(where, attribute, object name) of the event's attributes and its objects' attributes."""
    for index, attribute in enumerate(event.get("Attribute") or ()):
        yield f"Attribute[{index}]", attribute, ""
    for index, misp_object in enumerate(event.get("Object") or ()):
        for inner, attribute in enumerate(misp_object.get("Attribute") or ()):
            yield f"Object[{index}].Attribute[{inner}]", attribute, str(misp_object.get("name", ""))


def misp_objects(event: Mapping[str, Any], source: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The STIX 2.1 objects of a MISP event, and the attribute each object came from, by id."""
    where = f"{source}: Event"
    created = _time(event.get("timestamp"), "timestamp", where)
    event_level = _tlp(event.get("Tag"))
    organisation = event.get("Orgc") or {}
    author = f"identity--{organisation.get('uuid') or uuid.uuid5(_NAMESPACE, str(organisation.get('name')))}"
    common = {"spec_version": "2.1", "created_by_ref": author}
    objects: list[dict[str, Any]] = [
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": author,
            "created": created,
            "modified": created,
            "name": str(organisation.get("name") or "unknown MISP organisation"),
            "identity_class": "organization",
        }
    ]
    named = [
        {
            "type": kind,
            "id": f"{kind}--{uuid.uuid5(_NAMESPACE, f'{kind}/{name}')}",
            "created": created,
            "modified": created,
            "name": name,
            **({"is_family": True} if kind == "malware" else {}),
            **common,
        }
        for kind, name in _galaxies(event.get("Tag"))
    ]
    objects += named
    links: list[dict[str, str]] = []
    noted: list[str] = []
    indicators: list[str] = []
    places: dict[str, str] = {}
    for place, attribute, object_name in _attributes(event):
        at = f"{source}: {place}"
        kind, value = str(attribute.get("type", "")), attribute.get("value")
        if kind not in KNOWN_TYPES:
            raise BadInput(f"{at} {attribute.get('uuid', '')}: unknown MISP attribute type {kind!r}")
        if not isinstance(value, str) or not value:
            raise BadInput(f"{at}: field 'value': missing")
        when = _time(attribute.get("timestamp", event.get("timestamp")), "timestamp", at)
        marking = _marking(event_level, _tlp(attribute.get("Tag")))
        base = {"created": when, "modified": when, **common, **marking}
        label = " ".join(part for part in (object_name, str(attribute.get("category") or "")) if part)
        described = {"description": str(attribute.get("comment") or label or kind)}
        identifier = str(attribute.get("uuid") or uuid.uuid5(_NAMESPACE, f"{event['uuid']}/{place}"))
        try:
            pattern = _pattern(kind, value)
        except BadInput as exc:
            raise BadInput(f"{at}: field 'value': {exc}") from None
        if kind == "link" and _URI.conforms(value, "uri"):
            links.append({"source_name": "link", "url": value})
        elif kind == "link":
            noted.append(f"{kind}: {value}")  # not a URI STIX accepts: kept as text
        elif kind == "vulnerability":
            objects.append(
                {"type": "vulnerability", "id": f"vulnerability--{identifier}", "name": value, **base}
            )
        elif pattern is not None:
            indicator_id = f"indicator--{identifier}"
            indicator = {
                "type": "indicator",
                "id": indicator_id,
                "name": f"{kind}: {value}"[:250],
                "pattern_type": pattern[0],
                "pattern": pattern[1],
                "valid_from": when,
                "indicator_types": [_INDICATOR_TYPES[bool(attribute.get("to_ids"))]],
                **described,
                **base,
            }
            places[indicator_id] = place
            objects.append(indicator)
            indicators.append(indicator_id)
        else:
            noted.append(f"{kind}: {value}")
    report_id = f"report--{event['uuid']}"
    for target in named:
        for source_ref in indicators:
            link_id = uuid.uuid5(_NAMESPACE, f"{source_ref}/indicates/{target['id']}")
            objects.append(
                {
                    "type": "relationship",
                    "id": f"relationship--{link_id}",
                    "created": created,
                    "modified": created,
                    "relationship_type": "indicates",
                    "source_ref": source_ref,
                    "target_ref": target["id"],
                    **common,
                }
            )
    if noted:
        objects.append(
            {
                "type": "note",
                "id": f"note--{uuid.uuid5(_NAMESPACE, report_id)}",
                "created": created,
                "modified": created,
                "abstract": "MISP attributes STIX has no object for",
                "content": "\n".join(noted),
                "object_refs": [report_id],
                **common,
            }
        )
    report: dict[str, Any] = {
        "type": "report",
        "id": report_id,
        "created": created,
        "modified": created,
        "name": str(event.get("info") or event["uuid"]),
        "published": f"{event.get('date')}T00:00:00.000Z",
        "report_types": ["threat-report"],
        "object_refs": [obj["id"] for obj in objects],
        "labels": [str(tag.get("name")) for tag in event.get("Tag") or () if isinstance(tag, Mapping)],
        **common,
        **_marking(event_level, None),
    }
    if links:
        report["external_references"] = links
    return [*objects, report], places


def _marking(event_level: Handling | None, own: Handling | None) -> dict[str, list[str]]:
    level = Handling.strictest(level for level in (event_level, own) if level is not None)
    return {} if level is None else {"object_marking_refs": [MARKING_OF[level]]}
