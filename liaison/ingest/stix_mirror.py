"""A STIX object as the FtM entity the rest of Liaison sees, and the values it correlates on.

The STIX object itself is kept whole (TAXII serves it as it came); its mirror is what matching,
the network, the record page and the access filter work with. Identities, threat actors and
intrusion sets are people and organisations; campaigns and sightings are events; relationships
are links. Everything else (indicators, malware, tools, infrastructure, cyber observables...)
is a note carrying its name and description, since FtM has no schema for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy
from stix2patterns.v21.pattern import Pattern

from liaison.errors import BadInput
from liaison.model.observables import Kind, Observable, parse_observable

__all__ = ["mirror_of", "stix_values"]

_MAX_TEXT = 4_000
_IDENTITY_SCHEMA = {"individual": "Person", "organization": "Organization"}
_EVENTS = {"campaign", "sighting"}
_ACTORS = {"threat-actor": "LegalEntity", "intrusion-set": "Organization"}
_VALUE_KINDS = {
    "ipv4-addr": Kind.IP,
    "ipv6-addr": Kind.IP,
    "domain-name": Kind.DOMAIN,
    "url": Kind.URL,
    "email-addr": Kind.EMAIL,
}
_HASHES = frozenset({"MD5", "SHA-1", "SHA-256", "SHA-512", "SHA1", "SHA256", "SHA512"})


def _schema(obj: Mapping[str, Any]) -> str:
    kind = obj["type"]
    if kind == "identity":
        return _IDENTITY_SCHEMA.get(str(obj.get("identity_class")), "LegalEntity")
    if kind in _ACTORS:
        return _ACTORS[kind]
    if kind in _EVENTS:
        return "Event"
    if kind == "relationship":
        return "UnknownLink"
    return "Note"


def _caption(obj: Mapping[str, Any]) -> str:
    for key in ("name", "value", "key", "pattern"):
        text = obj.get(key)
        if isinstance(text, str) and text:
            return text
    hashes = obj.get("hashes")
    if isinstance(hashes, Mapping) and hashes:
        return str(next(iter(hashes.values())))
    if obj["type"] == "sighting":
        return f"sighting of {obj.get('sighting_of_ref')}"
    return str(obj["id"])


def _add(proxy: EntityProxy, prop: str, values: Iterable[Any]) -> None:
    for value in values:
        if isinstance(value, str) and value:
            # The STIX object is the record; its mirror keeps what FtM accepts and drops the rest.
            proxy.add(prop, value[:_MAX_TEXT], quiet=True)


def mirror_of(obj: Mapping[str, Any]) -> EntityProxy:
    """The FtM entity standing for a STIX object, with the object's id as its own."""
    proxy = model.make_entity(_schema(obj))
    proxy.id = str(obj["id"])
    kind = obj["type"]
    if proxy.schema.name == "UnknownLink":
        _add(proxy, "subject", [obj.get("source_ref")])
        _add(proxy, "object", [obj.get("target_ref")])
        _add(proxy, "role", [obj.get("relationship_type")])
        _add(proxy, "startDate", [obj.get("start_time")])
        _add(proxy, "endDate", [obj.get("stop_time")])
    else:
        _add(proxy, "name", [_caption(obj)])
        _add(proxy, "alias", obj.get("aliases") or ())
    if kind in _EVENTS:
        _add(proxy, "startDate", [obj.get("first_seen")])
        _add(proxy, "endDate", [obj.get("last_seen")])
        refs = [obj.get("sighting_of_ref"), *(obj.get("where_sighted_refs") or ())]
        _add(proxy, "involved", [*refs, *(obj.get("observed_data_refs") or ())])
    if kind in _ACTORS or kind == "identity":
        _add(proxy, "topics", ["crime.cyber"] if kind in _ACTORS else [])
    # A note's caption is its description: the object's name goes there, its description to summary.
    if proxy.schema.name == "Note":
        _add(proxy, "description", [_caption(obj)])
        _add(proxy, "summary", [obj.get("description")])
    else:
        _add(proxy, "description", [obj.get("description")])
    _add(proxy, "keywords", [kind, *_labels(obj)])
    _add(proxy, "createdAt", [obj.get("created")])
    _add(proxy, "modifiedAt", [obj.get("modified")])
    return proxy


