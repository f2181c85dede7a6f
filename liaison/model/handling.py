"""Handling codes (TLP 2.0) and the envelope every shared record carries."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["RELEASE_KINDS", "Envelope", "Handling", "parse_release"]

RELEASE_KINDS = ("agency", "country", "group", "user")
"""What a releasability entry may name: `agency:NCB-ES`, `country:es`, `group:balkans`, `user:alice`."""
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")


class Handling(StrEnum):
    """Traffic Light Protocol 2.0 codes, from the widest audience to the narrowest."""

    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"

    @classmethod
    def parse(cls, text: str) -> Handling:
        """Read a code as users write it: case-insensitive, `TLP:` prefix and WHITE allowed."""
        value = text.strip().upper().removeprefix("TLP:")
        if value == "WHITE":  # TLP 1.0's name for CLEAR, still on many MISP events
            value = "CLEAR"
        for code in cls:
            if code.value == value:
                return code
        allowed = ", ".join(code.value for code in cls)
        raise ValueError(f"unknown handling code {text!r}; use one of {allowed}")

    @property
    def rank(self) -> int:
        """How narrow the audience is: 0 for CLEAR, 4 for RED."""
        return _RANKS[self]

    def stricter(self, other: Handling) -> Handling:
        """The narrower audience of the two."""
        return other if other.rank > self.rank else self

    @classmethod
    def strictest(cls, codes: Iterable[Handling]) -> Handling | None:
        """The narrowest audience among the codes; None when there are none."""
        return max(codes, key=lambda code: code.rank, default=None)


_RANKS = {code: rank for rank, code in enumerate(Handling)}


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who owns a record, who may receive it, why it is held and where it came from."""

    owner_agency: str
    dataset: str
    handling: Handling
    purpose: str
    retention_review: dt.date
    releasability: tuple[str, ...] = field(default_factory=tuple)


def parse_release(entry: str) -> str:
    """A releasability entry in its one written form; ValueError names what is wrong with it.

    Agency codes are upper case, countries ISO 3166-1 alpha-2 in lower case, groups lower case;
    user names are kept as given.
    """
    kind, _, value = entry.strip().partition(":")
    kind, value = kind.strip().lower(), value.strip()
    if kind not in RELEASE_KINDS:
        raise ValueError(f"releasability {entry!r}: use agency:CODE, country:CC, group:NAME or user:NAME")
    if not _NAME.match(value):
        raise ValueError(
            f"releasability {entry!r}: {kind} name must be letters, digits, '.', '_', '+' or '-'"
        )
    if kind == "country":
        if len(value) != 2 or not value.isalpha():
            raise ValueError(f"releasability {entry!r}: a country is its ISO 3166-1 alpha-2 code")
        return f"country:{value.lower()}"
    if kind == "agency":
        return f"agency:{value.upper()}"
    if kind == "group":
        return f"group:{value.lower()}"
    return f"user:{value}"
