"""The web application: server-rendered pages over the same services, access path and audit as the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
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

_ROUTERS = (
    login.router,
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
    app.mount("/app/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.state.html_errors = html_error
