"""Error pages of the web application: plain words, the status, never a stack trace."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from liaison.web.render import page, redirect
from liaison.web.session import LoginRequired

__all__ = ["html_error"]


def html_error(request: Request, status: int, title: str, detail: str, exc: Exception) -> Response | None:
    """The error page for a request to the web application; None for any other path (problem+json)."""
    if not request.url.path.startswith("/app"):
        return None
    if isinstance(exc, LoginRequired):
        return redirect(f"/app/login?next={quote(exc.next_path, safe='/')}")
    if status == 500:
        detail = "Something went wrong on the server. The error has been logged; please try again."
    return page(request, None, "error.html", status, title=title, detail=detail)
