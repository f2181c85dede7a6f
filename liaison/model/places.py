"""Countries as records write them ("China - Hong Kong", "Viet Nam", "Accra, Ghana",
"Nigeria/Cameroon"), as ISO 3166 alpha-2 codes, through rigour's territory names."""

from __future__ import annotations

import re

import pycountry
from rigour.territories import lookup_territory

__all__ = ["countries_in", "country_of"]

_SEPARATORS = re.compile(r"\s*(?:/|,|;|&|\band\b|\bor\b)\s*")


def _iso(code: str | None) -> str | None:
    if code and len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None:
        return code.lower()
    return None


def country_of(text: str) -> str | None:
    """The country a name stands for, as a lower-case ISO code; None when it names none."""
    name = text.strip()
    if not name:
        return None
    if len(name) == 2 and _iso(name):
        return name.lower()
    candidates = [name, name.split(" - ")[-1], name.split("(")[0], name.split(",")[-1]]
    for candidate in candidates:
        territory = lookup_territory(candidate.strip())
        found = _iso(territory.code if territory is not None else None)
        if found:
            return found
    return None


def countries_in(text: str) -> list[str]:
    """The countries a route cell names, in order, each once; places that are no country are left out."""
    found: list[str] = []
    for part in _SEPARATORS.split(text.strip()):
        code = country_of(part) if part else None
        if code and code not in found:
            found.append(code)
    if not found:
        # "Vietnam Myanmar": names run together with only a space between them.
        for word in text.split():
            code = country_of(word)
            if code and code not in found:
                found.append(code)
    return found
