"""The OASIS STIX validator, with its JSON schemas loaded and resolved once per process.

`stix2-validator` builds a fresh schema registry for every object it checks and re-reads each
referenced schema file from disk while validating: some 20 ms an object, most of it the same
work again. Its `load_validator` is replaced here by one that keeps a validator per schema
file over a registry holding every bundled schema, crawled once; the checks themselves
(schemas, the MUST rules, pattern syntax) are the library's own. Every schema is local, so
nothing is fetched from the network either.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from stix2validator import ValidationOptions, validate_instance
from stix2validator import validator as oasis
from stix2validator.errors import ValidationError

__all__ = ["MAX_OBJECT_BYTES", "object_problem"]

MAX_OBJECT_BYTES = 1024 * 1024
"""No real STIX object comes near a megabyte; a bigger one is refused before validation."""

_SCHEMAS = Path(oasis.__file__).parent / "schemas-2.1" / "schemas"
_OPTIONS = ValidationOptions(version="2.1")
_VALIDATORS: dict[str, Any] = {}


@functools.cache
def _registry() -> Registry[Any]:
    resources = [
        (path.as_uri(), Resource.from_contents(oasis.patch_schema(json.loads(path.read_text()), str(path))))
        for path in sorted(_SCHEMAS.rglob("*.json"))
        if "examples" not in path.parts
    ]
    return Registry().with_resources(resources).crawl()


def _load_validator(schema_path: str, schema: dict[str, Any], schema_dir: str) -> Any:
    # The validator changes a schema only by its object type, which its file already names.
    found = _VALIDATORS.get(schema_path)
    if found is None:
        patched = oasis.patch_schema(schema, schema_path)
        registry = _registry().with_resource(schema_path, DRAFT202012.create_resource(patched))
        found = oasis.STIXValidator(
            patched, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        _VALIDATORS[schema_path] = found
    return found


oasis.load_validator = _load_validator


def object_problem(obj: Any) -> str | None:
    """Why a STIX object is refused (its id first, when it has one), or None when it is sound."""
    if not (isinstance(obj, dict) and isinstance(obj.get("type"), str) and isinstance(obj.get("id"), str)):
        return "not a STIX object (a JSON object with a type and an id)"
    if len(json.dumps(obj)) > MAX_OBJECT_BYTES:
        return f"{obj['id']}: larger than {MAX_OBJECT_BYTES // 1024} KiB"
    if obj["type"] != "marking-definition" and obj.get("spec_version", "2.1") != "2.1":
        return f"{obj['id']}: spec_version {obj.get('spec_version')!r}; only STIX 2.1 is read"
    try:
        result = validate_instance(obj, _OPTIONS)
    except (ValidationError, ValueError, TypeError, KeyError) as exc:
        return str(exc)
    if not result.is_valid:
        return str(result.errors[0])
    return None
