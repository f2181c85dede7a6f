"""The application: health, the OpenAPI docs, the API, the web pages and the yente-compatible matching API."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

import liaison
from liaison import store, web
from liaison.api import (
    admin,
    alerts,
    border,
    correlations,
    federation,
    messages,
    notices,
    operations,
    records,
    sharing,
    stix,
    takedowns,
    trafficking,
    wildlife,
    yente,
)
from liaison.api.taxii import create_taxii
from liaison.errors import Unavailable
from liaison.http import auth, session
from liaison.http.deps import EngineDep
from liaison.http.limits import BodyLimit, NoNul, TokenBuckets, state_no_nul
from liaison.http.problems import PROBLEM_RESPONSES, install
from liaison.model import Identity
from liaison.services.accounts import audit
from liaison.services.messaging import webhooks
from liaison.services.screening.matching_service import MatchingService
from liaison.services.sharing import catalog
from liaison.settings import Settings

__all__ = ["create_app"]

_TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def create_app(settings: Settings) -> FastAPI:
    """Build the application for these settings; the store must already be initialised."""
    engine = store.open_engine(settings.database_url)
    audit.key_chain(engine, settings)
    matching = MatchingService(
        engine, candidates=settings.match_candidates, workers=settings.match_workers or os.cpu_count() or 1
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The index is built before the first request is served. A store not yet initialised
        # must not stop the server: health and /readyz report it, and the first match retries.
        with contextlib.suppress(Unavailable):
            matching.prepare()
        # Imports from the CLI and other servers' writes land beside this process: follow them.
        matching.follow(settings.index_poll_seconds)
        stop = threading.Event()
        delivering = threading.Thread(
            target=webhooks.deliver_until, args=(engine, webhooks.config(settings), stop), daemon=True
        )
        delivering.start()
        yield
        stop.set()
        delivering.join(timeout=10)
        matching.close()
        engine.dispose()

    app = FastAPI(
        title="Liaison",
        version=liaison.__version__,
        description=liaison.__doc__,
        lifespan=lifespan,
        responses=PROBLEM_RESPONSES,
    )
    install(app)
    app.add_middleware(NoNul)
    state_no_nul(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_exception_handler(auth.ApiKeyRequired, auth.unauthorized)
    app.state.engine = engine
    app.state.settings = settings
    app.state.matching = matching
    app.state.buckets = TokenBuckets(settings.rate_per_second, settings.rate_burst)
    # yente clients take a base URL and append yente's paths, so the same routes answer at the
    # root and under /api/v1; the docs show the /api/v1 copy only.
    for prefix, documented in (("", False), ("/api/v1", True)):
        app.include_router(yente.router, prefix=prefix, include_in_schema=documented)
        app.include_router(yente.probes, prefix=prefix, include_in_schema=documented)

    app.include_router(sharing.router)
    app.include_router(records.router)
    app.include_router(messages.router)
    app.include_router(notices.router)
    app.include_router(operations.router)
    app.include_router(border.router)
    app.include_router(correlations.router)
    app.include_router(stix.router)
    app.include_router(takedowns.router)
    app.include_router(wildlife.router)
    app.include_router(trafficking.router)
    app.include_router(alerts.router)
    app.include_router(session.router)
    app.include_router(admin.router)
    app.include_router(federation.router)
    taxii_app = create_taxii(settings)
    taxii_app.state.engine = engine
    taxii_app.state.settings = settings
    taxii_app.state.buckets = app.state.buckets
    app.mount("/taxii2", taxii_app)
    web.install(app)

    @app.get("/api/v1/health", tags=["system"])
    def health(engine: EngineDep) -> dict[str, Any]:
        """Whether Liaison and its database are up, and how far the matching index is behind the store.

        `index.version` is the last change of the store applied to this server's index (null
        before it is built), `index.behind` the changes committed since, and
        `index.lag_seconds` how long ago the oldest of those was committed (0 when caught up).

        Example response: `{"status": "ok", "database": "sqlite", "version": "0.1.0",
        "index": {"version": 42, "behind": 0, "lag_seconds": 0.0}}`
        """
        if not store.is_current(engine):
            raise Unavailable("the database is not initialised; run `liaison init`")
        lag = matching.lag(dt.datetime.now(dt.UTC))
        index = {"version": lag.version, "behind": lag.behind, "lag_seconds": lag.lag_seconds}
        return {
            "status": "ok",
            "database": engine.dialect.name,
            "version": liaison.__version__,
            "index": index,
        }

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, engine: EngineDep) -> HTMLResponse:
        # The home page is public: it counts only what anyone may read (CLEAR).
        overview = catalog.overview(engine, Identity.public())
        return _TEMPLATES.TemplateResponse(request, "home.html", {"overview": overview})

    return app
