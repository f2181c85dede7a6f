"""The routes page: flows between countries, ranked hotspots, and a map drawn from local data only.

The map is an SVG the server draws: each country sits at its approximate centroid (the committed
table in `liaison/analysis/centroids.csv`), projected equirectangularly, over Natural Earth's
country outlines in the same projection (`liaison.web.outlines`); flows are curved lines as wide
as they are frequent, hotspots circles as large. No tiles, no CDN: Liaison runs offline.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from liaison.analysis.routes import Centroid, Flows, centroids
from liaison.http.deps import EngineDep
from liaison.services.analysis import routes
from liaison.services.sharing import catalog
from liaison.web import outlines
from liaison.web.render import page
from liaison.web.session import ViewerDep

__all__ = ["draw", "router"]

router = APIRouter(prefix="/app", include_in_schema=False)

_SCALE = 4.0  # SVG units per degree
_MARGIN = 8.0  # degrees around the countries drawn
_MIN_SPAN = (60.0, 30.0)  # degrees of longitude and latitude shown at least, so one country is not a blur


@dataclass(frozen=True, slots=True)
class Spot:
    """A country on the map: where, how large, what it says on hover."""

    country: str
    x: float
    y: float
    r: float
    title: str


@dataclass(frozen=True, slots=True)
class Line:
    """A leg on the map: its SVG path, width and hover text."""

    d: str
    width: float
    title: str


@dataclass(frozen=True, slots=True)
class RouteMap:
    """What the template draws: the view box, a graticule, legs, hotspots, and countries not placed;
    under them the outlines of the countries in the frame, in degrees, drawn `scale` times larger."""

    view_box: str
    font: float
    grid: list[str]
    lines: list[Line]
    spots: list[Spot]
    missing: list[str]
    land: list[str]
    scale: float = _SCALE


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _xy(place: Centroid) -> tuple[float, float]:
    return (place.lon + 180.0) * _SCALE, (90.0 - place.lat) * _SCALE


def _frame(places: list[Centroid]) -> tuple[float, float, float, float]:
    """West, north, east and south edges, in degrees, around the places."""
    if not places:
        return -180.0, 85.0, 180.0, -60.0
    west, east = min(p.lon for p in places) - _MARGIN, max(p.lon for p in places) + _MARGIN
    south, north = min(p.lat for p in places) - _MARGIN, max(p.lat for p in places) + _MARGIN
    # At least the minimum span, and about twice as wide as high, as a page column is.
    wide = max(_MIN_SPAN[0], east - west, 1.6 * (north - south))
    high = max(_MIN_SPAN[1], north - south, wide / 2.4)
    widen, heighten = (wide - (east - west)) / 2, (high - (north - south)) / 2
    return (
        max(-180.0, west - widen),
        min(90.0, north + heighten),
        min(180.0, east + widen),
        max(-90.0, south - heighten),
    )


def draw(found: Flows, noun: str = "trip") -> RouteMap:
    """Lay out the flows and hotspots on an equirectangular map framed around them; a leg counts `noun`s."""
    table = centroids()
    countries = list(
        dict.fromkeys([c for flow in found.flows for c in flow.path] + [h.country for h in found.hotspots])
    )
    placed = [table[country] for country in countries if country in table]
    west, north, east, south = _frame(placed)
    left, top = (west + 180.0) * _SCALE, (90.0 - north) * _SCALE
    width, height = (east - west) * _SCALE, (north - south) * _SCALE
    grid = [
        f"M{(lon + 180) * _SCALE:.1f} {top:.1f}V{top + height:.1f}"
        for lon in range(-180, 181, 10)
        if west <= lon <= east
    ]
    grid += [
        f"M{left:.1f} {(90 - lat) * _SCALE:.1f}H{left + width:.1f}"
        for lat in range(-90, 91, 10)
        if south <= lat <= north
    ]
    busiest = max((leg.count for leg in found.legs), default=1)
    lines = []
    for leg in found.legs:
        if leg.origin not in table or leg.destination not in table:
            continue
        (x1, y1), (x2, y2) = _xy(table[leg.origin]), _xy(table[leg.destination])
        # Bend each leg to its left: a leg and its way back stay two lines, not one.
        bend = 0.18
        cx, cy = (x1 + x2) / 2 - (y2 - y1) * bend, (y1 + y2) / 2 + (x2 - x1) * bend
        title = f"{leg.origin.upper()} → {leg.destination.upper()}: {_counted(leg.count, noun)}"
        lines.append(
            Line(
                f"M{x1:.1f} {y1:.1f}Q{cx:.1f} {cy:.1f} {x2:.1f} {y2:.1f}",
                1.0 + 3.0 * leg.count / busiest,
                title,
            )
        )
    hottest = max((spot.count for spot in found.hotspots), default=1)
    spots = []
    for spot in found.hotspots:
        if spot.country in table:
            x, y = _xy(table[spot.country])
            title = f"{table[spot.country].name} ({spot.country.upper()}): {_counted(spot.count, 'record')}"
            spots.append(Spot(spot.country.upper(), x, y, 2.5 + 6.0 * math.sqrt(spot.count / hottest), title))
    missing = [country.upper() for country in countries if country not in table]
    land = [country.d for country in outlines.within(west, north, east, south)]
    return RouteMap(
        f"{left:.1f} {top:.1f} {width:.1f} {height:.1f}",
        max(8.0, width / 70),
        grid,
        lines,
        spots,
        missing,
        land,
    )


@router.get("/routes", response_class=HTMLResponse)
def routes_page(
    request: Request,
    engine: EngineDep,
    viewer: ViewerDep,
    dataset: Annotated[str, Query(max_length=64)] = "",
    purpose: Annotated[str, Query(max_length=500)] = "",
) -> HTMLResponse:
    """Flows between countries from the trips the user may read, hotspots by rank, and their map."""
    identity = viewer.identity
    found = routes.flows(
        engine, identity, dt.datetime.now(dt.UTC), [dataset] if dataset else (), purpose.strip()
    )
    return page(
        request,
        viewer,
        "routes.html",
        found=found,
        route_map=draw(found),
        dataset=dataset,
        purpose=purpose.strip(),
        datasets=catalog.datasets(engine, identity),
    )
