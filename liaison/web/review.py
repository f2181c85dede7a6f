"""The review queue: xref pairs side by side, confirmed or dismissed with a key."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liaison.access.decision import Action, Decision, PairFacts, may
from liaison.errors import NotFound
from liaison.http.deps import EngineDep
from liaison.model import Identity
from liaison.services.screening import xref
from liaison.services.sharing import catalog
from liaison.store import StoredEntity
from liaison.web.render import confirmed, page
from liaison.web.session import PostedDep, ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
_QUEUE = 50


@router.get("/review", response_class=HTMLResponse)
def review(request: Request, engine: EngineDep, viewer: ViewerDep, skip: int = 0) -> HTMLResponse:
    """The best-scored pending pair the user may read both sides of, and the queue after it."""
    identity = viewer.identity
    pending = xref.review(engine, limit=_QUEUE + 1 + max(0, min(skip, _QUEUE)), identity=identity)
    skip = max(0, min(skip, len(pending) - 1)) if pending else 0
    current = pending[skip] if pending else None
    sides: list[StoredEntity | None] = []
    if current is not None:
        now = dt.datetime.now(dt.UTC)
        for dataset, entity_id in (
            (current.left_dataset, current.left_id),
            (current.right_dataset, current.right_id),
        ):
            sides.append(_copy(request, viewer, dataset, entity_id, now))
    queue = pending[skip + 1 : skip + 1 + _QUEUE]
    return page(
        request,
        viewer,
        "review.html",
        pair=current,
        sides=sides,
        queue=queue,
        skip=skip,
        deciding=_deciding(identity),
    )


def _deciding(identity: Identity) -> Decision:
    """Whether to offer Confirm and Dismiss, and if not why: a display hint only, so that no one
    sees a button that cannot work; `xref.confirm` and `xref.dismiss` decide."""
    return may(identity, Action.DECIDE, PairFacts())


def _copy(
    request: Request, viewer: ViewerDep, dataset: str, entity_id: str, now: dt.datetime
) -> StoredEntity | None:
    """One side of a pair as the user may read it; None once deleted."""
    try:
        copies = catalog.show(request.app.state.engine, entity_id, viewer.identity, now, "xref review")
    except NotFound:
        return None
    return next((stored for stored in copies if stored.envelope.dataset == dataset), copies[0])


@router.post("/review/{pair_id}", response_model=None)
def decide(request: Request, engine: EngineDep, pair_id: str, sent: PostedDep) -> Response:
    """Confirm or dismiss a pair, then on to the next one."""
    confirming = sent.text("decision") == "confirm"
    decide_pair = xref.confirm if confirming else xref.dismiss
    identity, now = sent.identity, dt.datetime.now(dt.UTC)
    pair = decide_pair(engine, pair_id[:64], identity.actor, now, identity)
    ends = f"{pair.left_caption or pair.left_id} and {pair.right_caption or pair.right_id}"
    verdict = "confirmed as one entity" if confirming else "dismissed: kept apart from now on"
    return confirmed(request, "/app/review", f"{ends}: {verdict}.")
