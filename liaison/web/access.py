"""Access requests: ask an owner agency for a record behind a hit/no-hit reference; grant or refuse."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liaison.http.deps import EngineDep
from liaison.services.sharing import hits
from liaison.web.render import confirmed, page
from liaison.web.session import PostedDep, ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)


@router.get("/access", response_class=HTMLResponse)
def requests(request: Request, engine: EngineDep, viewer: ViewerDep, reference: str = "") -> HTMLResponse:
    """My requests and those addressed to my agency, and the form to ask for a reference's record."""
    found = hits.list_requests(engine, viewer.identity)
    views = [(item, hits.request_view(item, viewer.identity)) for item in found]
    mine = [view for item, view in views if item.requester == viewer.identity.user]
    to_us = [view for item, view in views if item.copy.owner_agency == viewer.identity.agency]
    return page(request, viewer, "access.html", mine=mine, to_us=to_us, reference=reference[:64])


@router.post("/access")
def ask(request: Request, engine: EngineDep, sent: PostedDep) -> Response:
    """Ask for the record behind one of my references, saying why."""
    made = hits.request_access(
        engine,
        sent.identity,
        sent.text("reference"),
        sent.text("reason")[: hits.MAX_REASON],
        dt.datetime.now(dt.UTC),
    )
    said = f"Access requested from {made.copy.owner_agency}: they decide, and you are alerted when they do."
    return confirmed(request, "/app/access", said)


@router.post("/access/{request_id}")
def decide(request: Request, engine: EngineDep, request_id: str, sent: PostedDep) -> Response:
    """Grant or refuse a request addressed to my agency."""
    granting = sent.text("decision") == "grant"
    decided = hits.decide(
        engine,
        sent.identity,
        request_id,
        grant=granting,
        note=sent.text("note")[: hits.MAX_REASON],
        now=dt.datetime.now(dt.UTC),
    )
    outcome = "granted: they may read the record now" if granting else "refused"
    said = f"Request of {decided.requester} ({decided.requester_agency}) {outcome}."
    return confirmed(request, "/app/access", said)
