"""The web application: server-rendered pages over the same services, access path and audit as the API."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from liaison.web import dashboard, login
from liaison.web.errors import html_error

__all__ = ["install"]

_ROUTERS = (login.router, dashboard.router)


def install(app: FastAPI) -> None:
    """Add the pages, their local assets (no CDN: Liaison runs offline) and the HTML error pages."""
    for router in _ROUTERS:
        app.include_router(router)
    app.mount("/app/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.state.html_errors = html_error
