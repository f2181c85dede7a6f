"""The Password page: a logged-in user changes their own password, giving the current one.

The same service and rules as `liaison user password` and `PUT /api/v1/users/{name}/password`:
12 characters or more, the current password checked under the login throttle, and every other
web session of the user ended, this browser's kept.
"""

from __future__ import annotations

import datetime as dt
import math

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liaison.access.secrets import split_token
from liaison.errors import BadInput, Forbidden, Throttled
from liaison.http.auth import SESSION_COOKIE, SettingsDep
from liaison.http.deps import EngineDep
from liaison.services.accounts import passwords
from liaison.services.accounts.throttle import LoginLimits
from liaison.web.render import confirmed, page
from liaison.web.session import Posted, PostedDep, ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)


def _sentence(said: str) -> str:
    return f"{said[:1].upper()}{said[1:]}."


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, viewer: ViewerDep) -> HTMLResponse:
    """The form to change one's own password."""
    return page(request, viewer, "password.html", error="", min_length=passwords.MIN_LENGTH)


@router.post("/password", response_class=HTMLResponse)
def change_password(request: Request, engine: EngineDep, sent: PostedDep, settings: SettingsDep) -> Response:
    """Change one's own password; a wrong current one, or a new one too short, says so on the form."""
    # Passwords are taken as typed: a leading or trailing space is part of the secret.
    current, new, repeated = (sent.form.get(name, "") for name in ("current", "new", "repeat"))
    if not all(isinstance(value, str) for value in (current, new, repeated)):
        raise BadInput("password fields: text only")
    if new != repeated:
        return _form(request, sent, 422, "The two new passwords are not the same.")
    in_use = split_token(request.cookies.get(SESSION_COOKIE, ""))
    try:
        ended = passwords.change_password(
            engine,
            sent.identity,
            sent.identity.user or "",
            str(new),
            dt.datetime.now(dt.UTC),
            current=str(current),
            address=request.client.host if request.client else "",
            limits=LoginLimits.of(settings),
            keep=in_use[0] if in_use else None,
        )
    except BadInput as exc:
        return _form(request, sent, 422, _sentence(str(exc)))
    except Forbidden as exc:
        return _form(request, sent, 403, _sentence(str(exc)))
    except Throttled as exc:
        refused = _form(request, sent, 429, _sentence(str(exc)))
        refused.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
        return refused
    others = f"{len(ended)} other web session{'s' if len(ended) != 1 else ''}"
    return confirmed(request, "/app/password", f"Your password is changed; {others} logged out.")


def _form(request: Request, sent: Posted, status: int, error: str) -> HTMLResponse:
    return page(request, sent.viewer, "password.html", status, error=error, min_length=passwords.MIN_LENGTH)
