"""Fingerprints that let a decision be remembered: who the subject is, and what the data said.

The subject key names a person or body across screenings (its schema, folded names and birth or
incorporation dates), so the same traveller on tomorrow's flight meets today's decision. The
data hashes change whenever any value does: a decision made on other data no longer holds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import normality
import orjson

__all__ = ["data_hash", "subject_key"]

_DATE_PROPS = ("birthDate", "incorporationDate", "buildDate")


def _values(properties: Mapping[str, object], prop: str) -> list[str]:
    found = properties.get(prop) or []
    values: Sequence[object] = found if isinstance(found, list | tuple) else [found]
    return [str(value) for value in values]


def subject_key(schema: str, properties: Mapping[str, object]) -> str:
    """The same key for the same person or body, however the name's case, accents or spacing vary."""
    given = _values(properties, "name") or [
        " ".join(_values(properties, "firstName") + _values(properties, "lastName"))
    ]
    names = sorted({folded for value in given if (folded := normality.normalize(value, ascii=True))})
    dates = sorted({value for prop in _DATE_PROPS for value in _values(properties, prop)})
    text = orjson.dumps([schema, names, dates])
    return hashlib.sha256(text).hexdigest()


def data_hash(schema: str, properties: Mapping[str, object]) -> str:
    """A hash of every value, independent of the order properties and values were given in."""
    canonical = {prop: sorted(_values(properties, prop)) for prop in sorted(properties)}
    return hashlib.sha256(orjson.dumps([schema, canonical])).hexdigest()
