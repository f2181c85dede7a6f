"""The Human Trafficking Case Data Standard 2.0 (IOM): its fields and picklists, and checking a
value against them.

The field list ships as `htcds-2.0.json`, read from the standard's own spreadsheet (a test keeps
the two equal), so field names and picklist values are the standard's, never ours.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pycountry

from liaison.errors import BadInput

__all__ = ["MAX_TEXT", "Field", "checked", "fields"]

MAX_TEXT = 4_000
"""Longest text a field may hold; long-text fields are case notes, not documents."""
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


@dataclass(frozen=True, slots=True)
class Field:
    """One field of the standard: its section, whether it is deprecated, type and picklist."""

    name: str
    section: str
    deprecated: bool
    kind: str
    values: dict[str, str]

    @property
    def multiple(self) -> bool:
        """Whether the field holds a list (a multiselect picklist)."""
        return self.kind.startswith("Multiselect")


@cache
def fields() -> dict[str, Field]:
    """Every field of HTCDS 2.0 by its prefixed name (prs_Gender, vic_MethodsOfControl, …)."""
    data = json.loads((Path(__file__).parent / "htcds-2.0.json").read_text(encoding="utf-8"))
    return {
        name: Field(name, spec["section"], spec["status"] == "DEPRECATED", spec["type"], spec["values"])
        for name, spec in data["fields"].items()
    }


def _country(value: str, where: str, name: str) -> str:
    found = pycountry.countries.get(alpha_2=value.upper()) if len(value) == 2 else None
    if found is None:
        raise BadInput(f"{where}: field '{name}': {value[:40]!r} is not an ISO 3166 alpha-2 country code")
    return str(found.alpha_2)


def _one(spec: Field, value: Any, where: str) -> Any:
    """One value of a field, checked against its type and picklist."""
    name, kind = spec.name, spec.kind
    if kind == "Checkbox":
        if not isinstance(value, bool):
            raise BadInput(f"{where}: field '{name}': true or false, not {value!r:.40}")
        return value
    if kind in ("Number", "Geolocation"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BadInput(f"{where}: field '{name}': a number, not {value!r:.40}")
        if kind == "Number" and (value < 0 or value > 1_000):
            raise BadInput(f"{where}: field '{name}': {value} is out of range")
        return value
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{where}: field '{name}': a non-empty text, not {value!r:.40}")
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise BadInput(f"{where}: field '{name}': {len(text):,} characters, at most {MAX_TEXT:,}")
    if spec.values:
        if text not in spec.values:
            choices = ", ".join(spec.values)
            raise BadInput(
                f"{where}: field '{name}': {text[:40]!r} is not an HTCDS value; use one of {choices}"
            )
        return text
    if name.endswith(("Country", "Citizenship")):
        return _country(text, where, name)
    if kind == "Date":
        if _DATE.fullmatch(text) is None:
            raise BadInput(
                f"{where}: field '{name}': {text[:40]!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"
            )
        parts = [int(part) for part in text.split("-")]
        try:
            day = dt.date(parts[0], *[*parts[1:], 1, 1][:2])
        except ValueError:
            raise BadInput(f"{where}: field '{name}': {text!r} is not a date") from None
        if day > dt.datetime.now(dt.UTC).date():
            raise BadInput(f"{where}: field '{name}': {text!r} is in the future")
    return text


def checked(name: str, value: Any, where: str, allowed: tuple[str, ...]) -> Any:
    """A field's value checked against the standard: a list for multiselect fields, else one value.

    `allowed` are the field prefixes this part of a case may use (vic_ for a victim, say).
    """
    spec = fields().get(name)
    if spec is None or not name.startswith(allowed):
        raise BadInput(
            f"{where}: field '{name}': not an HTCDS 2.0 field here; use {', '.join(allowed)} fields"
        )
    if spec.deprecated:
        raise BadInput(f"{where}: field '{name}': deprecated in HTCDS 2.0")
    if spec.multiple:
        items = value if isinstance(value, list) else [value]
        if not items or len(items) > 50:
            raise BadInput(f"{where}: field '{name}': a list of 1 to 50 values")
        return list(dict.fromkeys(_one(spec, item, where) for item in items))
    return _one(spec, value, where)
