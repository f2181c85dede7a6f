"""Liaison's records as STIX 2.1 objects, each marked with the TLP level of its handling.

A record imported from STIX goes out as the object it came in as (its newest version), with
its TLP marking set to the record's handling, which may be stricter than the producer's. A
record Liaison holds as FtM goes out as what STIX can say of it: people and organisations as
identities, and the IPs, domains, URLs, e-mails and file hashes of any record as cyber
observables related to it. Phones and wallets have no STIX observable type and stay out.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import orjson
from followthemoney.proxy import EntityProxy
from stix2 import v21

from liaison.model import Handling
from liaison.model.markings import MARKING_OF, TLP_MARKINGS
from liaison.model.observables import Kind, Observable, observables_of

__all__ = ["AMBER_STRICT_DEFINITION", "exported_objects", "marked"]

AMBER_STRICT_DEFINITION: dict[str, Any] = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": MARKING_OF[Handling.AMBER_STRICT],
    "created": "2022-10-01T00:00:00.000Z",
    "name": "TLP:AMBER+STRICT",
    "extensions": {
        "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
            "extension_type": "property-extension",
            "tlp_2_0": "amber+strict",
        }
    },
}
"""TLP 2.0's AMBER+STRICT, which TLP 1.0 lacks: a bundle using it carries its definition."""

_LIAISON_NAMESPACE = uuid.UUID("3b0e4c52-7f6a-4d8e-9a61-5c2d8e0f4b17")
_PEOPLE = {"Person": "individual", "Organization": "organization", "Company": "organization"}
_HASH_NAMES = {32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}


def _time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def marked(document: Mapping[str, Any], handling: Handling) -> dict[str, Any]:
    """The object with its TLP marking set to the record's handling (its other markings kept)."""
    refs = [ref for ref in document.get("object_marking_refs") or () if ref not in TLP_MARKINGS]
    return {**document, "object_marking_refs": [MARKING_OF[handling], *refs]}


def _observable(found: Observable, marking: list[str]) -> dict[str, Any] | None:
    # The stix2 library gives the deterministic ids STIX asks of observables: the same value has
    # the same id from every producer, so consumers merge them.
    if found.kind is Kind.IP:
        kind = v21.IPv6Address if ":" in found.value else v21.IPv4Address
        made = kind(value=found.value, object_marking_refs=marking)
    elif found.kind is Kind.DOMAIN:
        made = v21.DomainName(value=found.value, object_marking_refs=marking)
    elif found.kind is Kind.URL:
        made = v21.URL(value=found.value, object_marking_refs=marking)
    elif found.kind is Kind.EMAIL:
        made = v21.EmailAddress(value=found.value, object_marking_refs=marking)
    elif found.kind is Kind.HASH and len(found.value) in _HASH_NAMES:
        made = v21.File(hashes={_HASH_NAMES[len(found.value)]: found.value}, object_marking_refs=marking)
    else:
        return None
    result: dict[str, Any] = orjson.loads(made.serialize())
    return result


def exported_objects(
    dataset: str,
    proxy: EntityProxy,
    handling: Handling,
    created: dt.datetime,
    modified: dt.datetime,
    document: Mapping[str, Any] | None,
) -> list[dict[str, Any]]:
    """The STIX objects one record goes out as, all marked with its handling."""
    if document is not None:
        return [marked(document, handling)]
    marking = [MARKING_OF[handling]]
    objects: list[dict[str, Any]] = []
    source: str | None = None
    kind = _PEOPLE.get(proxy.schema.name)
    if kind is not None and proxy.caption:
        source = f"identity--{uuid.uuid5(_LIAISON_NAMESPACE, f'{dataset}/{proxy.id}')}"
        objects.append(
            {
                "type": "identity",
                "spec_version": "2.1",
                "id": source,
                "created": _time(created),
                "modified": _time(modified),
                "name": proxy.caption,
                "identity_class": kind,
                "object_marking_refs": marking,
            }
        )
    for found in sorted(observables_of(proxy)):
        sco = _observable(found, marking)
        if sco is None:
            continue
        objects.append(sco)
        if source is not None:
            link = uuid.uuid5(_LIAISON_NAMESPACE, f"{source}|related-to|{sco['id']}")
            objects.append(
                {
                    "type": "relationship",
                    "spec_version": "2.1",
                    "id": f"relationship--{link}",
                    "created": _time(created),
                    "modified": _time(modified),
                    "relationship_type": "related-to",
                    "source_ref": source,
                    "target_ref": sco["id"],
                    "object_marking_refs": marking,
                }
            )
    return objects
