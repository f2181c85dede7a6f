"""Who uses the web application: the user named by the session cookie, and their signed forms.

A page without a valid session sends the browser to the login page. Every form that changes
something carries the CSRF token (the `csrf` field must repeat the `liaison_csrf` cookie, which
another site can neither read nor set), and the session token must hold the `write` scope.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from liaison.errors import Forbidden, Unauthenticated
from liaison.http.auth import CSRF_COOKIE, SESSION_COOKIE
from liaison.http.limits import TokenBuckets
from liaison.model import Identity, Role
from liaison.services.accounts import access

__all__ = ["LoginRequired", "Posted", "PostedDep", "Viewer", "ViewerDep", "safe_next"]


class LoginRequired(Unauthenticated):
    """The page needs a logged-in user; the browser is sent to log in, then back to `next`."""

    def __init__(self, next_path: str) -> None:
        super().__init__("log in to see this page")
        self.next_path = next_path


@dataclass(frozen=True, slots=True)
class Viewer:
    """The logged-in user of a page, and the CSRF token their forms must carry."""

    identity: Identity
    csrf: str
    scopes: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        """Administers their agency's users and tokens."""
        return self.identity.role is Role.ADMIN

    @property
    def is_auditor(self) -> bool:
        """Reads and verifies the audit trail."""
        return self.identity.role is not None and self.identity.role.audits


@dataclass(frozen=True, slots=True)
class Posted:
    """A form sent by a logged-in user, its CSRF token checked."""

    viewer: Viewer
    form: FormData

    @property
    def identity(self) -> Identity:
        """The user who sent the form."""
        return self.viewer.identity

    def text(self, name: str, default: str = "") -> str:
        """A text field, stripped; file fields read as empty."""
        value = self.form.get(name, default)
        return value.strip() if isinstance(value, str) else default

    def texts(self, name: str) -> list[str]:
        """Every non-empty value of a repeated or comma-separated text field."""
        values: list[str] = []
        for value in self.form.getlist(name):
            if isinstance(value, str):
                values.extend(part.strip() for part in value.split(",") if part.strip())
        return values


def safe_next(path: str | None) -> str:
    """Where to go after logging in: a path of this site only, never another host."""
    if not path or not path.startswith("/app") or path.startswith("//") or "\\" in path:
        return "/app"
    return path


async def viewer(request: Request) -> Viewer:
    """The logged-in user, or LoginRequired; each page view counts against the token's rate limit."""
    token = request.cookies.get(SESSION_COOKIE, "")
    next_path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not token:
        raise LoginRequired(next_path)
    try:
        identity, scopes = access.identify_token(request.app.state.engine, token, dt.datetime.now(dt.UTC))
    except Unauthenticated as exc:
        raise LoginRequired(next_path) from exc
    buckets: TokenBuckets = request.app.state.buckets
    buckets.take(f"token:{token.split('_')[1]}")
    return Viewer(identity, request.cookies.get(CSRF_COOKIE, ""), scopes)


ViewerDep = Annotated[Viewer, Depends(viewer)]


async def posted(request: Request, user: ViewerDep) -> Posted:
    """The form of a change; 403 unless its CSRF field repeats the cookie and the session may write."""
    form = await request.form()
    given = form.get("csrf")
    if (
        not user.csrf
        or not isinstance(given, str)
        or not secrets.compare_digest(given.encode(), user.csrf.encode())
    ):
        raise Forbidden("this form has expired or did not come from Liaison; reload the page and try again")
    if "write" not in user.scopes:
        raise Forbidden("this session may not change anything")
    return Posted(user, form)


PostedDep = Annotated[Posted, Depends(posted)]
