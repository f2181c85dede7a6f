"""RFC 9457 problem details: the one table from Liaison's errors to HTTP statuses."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from liaison.errors import BadInput, Conflict, Forbidden, LiaisonError, NotFound, Unauthenticated, Unavailable

__all__ = ["STATUSES", "install"]

STATUSES: dict[type[LiaisonError], tuple[int, str]] = {
    BadInput: (422, "Bad input"),
    NotFound: (404, "Not found"),
    # Before Forbidden: the table is read in order and the first class that fits decides.
    Unauthenticated: (401, "Unauthorized"),
    Forbidden: (403, "Forbidden"),
    Conflict: (409, "Conflict"),
    Unavailable: (503, "Service unavailable"),
}


def problem(status: int, title: str, detail: str) -> JSONResponse:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


async def _liaison_error(_request: Request, exc: Exception) -> JSONResponse:
    status, title = next(
        (found for kind, found in STATUSES.items() if isinstance(exc, kind)), (500, "Internal error")
    )
    return problem(status, title, str(exc))


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    # Never a traceback to the client; the server log keeps it.
    return problem(500, "Internal error", "an unexpected error occurred; the server log has the details")


def install(app: FastAPI) -> None:
    """Register the handlers that turn errors into problem+json responses."""
    app.add_exception_handler(LiaisonError, _liaison_error)
    app.add_exception_handler(Exception, _unexpected)
