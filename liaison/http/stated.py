"""Rules the services hold, stated in the API's schema too: a client that follows the schema
(or a fuzzer generating from it) then sends what the server accepts.

These only describe; the services still check every value and answer with their own messages.
Each rule must accept all that the server accepts, or a conforming client would be told that
valid data is invalid.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pycountry
from followthemoney import model

from liaison.matching.record import MATCHABLE

__all__ = ["COUNTRY", "FTM_SCHEMA", "MATCHABLE_SCHEMA", "SAYS_SOMETHING", "USER_NAME", "one_of"]

SAYS_SOMETHING: dict[str, Any] = {"pattern": r"^[^\x00]*[^\s\x00][^\x00]*$"}
"""Text that must say something: one character other than a space, at least."""
USER_NAME: dict[str, Any] = {"pattern": r"^[a-z0-9._-]{1,64}$"}


def one_of(values: Iterable[str]) -> dict[str, Any]:
    """The values a field takes, as an enum."""
    return {"enum": sorted(set(values))}


FTM_SCHEMA = one_of(model.schemata)
MATCHABLE_SCHEMA = one_of(MATCHABLE)
# Alpha-2 or alpha-3, in either case, as `model.operation.country_code` reads them.
COUNTRY = one_of(
    form
    for country in pycountry.countries
    for code in (country.alpha_2, country.alpha_3)
    for form in (code.lower(), code.upper())
)
