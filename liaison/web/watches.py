"""My watches in the browser: the list, a watch added by name, one removed, and an entity watched.

A watch alerts its user whenever data they may read matches it (or, for data they may not read,
with a hit/no-hit reference); the watches service keeps them and checks every import against them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from liaison.errors import BadInput
from liaison.http.deps import EngineDep
from liaison.services.screening import watches
from liaison.web.render import confirmed, page
from liaison.web.session import Posted, PostedDep, Viewer, ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
# What one watches by name; birth dates only mean something for people.
SCHEMATA = ("Person", "Organization", "Company", "Vessel")
# The watches service takes thresholds in this range; the form starts inside it.
_LOWEST, _HIGHEST = 0.5, 1.0
_WATCHING = "Watching {label}: you will be alerted when new records match (score {threshold:.2f} or more)."


@dataclass(frozen=True, slots=True)
class WatchForm:
    """What the watch form holds, kept as typed so that a refused form comes back filled in."""

    name: str = ""
    label: str = ""
    schema: str = "Person"
    birth_date: str = ""
    country: str = ""
    threshold: str = ""

    @classmethod
    def read(cls, sent: Posted) -> WatchForm:
        """The form as posted."""
        return cls(
            name=sent.text("name"),
            label=sent.text("label"),
            schema=sent.text("schema", "Person"),
            birth_date=sent.text("birth_date"),
            country=sent.text("country"),
            threshold=sent.text("threshold"),
        )

    def query(self) -> dict[str, Any]:
        """The FtM query example the watches service takes."""
        properties = {
            prop: [value]
            for prop, value in (
                ("name", self.name),
                ("birthDate", self.birth_date),
                ("country", self.country),
            )
            if value
        }
        return {"schema": self.schema, "properties": properties}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _threshold(request: Request, given: str) -> float:
    """The threshold typed, or the server's match threshold brought inside what a watch takes."""
    if not given:
        default: float = request.app.state.settings.match_threshold
        return min(max(default, _LOWEST), _HIGHEST)
    try:
        return float(given)
    except ValueError as exc:
        raise BadInput(f"field 'threshold': {given!r:.20} is not a number from 0.5 to 1.0") from exc


@router.get("/watches", response_class=HTMLResponse)
def watch_list(request: Request, viewer: ViewerDep) -> HTMLResponse:
    """My watches and the form to add one."""
    return _page(request, viewer, WatchForm())


@router.post("/watches", response_class=HTMLResponse)
def add_watch(request: Request, engine: EngineDep, sent: PostedDep) -> Response:
    """Add a watch; a refused form comes back with the reason and what was typed (422)."""
    form = WatchForm.read(sent)
    try:
        watch = watches.add(
            engine,
            sent.identity,
            form.label or form.name,
            form.query(),
            _threshold(request, form.threshold),
            _now(),
        )
    except BadInput as exc:
        return _page(request, sent.viewer, form, error=str(exc), status=422)
    return confirmed(request, "/app/watches", _WATCHING.format(label=watch.label, threshold=watch.threshold))


@router.post("/watches/entity")
def watch_entity(request: Request, engine: EngineDep, sent: PostedDep) -> Response:
    """Watch for other records of an entity the user may read, then go back to its page."""
    entity_id = sent.text("entity_id")
    watch = watches.watch_entity(
        engine,
        sent.identity,
        sent.text("dataset"),
        entity_id,
        _threshold(request, sent.text("threshold")),
        _now(),
    )
    # Quoted whole: an id is data, and must not turn the redirect into another path or host.
    said = _WATCHING.format(label=watch.label, threshold=watch.threshold)
    return confirmed(request, f"/app/entities/{quote(entity_id, safe='')}", said)


@router.post("/watches/{watch_id}/remove")
def remove_watch(
    request: Request, engine: EngineDep, sent: PostedDep, watch_id: Annotated[str, Path(max_length=64)]
) -> Response:
    """Stop one of my watches."""
    stopped = watches.remove(engine, sent.identity, watch_id, _now())
    return confirmed(request, "/app/watches", f"Stopped watching {stopped.label}: no more alerts from it.")


def _page(
    request: Request, viewer: Viewer, form: WatchForm, *, error: str = "", status: int = 200
) -> HTMLResponse:
    return page(
        request,
        viewer,
        "watches.html",
        status,
        watches=watches.list_watches(request.app.state.engine, viewer.identity),
        form=form,
        schemata=SCHEMATA,
        threshold=form.threshold or f"{_threshold(request, ''):.2f}",
        error=error,
    )
