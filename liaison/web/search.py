"""Search across everything the user may read, with filters; hidden hits come back as references."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from liaison.http.auth import SettingsDep
from liaison.http.deps import EngineDep, MatchingDep
from liaison.matching.record import MATCHABLE
from liaison.model import Handling
from liaison.services.screening.matching_service import DEFAULT_SCOPE, Scope
from liaison.services.sharing import catalog
from liaison.web.render import page
from liaison.web.session import ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
SHOWN = 20
"""Results per page."""
PAGES = 100
"""Pages at most: the matching engine compares 2,000 copies at most, so there are no more."""
ANY = ""
"""The type filter's value for any type: every schema the matching engine indexes."""
SCHEMATA = ("LegalEntity", *sorted(MATCHABLE - {"LegalEntity"}))


@dataclass(frozen=True, slots=True)
class Filters:
    """What the user narrowed the search to; empty means any. They apply before ranking."""

    schema: str = ANY
    dataset: str = ""
    country: str = ""
    agency: str = ""
    handling: str = ""


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a page lies among the results, and the links to the pages around it."""

    number: int
    first: int
    last: int
    total: int
    exact: bool
    links: tuple[tuple[int | None, str], ...]
    """(page, href) for each page link, with None for a gap between them."""


def _pager(base: dict[str, str], number: int, total: int, exact: bool) -> Pager:
    count = min(PAGES, max(1, -(-total // SHOWN)))
    near = {1, count, *range(max(1, number - 2), min(count, number + 2) + 1)}
    links: list[tuple[int | None, str]] = []
    previous = 0
    for at in sorted(near):
        if at - previous > 1:
            links.append((None, ""))
        links.append((at, "/app/search?" + urlencode({**base, "page": str(at)})))
        previous = at
    first = (number - 1) * SHOWN + 1
    return Pager(number, first, min(total, number * SHOWN), total, exact, tuple(links) if count > 1 else ())


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    engine: EngineDep,
    matching: MatchingDep,
    settings: SettingsDep,
    viewer: ViewerDep,
    q: str = "",
    purpose: str = "",
    schema: str = ANY,
    dataset: str = "",
    country: str = "",
    agency: str = "",
    handling: str = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=PAGES)] = 1,
) -> HTMLResponse:
    """The search form and, once a name and a purpose are given, a page of results and references."""
    identity = viewer.identity
    filters = Filters(schema if schema in SCHEMATA else ANY, dataset, country.strip()[:2], agency, handling)
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
        "pager": None,
        "error": "",
    }
    if not q:
        return page(request, viewer, "search.html", **context)
    if len(purpose) < 3:
        context["error"] = (
            "Say why you search (at least 3 characters): every search is audited with its purpose."
        )
        return page(request, viewer, "search.html", 422, **context)
    found = matching.search(
        q,
        scope=Scope(filters.dataset or DEFAULT_SCOPE),
        schema=filters.schema or "Thing",
        limit=SHOWN,
        offset=(page_number - 1) * SHOWN,
        identity=identity,
        now=dt.datetime.now(dt.UTC),
        purpose=purpose,
        threshold=settings.match_threshold,
        country=filters.country,
        agency=filters.agency,
        handling=filters.handling,
    )
    base = {"q": q, "purpose": purpose, **{key: value for key, value in asdict(filters).items() if value}}
    context.update(
        results=found.results,
        references=found.references,
        pager=_pager(base, page_number, found.total, found.exact),
    )
    return page(request, viewer, "search.html", **context)
