"""Who calls the API: a user by their token, the operator by the server's key, or the public.

`CallerDep` admits reads (the `read` scope), `WriterDep` changes (the `write` scope). A token
that is malformed, unknown, expired, revoked, or lacks the scope is refused with 401, never
treated as the public. Each token, and each public client address, is rate-limited (429).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from liaison.errors import Forbidden, Unauthenticated
from liaison.http.limits import TokenBuckets
from liaison.http.problems import problem
from liaison.model import Identity
from liaison.services.accounts import access
from liaison.settings import Settings

__all__ = [
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "ApiKeyRequired",
    "CallerDep",
    "SettingsDep",
    "WriterDep",
    "unauthorized",
]


class ApiKeyRequired(Exception):
    """The request lacks valid credentials for what it asks."""


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_settings)]
_HOW = "send the header `Authorization: ApiKey <key or token>` (or Basic with the token as the password)"
SESSION_COOKIE = "liaison_session"
CSRF_COOKIE = "liaison_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _identify(request: Request, settings: Settings, authorization: str | None, scope: str) -> Identity:
    """The caller for a request needing `scope`.

    The server's own `api_key`, if set, is the installation's key and reads as the operator.
    A browser's session cookie names a user like a token does; its changes must also carry the
    CSRF token in `X-CSRF-Token`. Without either, the caller is the public, who may read CLEAR
    records only and change nothing.
    """
    buckets: TokenBuckets = request.app.state.buckets
    if authorization is None:
        session_token = request.cookies.get(SESSION_COOKIE)
        if session_token:
            if request.method not in SAFE_METHODS:
                _check_csrf(request)
            return _by_token(request, buckets, session_token, scope)
        if settings.api_key is not None or scope != "read":
            raise ApiKeyRequired(_HOW)
        buckets.take(f"public:{request.client.host if request.client else ''}")
        return Identity.public()
    scheme, _, given = authorization.partition(" ")
    given = given.strip()
    if scheme.lower() == "basic":
        # TAXII and other clients that only speak Basic send the token as the password.
        given = _basic_password(given)
    elif scheme.lower() not in ("apikey", "bearer"):
        raise ApiKeyRequired(_HOW)
    if not given:
        raise ApiKeyRequired(_HOW)
    # Compared as bytes: compare_digest refuses non-ASCII text, which a hostile header may carry.
    if settings.api_key is not None and secrets.compare_digest(given.encode(), settings.api_key.encode()):
        return Identity.operator()
    return _by_token(request, buckets, given, scope)


def _basic_password(encoded: str) -> str:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ApiKeyRequired("Basic credentials are not base64 of `user:token`") from None
    return decoded.partition(":")[2].strip()


def _by_token(request: Request, buckets: TokenBuckets, given: str, scope: str) -> Identity:
    engine: Engine = request.app.state.engine
    try:
        identity, scopes = access.identify_token(engine, given, dt.datetime.now(dt.UTC))
    except Unauthenticated as exc:
        raise ApiKeyRequired(str(exc)) from exc
    if scope not in scopes:
        raise ApiKeyRequired(f"this token has no `{scope}` scope")
    # Limited per token, not per user: a user's tokens for different tools do not starve each other.
    buckets.take(f"token:{given.split('_')[1]}")
    return identity


def _check_csrf(request: Request) -> None:
    """Double-submit: the header must repeat the CSRF cookie, which another site can neither read nor set."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not secrets.compare_digest(cookie.encode(), header.encode()):
        raise Forbidden(f"a change made with a session cookie must send the CSRF token in {CSRF_HEADER}")


def caller(
    request: Request, settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> Identity:
    """The caller of a read: `Authorization: ApiKey <token>` (or `Bearer`) names a user by their token."""
    return _identify(request, settings, authorization, "read")


def writer(
    request: Request, settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> Identity:
    """The caller of a change: a token with the `write` scope, or the server's key."""
    return _identify(request, settings, authorization, "write")


CallerDep = Annotated[Identity, Depends(caller)]
WriterDep = Annotated[Identity, Depends(writer)]


async def unauthorized(_request: Request, exc: Exception) -> JSONResponse:
    """The 401 problem for missing or wrong credentials."""
    response = problem(401, "Unauthorized", str(exc))
    response.headers["WWW-Authenticate"] = "ApiKey"
    return response
