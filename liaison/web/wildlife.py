"""Wildlife seizures in the browser: trends by year (a chart drawn here, and CSV), a species'
history beside its legal trade (CITES records), the routes seizures travelled, and seizures two
datasets both report; counted within the viewer's access and audited."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from liaison.analysis.charts import stacked_bars
from liaison.analysis.routes import Flow, Flows, Hotspot, Leg
from liaison.errors import BadInput
from liaison.http.deps import EngineDep
from liaison.services.wildlife import cites_trade, seizures
from liaison.store.seizures import TrendRow
from liaison.web.render import page
from liaison.web.routes import RouteMap, draw
from liaison.web.session import ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
BY = {"species": "Species", "country": "Country", "commodity": "Commodity"}
SERIES = 6
"""Series drawn in the chart; the rest are summed as "others"."""
SHOWN_LEGS = 25


def route_map(legs: list[tuple[str, str, int]]) -> RouteMap:
    """The route legs on the routes page's map: each leg a line, each country a circle as large as
    the seizures whose routes touch it."""
    touching: Counter[str] = Counter()
    for source, target, count in legs:
        touching[source] += count
        touching[target] += count
    return draw(
        Flows(
            [Flow(source, (), target, count, ()) for source, target, count in legs],
            [Leg(source, target, count) for source, target, count in legs],
            [Hotspot(country, count, 0, 0, 0, 0, ()) for country, count in touching.most_common()],
            [],
        ),
        noun="seizure",
    )


def chart(rows: list[TrendRow], by: str) -> str:
    """Seizures per year, stacked by the largest values of the dimension."""
    years = [str(year) for year in range(min(row.year for row in rows), max(row.year for row in rows) + 1)]
    totals: Counter[str] = Counter()
    for row in rows:
        totals[row.key] += row.seizures
    top = [key for key, _count in totals.most_common(SERIES)]
    series: dict[str, list[int]] = {key: [0] * len(years) for key in [*top, "others"]}
    for row in rows:
        series[row.key if row.key in top else "others"][years.index(str(row.year))] += row.seizures
    return stacked_bars(f"Seizures per year by {by}", years, series, label="seizures", ticks=years)


@router.get("/wildlife", response_class=HTMLResponse)
def wildlife_page(
    request: Request,
    engine: EngineDep,
    viewer: ViewerDep,
    by: Annotated[str, Query(max_length=20)] = "species",
    species: Annotated[str, Query(max_length=200)] = "",
    purpose: Annotated[str, Query(max_length=500)] = "",
) -> HTMLResponse:
    """The trend form and, with a purpose, the chart, the table, the CSV link and the routes."""
    rows: list[TrendRow] = []
    legs: list[tuple[str, str, int]] = []
    trade: list[cites_trade.YearSideBySide] = []
    error, status, drawn = "", 200, ""
    if purpose.strip():
        now = dt.datetime.now(dt.UTC)
        try:
            if by not in BY:
                raise BadInput(f"field 'by': use one of {', '.join(BY)}")
            identity = viewer.identity
            chosen = species.strip() or None
            rows = seizures.trend(engine, identity, by, species=chosen, purpose=purpose, now=now)  # type: ignore[arg-type]
            legs = seizures.routes(engine, identity, species=chosen, purpose=purpose, now=now)[:SHOWN_LEGS]
            drawn = chart(rows, BY[by].lower()) if rows else ""
            trade = cites_trade.beside_seizures(engine, identity, chosen, purpose=purpose, now=now)
        except BadInput as exc:
            error, status = str(exc), 422
    csv_link = "/api/v1/seizures/trends?" + urlencode(
        {"by": by, "species": species, "purpose": purpose, "format": "csv"}
    )
    return page(
        request,
        viewer,
        "wildlife.html",
        status,
        by=by,
        choices=BY,
        species=species,
        purpose=purpose,
        rows=rows,
        legs=legs,
        chart=drawn,
        csv_link=csv_link,
        error=error,
        trade=[row for row in trade if row.trade],
        route_map=route_map(legs) if legs else None,
        section="wildlife",
    )


@router.get("/wildlife/duplicates", response_class=HTMLResponse)
def duplicates_page(
    request: Request,
    engine: EngineDep,
    viewer: ViewerDep,
    dataset: Annotated[str, Query(max_length=64)] = "",
    against: Annotated[str, Query(max_length=64)] = "",
    purpose: Annotated[str, Query(max_length=500)] = "",
) -> HTMLResponse:
    """Seizures two datasets both report: the form and, with a purpose, the pairs with their reasons."""
    pairs: list[seizures.ReportedTwice] = []
    error, status = "", 200
    if purpose.strip():
        try:
            pairs = seizures.reported_twice(
                engine,
                viewer.identity,
                dataset,
                against,
                purpose=purpose,
                now=dt.datetime.now(dt.UTC),
            )
        except BadInput as exc:
            error, status = str(exc), 422
    return page(
        request,
        viewer,
        "wildlife_duplicates.html",
        status,
        dataset=dataset,
        against=against,
        purpose=purpose,
        pairs=pairs,
        error=error,
        section="wildlife",
    )
