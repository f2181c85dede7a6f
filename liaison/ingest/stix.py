"""STIX 2.1 bundles in: each object checked by the OASIS validator, then read as a record.

A bundle is one JSON document, so it is read whole (up to `MAX_BUNDLE_BYTES`). Every object
must pass `stix2-validator` (schemas, patterns, vocabularies' musts); the first that does not
stops the import, naming the file, the object's index and id, and the failing property. Marking
definitions are not records: the TLP levels they define become the handling of the objects
they mark. Versions of one object in one bundle are one record, mirrored from the newest.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from liaison.errors import BadInput
from liaison.ingest.base import Record, read_limited
from liaison.ingest.stix_mirror import mirror_of, stix_values
from liaison.ingest.stix_validator import object_problem
from liaison.model.markings import marking_definitions, tlp_of

__all__ = ["MAX_BUNDLE_BYTES", "bundle_objects", "parse_json", "read_json", "read_stix", "stix_records"]

MAX_BUNDLE_BYTES = 256 * 1024 * 1024


def read_json(path: Path) -> Any:
    """A JSON file of at most `MAX_BUNDLE_BYTES`, parsed; BadInput names the file."""
    return parse_json(read_limited(path, MAX_BUNDLE_BYTES, "a bundle (split it)"), str(path))


def parse_json(data: bytes, source: str) -> Any:
    """JSON text parsed; BadInput names its source."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise BadInput(f"{source}: not JSON: {exc}") from None


def bundle_objects(bundle: Any, source: str) -> list[Any]:
    """A STIX bundle's objects; BadInput when it is no bundle."""
    if (
        not isinstance(bundle, dict)
        or bundle.get("type") != "bundle"
        or not isinstance(bundle.get("objects"), list)
    ):
        raise BadInput(
            f"{source}: not a STIX bundle (a JSON object with type 'bundle' and a list of objects)"
        )
    objects: list[Any] = bundle["objects"]
    return objects


def read_stix(path: Path) -> Iterator[Record]:
    """The records of a STIX 2.1 bundle file."""
    yield from stix_records(bundle_objects(read_json(path), str(path)), str(path))


def stix_records(objects: Sequence[Any], source: str, *, checked: bool = False) -> list[Record]:
    """Records of STIX objects (a bundle's or a TAXII envelope's), all checked before any is returned.

    `checked` says the caller has already run `object_problem` over every object.
    """
    for index, obj in enumerate(objects):
        problem = None if checked else object_problem(obj)
        if problem is not None:
            raise BadInput(f"{source}: objects[{index}]: {problem}")
    defined = marking_definitions(objects)
    newest: dict[str, int] = {}
    versions: dict[str, list[Mapping[str, Any]]] = {}
    for index, obj in enumerate(objects):
        if obj["type"] == "marking-definition":
            continue
        versions.setdefault(obj["id"], []).append(obj)
        held = newest.get(obj["id"])
        if held is None or _version(obj) >= _version(objects[held]):
            newest[obj["id"]] = index
    records = []
    for object_id, index in newest.items():
        obj = objects[index]
        try:
            values = frozenset().union(*(stix_values(version) for version in versions[object_id]))
        except BadInput as exc:
            raise BadInput(f"{source}: objects[{index}] {object_id}: {exc}") from None
        records.append(
            Record(
                mirror_of(obj),
                f"objects[{index}]",
                stix=tuple(versions[object_id]),
                handling=tlp_of(obj, defined),
                observables=values,
            )
        )
    return records


def _version(obj: Mapping[str, Any]) -> str:
    # Same-format timestamps of one producer compare as text; the store compares them as times.
    return str(obj.get("modified") or obj.get("created") or "")
