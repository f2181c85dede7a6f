"""Routes and hotspots: where people and goods were moved, and where things keep happening.

A route comes from an FtM `Trip`: the country of its start location, the countries it passed
through (its own `country` values, in the order recorded, less both ends) and the country of its
end location. Any other `Event` (a seizure, an attack, an arrest) is an incident in its
countries. Routes with the same countries in the same order are one flow, counted; each leg
between two neighbouring countries on a flow is a line on the map. A hotspot is a country, ranked
by how many records touch it. Everything here takes the records the caller was given.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

from followthemoney.proxy import EntityProxy

__all__ = [
    "Centroid",
    "Flow",
    "Flows",
    "Hotspot",
    "Leg",
    "Record",
    "centroids",
    "flows",
    "is_route_record",
    "trip_path",
]

_CENTROIDS = Path(__file__).with_name("centroids.csv")


@dataclass(frozen=True, slots=True)
class Record:
    """A record behind a flow or hotspot: its id and caption, so a page can link to it."""

    entity_id: str
    caption: str


@dataclass(frozen=True, slots=True)
class Flow:
    """Trips along the same countries: origin, transit countries in order, destination, how many."""

    origin: str
    transit: tuple[str, ...]
    destination: str
    count: int
    records: tuple[Record, ...]

    @property
    def path(self) -> tuple[str, ...]:
        """Every country of the flow, origin first."""
        return (self.origin, *self.transit, self.destination)


@dataclass(frozen=True, slots=True)
class Leg:
    """One hop between neighbouring countries on flows, with the trips along it in either order."""

    origin: str
    destination: str
    count: int


@dataclass(frozen=True, slots=True)
class Hotspot:
    """A country and the records touching it: incidents there, trips leaving, crossing or reaching it."""

    country: str
    count: int
    incidents: int
    origins: int
    transits: int
    destinations: int
    records: tuple[Record, ...]


@dataclass(frozen=True, slots=True)
class Flows:
    """Flows by count, legs by count, hotspots by rank, and the trips no country could be found for."""

    flows: list[Flow]
    legs: list[Leg]
    hotspots: list[Hotspot]
    unplaced: list[Record]


def is_route_record(proxy: EntityProxy) -> bool:
    """Whether an entity can carry a route or an incident: a Trip or another kind of Event."""
    return proxy.schema.is_a("Event")


def _countries(entity_id: str, places: Mapping[str, EntityProxy]) -> list[str]:
    place = places.get(entity_id)
    return place.get("country") if place is not None else []


def trip_path(trip: EntityProxy, places: Mapping[str, EntityProxy]) -> tuple[str, ...] | None:
    """The countries a trip went through, in order, or None when its two ends cannot be placed.

    The ends are the countries of its start and end locations (Address entities in `places`);
    when one is unknown (not given, or hidden from the caller), the trip's own first or last
    country stands in for it, so a trip recorded with countries only still counts.
    """
    own = trip.get("country")
    starts = [country for location in trip.get("startLocation") for country in _countries(location, places)]
    ends = [country for location in trip.get("endLocation") for country in _countries(location, places)]
    origin = starts[0] if starts else (own[0] if len(own) > 1 else None)
    destination = ends[0] if ends else (own[-1] if len(own) > 1 else None)
    if origin is None or destination is None:
        return None
    transit = [country for country in dict.fromkeys(own) if country not in (origin, destination)]
    return (origin, *transit, destination)


def flows(entities: Iterable[EntityProxy], places: Mapping[str, EntityProxy]) -> Flows:
    """Flows, legs and hotspots of these Trips and Events; `places` are the locations they point to."""
    routes: dict[tuple[str, ...], list[Record]] = defaultdict(list)
    touched: dict[str, Counter[str]] = defaultdict(Counter)
    behind: dict[str, dict[str, Record]] = defaultdict(dict)
    unplaced: list[Record] = []
    for proxy in sorted(entities, key=lambda entity: str(entity.id)):
        if not is_route_record(proxy):
            continue
        record = Record(str(proxy.id), proxy.caption)
        if proxy.schema.is_a("Trip"):
            path = trip_path(proxy, places)
            if path is None:
                unplaced.append(record)
                continue
            routes[path].append(record)
            roles = {path[0]: "origins", path[-1]: "destinations"}
            roles.update({country: "transits" for country in path[1:-1]})
        else:
            located = [
                country for place in proxy.get("addressEntity") for country in _countries(place, places)
            ]
            roles = {country: "incidents" for country in dict.fromkeys([*proxy.get("country"), *located])}
        for country, role in roles.items():
            touched[country][role] += 1
            behind[country][record.entity_id] = record
    found = [
        Flow(path[0], path[1:-1], path[-1], len(records), tuple(records)) for path, records in routes.items()
    ]
    found.sort(key=lambda flow: (-flow.count, flow.path))
    return Flows(found, _legs(found), _rank(touched, behind), unplaced)


def _legs(found: list[Flow]) -> list[Leg]:
    counts: Counter[tuple[str, str]] = Counter()
    for flow in found:
        for origin, destination in pairwise(flow.path):
            if origin != destination:
                counts[(origin, destination)] += flow.count
    legs = [Leg(origin, destination, count) for (origin, destination), count in counts.items()]
    return sorted(legs, key=lambda leg: (-leg.count, leg.origin, leg.destination))


def _rank(touched: Mapping[str, Counter[str]], behind: Mapping[str, Mapping[str, Record]]) -> list[Hotspot]:
    spots = [
        Hotspot(
            country,
            len(behind[country]),
            roles["incidents"],
            roles["origins"],
            roles["transits"],
            roles["destinations"],
            tuple(behind[country][entity_id] for entity_id in sorted(behind[country])),
        )
        for country, roles in touched.items()
    ]
    # Incidents break ties: a seizure in a country says more about it than a trip crossing it.
    return sorted(spots, key=lambda spot: (-spot.count, -spot.incidents, spot.country))


@dataclass(frozen=True, slots=True)
class Centroid:
    """Roughly the middle of a country, in degrees: enough to place it on a small map."""

    country: str
    name: str
    lat: float
    lon: float


@cache
def centroids() -> dict[str, Centroid]:
    """The committed table of approximate country centroids, by lower-case ISO 3166 alpha-2 code."""
    with _CENTROIDS.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(row for row in handle if not row.startswith("#"))
        return {
            row["country"].lower(): Centroid(
                row["country"].lower(), row["name"], float(row["lat"]), float(row["lon"])
            )
            for row in rows
        }
