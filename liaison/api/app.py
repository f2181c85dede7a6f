"""The web application: health, the OpenAPI docs and a home page of agencies and datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

import liaison
from liaison import store
from liaison.api.deps import EngineDep
from liaison.api.problems import install
from liaison.errors import Unavailable
from liaison.services import catalog
from liaison.settings import Settings

__all__ = ["create_app"]

_TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def create_app(settings: Settings) -> FastAPI:
    """Build the application for these settings; the store must already be initialised."""
    engine = store.open_engine(settings.database_url)
    app = FastAPI(
        title="Liaison",
        version=liaison.__version__,
        description=liaison.__doc__,
    )
    install(app)
    app.state.engine = engine

    @app.get("/api/v1/health", tags=["system"])
    def health(engine: EngineDep) -> dict[str, Any]:
        """Whether Liaison and its database are up.

        Example response: `{"status": "ok", "database": "sqlite", "version": "0.1.0"}`
        """
        if not store.is_current(engine):
            raise Unavailable("the database is not initialised; run `liaison init`")
        return {"status": "ok", "database": engine.dialect.name, "version": liaison.__version__}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request, engine: EngineDep) -> HTMLResponse:
        return _TEMPLATES.TemplateResponse(request, "home.html", {"overview": catalog.overview(engine)})

    return app
