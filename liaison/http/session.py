"""`/api/v1/session`: web login with the same users, kept in a secure HTTP-only cookie.

Logging in sets two cookies: `liaison_session` (HTTP-only, so page scripts cannot read it) holds
a read-write token that lasts one shift; `liaison_csrf` holds a random value that the page sends
back in `X-CSRF-Token` with every change (double submit). Both are `SameSite=Strict` and
`Secure`. Logging out revokes the token. Attempts are rate-limited per client address and
audited, good or bad; after too many failures for the account or from the address, logins are
refused (429) without the password being checked until the failures age out.
"""

from __future__ import annotations

import datetime as dt
import secrets

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from liaison.errors import Forbidden
from liaison.http.auth import CSRF_COOKIE, SESSION_COOKIE, CallerDep, SettingsDep, WriterDep
from liaison.http.limits import TokenBuckets
from liaison.model import IdentityKind
from liaison.services.accounts import access
from liaison.services.accounts.throttle import LoginLimits

__all__ = ["router", "set_session_cookies"]

router = APIRouter(prefix="/api/v1", tags=["session"])


class LoginIn(BaseModel):
    """A user's name and password."""

    user: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1_024)


class SessionOut(BaseModel):
    """Who is logged in, and the CSRF token to send back with changes."""

    user: str
    agency: str | None
    role: str | None
    csrf_token: str | None = None


@router.post("/session", response_model=SessionOut)
def login(body: LoginIn, request: Request, response: Response, settings: SettingsDep) -> SessionOut:
    """Log in: sets the session and CSRF cookies; 401 for an unknown user, wrong password or disabled user.

    429, with Retry-After, once the account or the client address has failed too often: the
    password is then not checked, even a right one, until enough failures leave the window
    (`LIAISON_LOGIN_FAILURES_PER_ACCOUNT`, `…_PER_ADDRESS`, `LIAISON_LOGIN_WINDOW_MINUTES`).
    """
    address = request.client.host if request.client else ""
    buckets: TokenBuckets = request.app.state.buckets
    buckets.take(f"login:{address}")
    now = dt.datetime.now(dt.UTC)
    identity, token = access.start_session(
        request.app.state.engine,
        body.user,
        body.password,
        now,
        address=address,
        limits=LoginLimits.of(settings),
    )
    csrf = set_session_cookies(response, token.text, settings.cookie_secure)
    return SessionOut(user=identity.actor, agency=identity.agency, role=identity.role, csrf_token=csrf)


def set_session_cookies(response: Response, token: str, secure: bool) -> str:
    """Set the session cookie (HTTP-only) and a new CSRF cookie (readable by the page); return the latter."""
    csrf = secrets.token_urlsafe(32)
    for name, value, hidden in ((SESSION_COOKIE, token, True), (CSRF_COOKIE, csrf, False)):
        response.set_cookie(
            name,
            value,
            max_age=access.SESSION_HOURS * 3_600,
            secure=secure,
            httponly=hidden,
            samesite="strict",
            path="/",
        )
    return csrf


@router.get("/session", response_model=SessionOut)
def whoami(identity: CallerDep) -> SessionOut:
    """Who the request's credentials name."""
    if identity.kind not in (IdentityKind.MEMBER, IdentityKind.OPERATOR):
        raise Forbidden("not logged in")
    return SessionOut(user=identity.actor, agency=identity.agency, role=identity.role)


@router.delete("/session", status_code=204)
def logout(request: Request, response: Response, identity: WriterDep) -> None:
    """Log out: the session's token is revoked and the cookies cleared."""
    token = request.cookies.get(SESSION_COOKIE, "")
    parts = token.split("_")
    if len(parts) >= 3:
        access.revoke_token(request.app.state.engine, identity, parts[1], dt.datetime.now(dt.UTC))
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