def _labels(obj: Mapping[str, Any]) -> list[str]:
    found: list[str] = []
    for key in ("labels", "indicator_types", "malware_types", "tool_types", "threat_actor_types"):
        values = obj.get(key) or ()
        found.extend(str(value) for value in values if isinstance(value, str))
    return found


def stix_values(obj: Mapping[str, Any]) -> set[Observable]:
    """The observables a STIX object names: an SCO's value or hashes, an indicator pattern's values.

    An SCO value, or an address in a pattern, that is not what its type says raises `BadInput`
    naming it (`[ipv4-addr:value = '999.1.1.1']` can match nothing). Other pattern values that do
    not read as their kind are kept in the object but not indexed: real reports carry some (the
    Poison Ivy bundle's `'domain autuo.xicp.net'`).
    """
    found: set[Observable] = set()
    kind = obj["type"]
    if kind in _VALUE_KINDS and isinstance(obj.get("value"), str):
        found.add(parse_observable(_VALUE_KINDS[kind], obj["value"]))
    if kind == "file":
        found |= _hashes(obj.get("hashes"))
    if kind == "indicator" and obj.get("pattern_type") == "stix" and isinstance(obj.get("pattern"), str):
        found |= _pattern_values(obj["pattern"])
    embedded = obj.get("objects")
    if kind == "observed-data" and isinstance(embedded, Mapping):
        for inner in embedded.values():
            if isinstance(inner, Mapping) and isinstance(inner.get("type"), str):
                found |= stix_values({**inner, "id": obj["id"]})
    return found


def _hashes(hashes: object) -> set[Observable]:
    if not isinstance(hashes, Mapping):
        return set()
    return {
        parse_observable(Kind.HASH, str(value))
        for algorithm, value in hashes.items()
        if str(algorithm).upper() in _HASHES
    }


# Most indicators compare one property to one string; those are read without the ANTLR parser,
# which costs some 2 ms a pattern (the validator has already parsed each pattern twice).
_SIMPLE = re.compile(r"^\[\s*([a-z0-9-]+):([A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\['\\])*)'\s*\]$")


def _comparisons(pattern: str) -> dict[str, list[tuple[list[str], str, str]]]:
    simple = _SIMPLE.match(pattern)
    if simple is None:
        found: dict[str, list[tuple[list[str], str, str]]] = Pattern(pattern).inspect().comparisons
        return found
    object_type, path, value = simple.groups()
    steps = [step.strip("'") for step in path.split(".")]
    return {object_type: [(steps, "=", f"'{value}'")]}


def _pattern_values(pattern: str) -> set[Observable]:
    found: set[Observable] = set()
    comparisons = _comparisons(pattern)
    for object_type, tests in comparisons.items():
        for path, operator, literal in tests:
            if operator != "=" or not isinstance(literal, str) or not literal.startswith("'"):
                continue
            value = literal[1:-1].replace("\\'", "'").replace("\\\\", "\\")
            steps = [step for step in path if isinstance(step, str)]
            kind = _pattern_kind(object_type, steps)
            if kind is Kind.IP:
                found.add(parse_observable(kind, value))
            elif kind is not None:
                try:
                    found.add(parse_observable(kind, value))
                except BadInput:
                    continue
    return found


def _pattern_kind(object_type: str, steps: list[str]) -> Kind | None:
    if object_type in _VALUE_KINDS and steps == ["value"]:
        return _VALUE_KINDS[object_type]
    if object_type == "file" and len(steps) == 2 and steps[0] == "hashes" and steps[1].upper() in _HASHES:
        return Kind.HASH
    if object_type == "network-traffic" and steps in (["dst_ref", "value"], ["src_ref", "value"]):
        return Kind.IP
    if object_type == "email-message" and steps[-1:] == ["value"]:
        return Kind.EMAIL
    return None
