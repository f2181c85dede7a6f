"""Search across everything the user may read, with filters; hidden hits come back as references."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from liaison.ingest.screening_csv import MATCHABLE
from liaison.model import Envelope, Handling
from liaison.services import catalog
from liaison.services.matching_service import DEFAULT_SCOPE, Found, MatchingService, Scope
from liaison.web.render import page
from liaison.web.session import ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
SHOWN = 50
# Filters apply to the best candidates the index finds; enough that a filter rarely empties a page.
_POOL = 200
SCHEMATA = ("Thing", "LegalEntity", *sorted(MATCHABLE - {"LegalEntity"}))


@dataclass(frozen=True, slots=True)
class Filters:
    """What the user narrowed the search to; empty means any."""

    schema: str = "Thing"
    dataset: str = ""
    country: str = ""
    agency: str = ""
    handling: str = ""

    def keeps(self, found: Found) -> bool:
        """Whether a result passes the filters the index could not apply."""
        envelopes: tuple[Envelope, ...] = found.envelopes
        if self.country and self.country.lower() not in found.proxy.countries:
            return False
        if self.agency and all(envelope.owner_agency != self.agency for envelope in envelopes):
            return False
        return not self.handling or any(envelope.handling.value == self.handling for envelope in envelopes)


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    viewer: ViewerDep,
    q: str = "",
    purpose: str = "",
    schema: str = "Thing",
    dataset: str = "",
    country: str = "",
    agency: str = "",
    handling: str = "",
) -> HTMLResponse:
    """The search form and, once a name and a purpose are given, the results and references."""
    engine, identity = request.app.state.engine, viewer.identity
    filters = Filters(
        schema if schema in SCHEMATA else "Thing", dataset, country.strip()[:2], agency, handling
    )
    q, purpose = q.strip()[:500], purpose.strip()[:500]
    context: dict[str, Any] = {
        "q": q,
        "purpose": purpose,
        "filters": filters,
        "schemata": SCHEMATA,
        "datasets": catalog.datasets(engine, identity),
        "agencies": catalog.agencies(engine),
        "handlings": [code.value for code in Handling],
        "results": [],
        "references": [],
        "total": None,
        "error": "",
    }
    if not q:
        return page(request, viewer, "search.html", **context)
    if len(purpose) < 3:
        context["error"] = (
            "Say why you search (at least 3 characters): every search is audited with its purpose."
        )
        return page(request, viewer, "search.html", 422, **context)
    matching: MatchingService = request.app.state.matching
    found = matching.search(
        q,
        scope=Scope(filters.dataset or DEFAULT_SCOPE),
        schema=filters.schema,
        limit=_POOL,
        offset=0,
        identity=identity,
        now=dt.datetime.now(dt.UTC),
        purpose=purpose,
        threshold=request.app.state.settings.match_threshold,
    )
    kept = [result for result in found.results if filters.keeps(result)]
    context.update(results=kept[:SHOWN], references=found.references, total=len(kept))
    return page(request, viewer, "search.html", **context)
