"""Rendering pages: one template environment, the layout's context, and TLP colours."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
from pathlib import Path
from typing import Any

import pycountry
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from liaison.errors import LiaisonError
from liaison.http.auth import SESSION_COOKIE
from liaison.http.problems import STATUSES
from liaison.i18n import translations
from liaison.model.provenance import Provenance
from liaison.web.navigation import menu
from liaison.web.session import Viewer

__all__ = ["FLASH_COOKIE", "TEMPLATES", "confirmed", "page", "redirect", "refusal_status"]

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
# A stored source path is the server's: pages show the file's name and line only.
TEMPLATES.env.filters["provenance"] = lambda stored: str(Provenance.parse(str(stored)))
# The layout's menu and its own words, in the page's language (`lang`, English unless a page sets it).
TEMPLATES.env.globals["menu"] = menu
TEMPLATES.env.globals["translator"] = lambda language: translations(language).gettext


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


FLASH_COOKIE = "liaison_flash"
"""Says what the last form did, on the page the browser is sent to next; read once, then cleared."""
_FLASH_CHARS = 500


def page(
    request: Request, viewer: Viewer | None, template: str, status: int = 200, **context: Any
) -> HTMLResponse:
    """A page in the layout, for this user, with the application's security headers.

    A confirmation left by `confirmed` is shown at the top of it, once.
    """
    flash = _flash(request) if FLASH_COOKIE in request.cookies else ""
    response = TEMPLATES.TemplateResponse(
        request, template, {"viewer": viewer, "flash": flash, **context}, status_code=status
    )
    response.headers.update(_HEADERS)
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/app")
    return response


def confirmed(request: Request, url: str, said: str) -> RedirectResponse:
    """After a form: `redirect` to the result, and the page there says `said` (what was done).

    The message rides in a short-lived cookie signed with the session's own token, so it is shown
    to the session whose form made it and cannot be planted by anyone else; a URL could be.
    """
    response = redirect(url)
    text = said[:_FLASH_CHARS]
    encoded = base64.urlsafe_b64encode(text.encode()).decode()
    response.set_cookie(
        FLASH_COOKIE,
        f"{encoded}.{_signature(request, text)}",
        max_age=60,
        secure=request.app.state.settings.cookie_secure,
        httponly=True,
        samesite="strict",
        path="/app",
    )
    return response


def _signature(request: Request, text: str) -> str:
    key = request.cookies.get(SESSION_COOKIE, "").encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


def _flash(request: Request) -> str:
    """The confirmation the last form of this session left, or "" when there is none or it is forged."""
    encoded, _, signature = request.cookies.get(FLASH_COOKIE, "").partition(".")
    if not request.cookies.get(SESSION_COOKIE):
        return ""
    try:
        text = base64.urlsafe_b64decode(encoded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""
    return text if hmac.compare_digest(signature.encode(), _signature(request, text).encode()) else ""


def refusal_status(exc: LiaisonError) -> int:
    """The HTTP status of a refused form, from the one table the API and the pages share."""
    return next((code for kind, (code, _title) in STATUSES.items() if isinstance(exc, kind)), 500)


def redirect(url: str) -> RedirectResponse:
    """After a form: see the result with a GET, so a reload does not send the form again."""
    return RedirectResponse(url, status_code=303)
