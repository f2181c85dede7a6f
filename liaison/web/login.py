"""Logging in and out of the web application, with the same users and sessions as the API."""

from __future__ import annotations

import datetime as dt
import math
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liaison.errors import Throttled, Unauthenticated
from liaison.http.auth import CSRF_COOKIE, SESSION_COOKIE, SettingsDep
from liaison.http.deps import EngineDep
from liaison.http.limits import TokenBuckets
from liaison.http.session import set_session_cookies
from liaison.services.accounts import access
from liaison.services.accounts.throttle import LoginLimits
from liaison.web.render import page, redirect
from liaison.web.session import PostedDep, safe_next

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, settings: SettingsDep, next: str = "/app") -> Response:
    """The login form; it sets a CSRF cookie first, so even the login cannot be forged by another site."""
    csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = page(request, None, "login.html", next=safe_next(next), csrf=csrf, error="")
    response.set_cookie(CSRF_COOKIE, csrf, secure=settings.cookie_secure, samesite="strict", path="/")
    return response


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, engine: EngineDep, settings: SettingsDep) -> Response:
    """Log in: on success to the page asked for; a wrong name or password says so, and no more.

    After too many failures for the account or from the address, the page says how long to wait
    (429, with Retry-After), and the password is not checked until then.
    """
    address = request.client.host if request.client else ""
    buckets: TokenBuckets = request.app.state.buckets
    buckets.take(f"login:{address}")
    form = await request.form()
    user, password, given = (str(form.get(name, "")) for name in ("user", "password", "csrf"))
    next_path = safe_next(str(form.get("next", "")))
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie.encode(), given.encode()):
        error = "This form has expired. Please log in again."
        return page(request, None, "login.html", 403, next=next_path, csrf=cookie, error=error, user=user)
    try:
        _identity, token = access.start_session(
            engine,
            user[:64],
            password[:1_024],
            dt.datetime.now(dt.UTC),
            address=address,
            limits=LoginLimits.of(settings),
        )
    except Unauthenticated:
        error = "Unknown user or wrong password."
        return page(request, None, "login.html", 401, next=next_path, csrf=cookie, error=error, user=user)
    except Throttled as exc:
        said = str(exc)
        error = f"{said[:1].upper()}{said[1:]}."
        refused = page(request, None, "login.html", 429, next=next_path, csrf=cookie, error=error, user=user)
        refused.headers["Retry-After"] = str(math.ceil(exc.retry_after))
        return refused
    response = redirect(next_path)
    set_session_cookies(response, token.text, settings.cookie_secure)
    return response


@router.post("/logout")
def logout(request: Request, engine: EngineDep, sent: PostedDep) -> Response:
    """Log out: the session's token is revoked and the cookies cleared."""
    token_id = request.cookies.get(SESSION_COOKIE, "").split("_")[1]
    access.revoke_token(engine, sent.identity, token_id, dt.datetime.now(dt.UTC))
    response = redirect("/app/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
