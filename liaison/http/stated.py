"""Rules the services hold, stated in the API's schema too: a client that follows the schema
(or a fuzzer generating from it) then sends what the server accepts.

These only describe; the services still check every value and answer with their own messages.
Each rule must accept all that the server accepts, or a conforming client would be told that
valid data is invalid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pycountry
from followthemoney import model

from liaison.matching.record import MATCHABLE
from liaison.model.handling import Handling

__all__ = [
    "COUNTRY",
    "FTM_SCHEMA",
    "HANDLING",
    "MATCHABLE_SCHEMA",
    "PURPOSE",
    "SAYS_SOMETHING",
    "USER_NAME",
    "one_of",
]

SAYS_SOMETHING: dict[str, Any] = {"pattern": r"^[^\x00]*[^\s\x00][^\x00]*$"}
"""Text that must say something: one character other than a space, at least."""
USER_NAME: dict[str, Any] = {"pattern": r"^[a-z0-9._-]{1,64}$"}
PURPOSE: dict[str, Any] = {"pattern": r"^\s*[^\s\x00][^\x00]+[^\s\x00]\s*$"}
"""A purpose that screening audits: three characters at least once the spaces around are cut."""


def one_of(values: Iterable[str]) -> dict[str, Any]:
    """The values a field takes, as an enum."""
    return {"enum": sorted(set(values))}


FTM_SCHEMA = one_of(model.schemata)
MATCHABLE_SCHEMA = one_of(MATCHABLE)


def _any_case(word: str) -> str:
    return "".join(f"[{char.upper()}{char.lower()}]" if char.isalpha() else re.escape(char) for char in word)


# As `Handling.parse` reads a code: any case, spaces around, `TLP:` before, WHITE for CLEAR.
_CODES = "|".join(_any_case(code) for code in [*(code.value for code in Handling), "WHITE"])
HANDLING: dict[str, Any] = {"pattern": rf"^\s*({_any_case('TLP:')})?({_CODES})\s*$"}
# Alpha-2 or alpha-3, in either case, as `model.operation.country_code` reads them.
COUNTRY = one_of(
    form
    for country in pycountry.countries
    for code in (country.alpha_2, country.alpha_3)
    for form in (code.lower(), code.upper())
)
