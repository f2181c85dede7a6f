"""Wildlife seizures: what was seized (species, commodity, quantity), where, when and on what route.

Pure data and the rules a seizure must meet; the species is resolved against the CITES index by
the service, which knows the store. Quantities come in many units; each seizure keeps what was
reported and a comparable measure: kilograms where the seizure was weighed (grams, tonnes and
pounds converted), individuals where it was counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from liaison.errors import BadInput
from liaison.model.operation import country_code

__all__ = ["MAX_QUANTITY", "WEIGHTS", "Commodity", "SeizureReport", "to_kilograms"]

MAX_QUANTITY = 1e9
"""More than a million tonnes or a billion individuals is a typing error, not a seizure."""
WEIGHTS = {"kg": 1.0, "g": 0.001, "t": 1_000.0, "tonne": 1_000.0, "tonnes": 1_000.0, "lb": 0.45359237}
"""Kilograms per unit of weight."""
COUNTS = frozenset({"individuals", "ind", "pieces", "piece", "items", "head"})
_MAX_TEXT = 2_000


class Commodity(StrEnum):
    """What form the seized wildlife was in."""

    LIVE = "live"
    WHOLE = "whole"
    CARCASS = "carcass"
    SCALES = "scales"
    IVORY = "ivory"
    HORN = "horn"
    MEAT = "meat"
    SKIN = "skin"
    TIMBER = "timber"
    OTHER = "other"


def to_kilograms(quantity: float, unit: str) -> float | None:
    """A weight in kilograms; None when the unit counts rather than weighs."""
    factor = WEIGHTS.get(unit.strip().lower())
    return quantity * factor if factor is not None else None


@dataclass(frozen=True, slots=True)
class SeizureReport:
    """One seizure as reported, checked: the species as written (resolved later), and the rest."""

    day: dt.date | None
    year: int
    country: str
    location: str
    species: str
    commodity: Commodity
    quantity: float | None
    unit: str
    weight_kg: float | None
    individuals: float | None
    concealment: str
    route: tuple[str, ...]
    """Countries in the order travelled: origin, transit countries, destination (the seizing
    country is where the route was cut, and is on it when it was a transit or the destination)."""

    @classmethod
    def parse(
        cls,
        *,
        day: dt.date | None,
        year: int | None,
        country: str,
        location: str = "",
        species: str,
        commodity: str,
        quantity: float | None,
        unit: str,
        individuals: float | None = None,
        concealment: str = "",
        route: tuple[str, ...] = (),
        today: dt.date,
    ) -> SeizureReport:
        """A checked seizure; BadInput names the field at fault."""
        if day is not None and day > today:
            raise BadInput(f"field 'date': {day} is in the future")
        when = day.year if day is not None else year
        if when is None or not 1900 <= when <= today.year:
            raise BadInput(f"field 'year': {when!r} is not a year up to {today.year}")
        if not species.strip():
            raise BadInput("field 'species': required")
        try:
            kind = Commodity(commodity.strip().lower())
        except ValueError:
            raise BadInput(
                f"field 'commodity': {commodity[:40]!r}; use one of {', '.join(Commodity)}"
            ) from None
        if quantity is None:
            counted = individuals if individuals is not None and 0 <= individuals <= MAX_QUANTITY else None
            return cls(
                day,
                when,
                country_code(country, "country"),
                location.strip()[:_MAX_TEXT],
                species.strip()[:200],
                kind,
                None,
                "",
                None,
                counted,
                concealment.strip()[:_MAX_TEXT],
                tuple(country_code(code, "route") for code in route),
            )
        if not 0 <= quantity <= MAX_QUANTITY or quantity != quantity:
            raise BadInput(f"field 'quantity': {quantity!r} is not a quantity between 0 and {MAX_QUANTITY:g}")
        measure = unit.strip().lower()
        if measure not in WEIGHTS and measure not in COUNTS:
            raise BadInput(
                f"field 'unit': {unit[:20]!r}; use a weight ({', '.join(WEIGHTS)}) "
                "or a count (individuals, pieces)"
            )
        if individuals is not None and not 0 <= individuals <= MAX_QUANTITY:
            raise BadInput(f"field 'individuals': {individuals!r} is not a count")
        counted = individuals if individuals is not None else (quantity if measure in COUNTS else None)
        return cls(
            day,
            when,
            country_code(country, "country"),
            location.strip()[:_MAX_TEXT],
            species.strip()[:200],
            kind,
            quantity,
            measure,
            to_kilograms(quantity, measure),
            counted,
            concealment.strip()[:_MAX_TEXT],
            tuple(country_code(code, "route") for code in route),
        )
