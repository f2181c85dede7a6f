"""The web application: server-rendered pages over the same services, access path and audit as the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from liaison.web import (
    access,
    admin,
    border,
    cyber,
    dashboard,
    entity,
    login,
    messages,
    network,
    notices,
    operations,
    password,
    review,
    routes,
    screening,
    search,
    takedowns,
    trafficking,
    watches,
    wildlife,
)
from liaison.web.errors import html_error

__all__ = ["install"]

STATIC = Path(__file__).parent / "static"

_ROUTERS = (
    login.router,
    password.router,
    dashboard.router,
    search.router,
    entity.router,
    access.router,
    messages.router,
    screening.router,
    border.router,
    review.router,
    admin.router,
    notices.router,
    operations.router,
    watches.router,
    network.router,
    routes.router,
    cyber.router,
    takedowns.router,
    trafficking.router,
    wildlife.router,
)


def install(app: FastAPI) -> None:
    """Add the pages, their local assets (no CDN: Liaison runs offline) and the HTML error pages."""
    for router in _ROUTERS:
        app.include_router(router)
    app.mount("/app/static", StaticFiles(directory=STATIC), name="static")
    app.add_api_route("/favicon.ico", favicon, include_in_schema=False)
    app.state.html_errors = html_error


def favicon() -> FileResponse:
    """The icon browsers ask for at the root whatever the page links: a day's cache, no login needed."""
    return FileResponse(
        STATIC / "favicon.ico", media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
    )
