"""Rendering pages: one template environment, the layout's context, and TLP colours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pycountry
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from liaison.api.problems import STATUSES
from liaison.errors import LiaisonError
from liaison.web.session import Viewer

__all__ = ["TEMPLATES", "page", "redirect", "refusal_status"]

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _tlp(code: object) -> str:
    """The CSS class of a handling code: TLP 2.0's colours on black."""
    text = str(getattr(code, "value", code) or "").upper()
    return "tlp-" + text.replace("+", "-").lower() if text else "tlp-none"


def _when(value: dt.datetime | dt.date | None) -> str:
    """A timestamp as officers across time zones read it: UTC, to the minute."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def _country(code: str) -> str:
    """An ISO 3166 code with the country's name beside it."""
    found = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
    return f"{found.name} ({code.upper()})" if found is not None else code


TEMPLATES.env.filters["tlp"] = _tlp
TEMPLATES.env.filters["when"] = _when
TEMPLATES.env.filters["country"] = _country


# Scripts only from Liaison itself (no inline script can run, so injected markup stays inert);
# no framing (clickjacking); pages are never cached, since they hold handled data.
_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def page(
    request: Request, viewer: Viewer | None, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page in the layout, for this user, with the application's security headers."""
    response = TEMPLATES.TemplateResponse(
        request, template, {"viewer": viewer, **context}, status_code=status
    )
    response.headers.update(_HEADERS)
    return response


def refusal_status(exc: LiaisonError) -> int:
    """The HTTP status of a refused form, from the one table the API and the pages share."""
    return next((code for kind, (code, _title) in STATUSES.items() if isinstance(exc, kind)), 500)


def redirect(url: str) -> RedirectResponse:
    """After a form: see the result with a GET, so a reload does not send the form again."""
    return RedirectResponse(url, status_code=303)
