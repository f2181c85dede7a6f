"""Country outlines under the route maps: Natural Earth's 1:110m countries, shipped with Liaison.

The outlines are a committed file in static/vendor (its name carries the world-atlas version),
made by hand from the npm packages world-atlas and topojson-client with
`node liaison/web/assets/outlines.mjs`; the file names its source and licence. Each country is
an SVG path in the maps' equirectangular projection in degrees (x = longitude + 180,
y = 90 - latitude), with its bounding box, so a map draws only the countries in its frame.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = ["OUTLINES", "Outline", "outlines", "within"]

OUTLINES = Path(__file__).parent / "static" / "vendor" / "world-atlas-2.0.2-countries-110m.json"
"""The outlines file; the server also serves it, at /app/static/vendor/<its name>."""


@dataclass(frozen=True, slots=True)
class Outline:
    """A country's outline: its name, bounding box (west, south, east, north) and SVG path."""

    name: str
    bbox: tuple[float, float, float, float]
    d: str


@cache
def outlines() -> tuple[Outline, ...]:
    """Every country in the outlines file, read once."""
    with OUTLINES.open(encoding="utf-8") as handle:
        found = json.load(handle)
    return tuple(
        Outline(country["name"], (west, south, east, north), country["d"])
        for country in found["countries"]
        for west, south, east, north in [country["bbox"]]
    )


def within(west: float, north: float, east: float, south: float) -> list[Outline]:
    """The countries whose bounding box meets the frame, edges in degrees, in the file's order."""
    return [
        country
        for country in outlines()
        if country.bbox[0] <= east
        and country.bbox[2] >= west
        and country.bbox[1] <= north
        and country.bbox[3] >= south
    ]
