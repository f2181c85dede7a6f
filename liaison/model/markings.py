"""TLP markings on STIX objects, as Liaison's handling codes and back.

STIX 2.1 names TLP 1.0 with four fixed marking definitions and TLP 2.0 with five more (the
OASIS TLP 2.0 extension); a bundle may also carry its own marking-definition objects that say
`tlp` in their definition. Export uses the TLP 1.0 definitions every STIX tool knows, and the
TLP 2.0 one for AMBER+STRICT, which TLP 1.0 lacks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from liaison.model.handling import Handling

__all__ = [
    "MARKING_OF",
    "TLP_MARKINGS",
    "marking_definitions",
    "tlp_of",
]

# The standard ids: STIX 2.1 section 7.2.1.4 (TLP 1.0) and the OASIS TLP 2.0 extension.
TLP_MARKINGS: dict[str, Handling] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Handling.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Handling.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Handling.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Handling.RED,
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": Handling.CLEAR,
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": Handling.GREEN,
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": Handling.AMBER,
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": Handling.AMBER_STRICT,
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": Handling.RED,
}

MARKING_OF: dict[Handling, str] = {
    Handling.CLEAR: "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    Handling.GREEN: "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    Handling.AMBER: "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    Handling.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Handling.RED: "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}
"""The marking an exported object carries for each handling code."""

_TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"


def marking_definitions(objects: Iterable[Mapping[str, Any]]) -> dict[str, Handling]:
    """The TLP levels a bundle's own marking-definition objects define, by their ids."""
    found: dict[str, Handling] = {}
    for obj in objects:
        if obj.get("type") != "marking-definition":
            continue
        level = None
        definition = obj.get("definition")
        if obj.get("definition_type") == "tlp" and isinstance(definition, Mapping):
            level = definition.get("tlp")
        extension = (obj.get("extensions") or {}).get(_TLP2_EXTENSION)
        if isinstance(extension, Mapping):
            level = extension.get("tlp_2_0")
        if isinstance(level, str):
            try:
                found[str(obj["id"])] = Handling.parse(level)
            except ValueError:
                continue  # a TLP level we do not know marks nothing we can enforce
    return found


def tlp_of(obj: Mapping[str, Any], defined: Mapping[str, Handling]) -> Handling | None:
    """The strictest TLP level among an object's markings; None when it carries no TLP marking."""
    levels = [
        TLP_MARKINGS.get(ref) or defined[ref]
        for ref in obj.get("object_marking_refs") or ()
        if isinstance(ref, str) and (ref in TLP_MARKINGS or ref in defined)
    ]
    return Handling.strictest(levels)
