"""An operation's takedowns in the browser: the targets, the share ended per country, and the forms
to add a target and move one on. The service decides who may; a refused form comes back on the
page with the reason and the status the error table gives it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from liaison.access import Action, may
from liaison.errors import BadInput, Conflict, Forbidden, NotFound
from liaison.http.deps import EngineDep
from liaison.http.problems import MAX_ID
from liaison.model.takedown import FINAL, Stage, Target
from liaison.services.operations import takedowns
from liaison.web.render import page, redirect, refusal_status
from liaison.web.session import PostedDep, Viewer, ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
Key = Annotated[str, Path(max_length=200)]
REFUSED = (BadInput, Forbidden, Conflict, NotFound)
STAGES = {Stage.NOTIFIED: "Notified", Stage.TAKEN_DOWN: "Taken down", Stage.SEIZED: "Seized"}


@dataclass(frozen=True, slots=True)
class TargetForm:
    """What the add form held, so that a refused target comes back filled in."""

    kind: str = "ip"
    value: str = ""
    country: str = ""
    provider: str = ""
    day: str = ""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _day(text: str) -> dt.date:
    if not text:
        return _now().date()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"field 'day': {text[:40]!r} is not a date (YYYY-MM-DD)") from None


def _page(
    request: Request, viewer: Viewer, key: str, form: TargetForm, *, error: str = "", status: int = 200
) -> HTMLResponse:
    operation, found, shares = takedowns.listing(request.app.state.engine, viewer.identity, key, _now())
    identity = viewer.identity
    acts = operation.closed_at is None and bool(may(identity, Action.FILE, operation.facts))
    ended = sum(share.taken_down + share.seized for share in shares)
    total = sum(share.targets for share in shares)
    return page(
        request,
        viewer,
        "takedowns.html",
        status,
        operation=operation,
        takedowns=found,
        shares=shares,
        share=ended / total if total else 0.0,
        form=form,
        acts=acts,
        targets=[kind.value for kind in Target],
        stages=STAGES,
        final=FINAL,
        error=error,
        section="operations",
    )


@router.get("/operations/{key}/takedowns", response_class=HTMLResponse)
def takedowns_page(request: Request, viewer: ViewerDep, key: Key) -> HTMLResponse:
    """The operation's targets and the share taken down or seized per country."""
    return _page(request, viewer, key, TargetForm())


@router.post("/operations/{key}/takedowns", response_model=None)
def add_target(request: Request, engine: EngineDep, sent: PostedDep, key: Key) -> Response:
    """Add a target; a refused one comes back on the page with the reason."""
    form = TargetForm(
        sent.text("kind")[:10],
        sent.text("value")[:600],
        sent.text("country")[:3],
        sent.text("provider")[:200],
        sent.text("day")[:10],
    )
    try:
        made = takedowns.add(
            engine,
            sent.identity,
            key,
            kind=form.kind,
            value=form.value,
            country=form.country,
            provider=form.provider,
            day=_day(form.day),
            now=_now(),
        )
    except REFUSED as exc:
        return _page(request, sent.viewer, key, form, error=str(exc), status=refusal_status(exc))
    return redirect(f"/app/operations/{made.operation_id}/takedowns#takedown-{made.takedown_id}")


@router.post("/takedowns/{takedown_id}/steps", response_model=None)
def advance_target(
    request: Request, engine: EngineDep, sent: PostedDep, takedown_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Response:
    """Move a target on; taken down or seized files the operation's field result."""
    key = sent.text("operation")[:200]
    try:
        moved = takedowns.advance(
            engine,
            sent.identity,
            takedown_id,
            stage=sent.text("stage")[:20],
            day=_day(sent.text("day")[:10]),
            notified_to=sent.text("notified_to")[:200],
            now=_now(),
        )
    except REFUSED as exc:
        return _page(request, sent.viewer, key, TargetForm(), error=str(exc), status=refusal_status(exc))
    return redirect(f"/app/operations/{moved.operation_id}/takedowns#takedown-{moved.takedown_id}")
