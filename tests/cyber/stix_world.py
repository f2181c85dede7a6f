"""Shared set-up of the STIX tests: two agencies, an analyst each, STIX imports and marked objects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine

from liaison.ingest.stix import read_stix
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.services.sharing.imports import ImportResult, import_records
from tests.web.pages import PASSWORD

NOW = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
TLP_RED = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
TLP2_AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"


def two_agencies(engine: Engine) -> None:
    """CYB-NL (joost) shares cyber intelligence; NCB-FR (ana) reads what is released to it."""
    for code, country in (("CYB-NL", "NL"), ("NCB-FR", "FR")):
        agencies.register(engine, Agency(code, code, country, AgencyKind.CYBER), Identity.operator())
    access.add_user(engine, Identity.operator(), "joost", "CYB-NL", Role.ANALYST, NOW, password=PASSWORD)
    access.add_user(engine, Identity.operator(), "ana", "NCB-FR", Role.ANALYST, NOW, password=PASSWORD)


def import_stix(
    engine: Engine, path: Path, dataset: str = "nl_stix", handling: Handling = Handling.GREEN
) -> ImportResult:
    """Import a bundle file as CYB-NL's."""
    envelope = Envelope("CYB-NL", dataset, handling, "cyber investigation", NOW.date().replace(year=2031))
    return import_records(
        engine, read_stix(path), envelope=envelope, title=dataset, kind="stix", source=str(path), now=NOW
    )


def write_bundle(path: Path, *objects: dict[str, Any]) -> Path:
    """A bundle file of these objects."""
    bundle = {
        "type": "bundle",
        "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": list(objects),
    }
    path.write_bytes(orjson.dumps(bundle))
    return path


def indicator(
    uuid: str, pattern: str, *markings: str, modified: str = "2026-11-30T10:00:00.000Z"
) -> dict[str, Any]:
    """A STIX 2.1 indicator of this pattern."""
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid}",
        "created": "2026-11-30T10:00:00.000Z",
        "modified": modified,
        "name": f"indicator {uuid[:4]}",
        "description": "test indicator",
        "indicator_types": ["malicious-activity"],
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2026-11-30T10:00:00Z",
    }
    if markings:
        obj["object_marking_refs"] = list(markings)
    return obj
