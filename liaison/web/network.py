"""The network view: an entity's neighbourhood drawn with Cytoscape.js, listed in tables, and exported.

The page draws the neighbourhood it was asked for; the browser then asks `graph.json` for the
neighbourhood of each node the user expands and adds what is new. Everything comes through
`services.graph`, so hidden records arrive as placeholders naming only their owner agency, every
view is audited as a graph read and every download as an export.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from liaison.analysis import network
from liaison.http.deps import EngineDep
from liaison.services.analysis import graph
from liaison.services.analysis.graph import Neighbourhood
from liaison.services.sharing import catalog
from liaison.web.render import page
from liaison.web.session import Viewer, ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)

DRAWN = 300
"""Nodes drawn at most: beyond a few hundred a drawing is a hairball and a phone slows to a crawl."""
EXPORTED = 10_000
"""Nodes exported at most: a file for Gephi or i2 may hold far more than a drawing, but not without end."""

EntityId = Annotated[str, Query(max_length=255, description="The entity to start from.")]
Hops = Annotated[int, Query(ge=1, le=3, description="Links to follow outwards.")]
Dataset = Annotated[
    str, Query(max_length=64, description="Draw from this dataset instead of the entity's own.")
]
Purpose = Annotated[str, Query(max_length=500, description="Why, for the audit trail.")]
_TYPES = {
    "gexf": ("application/gexf+xml", "gexf"),
    "graphml": ("application/graphml+xml", "graphml"),
    "i2": ("text/csv; charset=utf-8", "csv"),
    "ftm": ("application/x-ndjson", "ftm.json"),
}


def _neighbourhood(
    request: Request, viewer: Viewer, entity: str, hops: int, dataset: str, purpose: str, limit: int
) -> Neighbourhood:
    return graph.neighbourhood(
        request.app.state.engine,
        viewer.identity,
        dt.datetime.now(dt.UTC),
        entity.strip(),
        hops,
        [dataset] if dataset else None,
        limit=limit,
        purpose=purpose.strip(),
    )


def _elements(found: Neighbourhood) -> dict[str, Any]:
    """The Cytoscape.js elements of a neighbourhood and what the browser needs to say about them."""
    return {
        "start": found.start,
        "hops": found.hops,
        "elements": network.cytoscape_elements(found.graph, found.within),
        "nodes": found.graph.number_of_nodes(),
        "links": found.graph.number_of_edges(),
        "within": found.total,
        "cut": found.cut,
        "limit": DRAWN,
    }


@router.get("/network", response_class=HTMLResponse)
def network_page(
    request: Request,
    engine: EngineDep,
    viewer: ViewerDep,
    entity: EntityId = "",
    hops: Hops = 1,
    dataset: Dataset = "",
    purpose: Purpose = "",
) -> HTMLResponse:
    """The start form and, for an entity, its neighbourhood: a drawing, a legend and the same as tables."""
    identity = viewer.identity
    context: dict[str, Any] = {
        "entity": entity.strip(),
        "hops": hops,
        "dataset": dataset,
        "purpose": purpose.strip(),
        "datasets": catalog.datasets(engine, identity),
        "found": None,
    }
    if not entity.strip():
        return page(request, viewer, "network.html", **context)
    found = _neighbourhood(request, viewer, entity, hops, dataset, purpose, DRAWN)
    data = _elements(found)
    labels = {node: str(label) for node, label in found.graph.nodes(data="label")}
    context.update(found=found, data=data, labels=labels)
    return page(request, viewer, "network.html", **context)


@router.get("/network/graph.json")
def network_json(
    request: Request,
    viewer: ViewerDep,
    entity: EntityId,
    hops: Hops = 1,
    dataset: Dataset = "",
    purpose: Purpose = "",
) -> JSONResponse:
    """The neighbourhood as Cytoscape.js elements, cut to the nearest 300 nodes (`cut` says when).

    Example: `GET /app/network/graph.json?entity=p1&hops=1` answers `{"start": "p1", "elements":
    {"nodes": [{"data": {"id": "p1", "label": "Ivan Sokolov", "kind": "entity", ...}}], "edges":
    [...]}, "cut": false, ...}`; an entity the user may not read is a 404, like an absent one.
    """
    found = _neighbourhood(request, viewer, entity, hops, dataset, purpose, DRAWN)
    return JSONResponse(_elements(found), headers={"Cache-Control": "no-store"})


@router.get("/network/export")
def network_export(
    request: Request,
    engine: EngineDep,
    viewer: ViewerDep,
    entity: EntityId,
    hops: Hops = 1,
    dataset: Dataset = "",
    purpose: Purpose = "",
    format: Literal["gexf", "graphml", "i2", "ftm"] = "gexf",
) -> Response:
    """The neighbourhood as a download for Gephi (GEXF), GraphML, i2 (CSV) or as FtM JSON lines; audited."""
    found = _neighbourhood(request, viewer, entity, hops, dataset, purpose, EXPORTED)
    body = io.BytesIO()
    graph.export(
        engine,
        viewer.identity,
        dt.datetime.now(dt.UTC),
        found,
        format,
        body,
        purpose.strip(),
    )
    media_type, suffix = _TYPES[format]
    name = "".join(char if char.isalnum() or char in "-_" else "_" for char in found.start)[:80]
    headers = {
        "Content-Disposition": f'attachment; filename="network-{name}-{hops}.{suffix}"',
        "Cache-Control": "no-store",
    }
    return Response(body.getvalue(), media_type=media_type, headers=headers)
