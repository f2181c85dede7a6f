"""RFC 9457 problem details: the one table from Liaison's errors to HTTP statuses."""

from __future__ import annotations

import math
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from liaison.errors import (
    BadInput,
    Conflict,
    Forbidden,
    LiaisonError,
    NotFound,
    Throttled,
    Unauthenticated,
    Unavailable,
)

__all__ = ["MAX_ID", "MAX_OFFSET", "PROBLEM_RESPONSES", "STATUSES", "HtmlErrors", "ProblemOut", "install"]

MAX_OFFSET = 2**31 - 1
"""The largest offset a list takes: beyond any table, within every database's integers."""
MAX_ID = 2**31 - 1
"""The largest row id a cursor takes: ids are 32-bit integers on PostgreSQL."""

STATUSES: dict[type[LiaisonError], tuple[int, str]] = {
    BadInput: (422, "Bad input"),
    NotFound: (404, "Not found"),
    # Before Forbidden: the table is read in order and the first class that fits decides.
    Unauthenticated: (401, "Unauthorized"),
    Forbidden: (403, "Forbidden"),
    Conflict: (409, "Conflict"),
    Throttled: (429, "Too many requests"),
    Unavailable: (503, "Service unavailable"),
}


class ProblemOut(BaseModel):
    """An RFC 9457 problem: what went wrong, in words a user can act on."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = Field(default=None, description="Each bad field, for 422.")


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ProblemOut, "description": description, "content": {"application/problem+json": {}}}
    for status, description in (
        (400, "A yente-style query that cannot be run"),
        (401, "Missing, malformed, expired, revoked or forged credentials, or a token without the scope"),
        (403, "The caller may not do this"),
        (404, "No such record, or none the caller may read"),
        (409, "The request clashes with the current state"),
        (413, "The body is larger than the server accepts"),
        (422, "A field is not valid; `errors` names each"),
        (429, "Too many requests, or too many failed logins; see Retry-After"),
        (503, "The database is not ready"),
    )
}
"""Every error the API may answer, documented on every route as problem+json."""


def problem(status: int, title: str, detail: str) -> JSONResponse:
    """A problem+json response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


HtmlErrors = Callable[[Request, int, str, str, Exception], Response | None]
"""A face's own error page for a request it serves, or None to answer with problem+json."""


def _html(request: Request, status: int, title: str, detail: str, exc: Exception) -> Response | None:
    render: HtmlErrors | None = getattr(request.app.state, "html_errors", None)
    return render(request, status, title, detail, exc) if render is not None else None


async def _liaison_error(request: Request, exc: Exception) -> Response:
    status, title = next(
        (found for kind, found in STATUSES.items() if isinstance(exc, kind)), (500, "Internal error")
    )
    response = _html(request, status, title, str(exc), exc) or problem(status, title, str(exc))
    if isinstance(exc, Throttled):
        response.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    return response


async def _http_error(request: Request, exc: Exception) -> Response:
    # Starlette's own errors (unknown path, wrong method, a body too large) as problems too.
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else ""
    title = HTTPStatus(status).phrase
    response = _html(request, status, title, str(detail), exc) or problem(status, title, str(detail))
    if isinstance(exc, HTTPException) and exc.headers:
        response.headers.update(exc.headers)
    if status == HTTPStatus.METHOD_NOT_ALLOWED and (allowed := _documented_methods(request)):
        response.headers["Allow"] = ", ".join(allowed)
    return response


_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})


def _documented_methods(request: Request) -> list[str]:
    """Every method the API's schema gives this path: Starlette's 405 names those of the first
    route that matched the path only, though several routes may share it."""
    matched: dict[int, set[str]] = {}
    for template, operations in request.app.openapi().get("paths", {}).items():
        if compile_path(template)[0].match(request.url.path):
            methods = matched.setdefault(template.count("{"), set())
            methods |= {method.upper() for method in operations if method in _METHODS}
    # The path most literally matched stands, as in OpenAPI: /watches/entity, not /watches/{id}.
    return sorted(matched[min(matched)]) if matched else []


async def _invalid_request(request: Request, exc: Exception) -> Response:
    # FastAPI's validation errors name each bad field; they become one readable detail and a
    # list of `errors`, without echoing the (possibly huge or hostile) input back.
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    fields = [
        {"field": ".".join(str(part) for part in error.get("loc", ())), "problem": str(error.get("msg", ""))}
        for error in errors
    ]
    detail = "; ".join(f"field '{item['field']}': {item['problem']}" for item in fields[:10])
    page = _html(request, 422, "Bad input", detail, exc)
    if page is not None:
        return page
    body = {
        "type": "about:blank",
        "title": "Bad input",
        "status": 422,
        "detail": detail or "the request is not valid",
        "errors": fields,
    }
    return JSONResponse(body, status_code=422, media_type="application/problem+json")


async def _unexpected(request: Request, exc: Exception) -> Response:
    # Never a traceback to the client; the server log keeps it.
    detail = "an unexpected error occurred; the server log has the details"
    return _html(request, 500, "Internal error", detail, exc) or problem(500, "Internal error", detail)


def install(app: FastAPI) -> None:
    """Register the handlers that turn errors into problem+json responses."""
    app.add_exception_handler(LiaisonError, _liaison_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(Exception, _unexpected)
