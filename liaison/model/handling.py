"""Handling codes (TLP 2.0) and the envelope every shared record carries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Envelope", "Handling"]


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


@dataclass(frozen=True, slots=True)
class Envelope:
    """Who owns a record, who may receive it, why it is held and where it came from."""

    owner_agency: str
    dataset: str
    handling: Handling
    purpose: str
    retention_review: dt.date
    releasability: tuple[str, ...] = field(default_factory=tuple)
