"""Administration and audit pages: an admin's users and tokens, an auditor's trail.

The same services and rules as `/api/v1` administration and the CLI's `user`, `token` and
`audit` commands: an admin manages their own agency only, sharing groups are the operator's and
shown read-only, and every change or reading of the trail is audited by the service.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liaison.access.decision import Action, AgencyFacts, UserFacts, may
from liaison.access.secrets import split_token
from liaison.errors import BadInput, Conflict, Forbidden
from liaison.http.auth import SESSION_COOKIE, SettingsDep
from liaison.http.deps import EngineDep
from liaison.model import Identity, Role
from liaison.services.accounts import access, audit, passwords
from liaison.services.accounts.throttle import LoginLimits
from liaison.store import WEB_SESSION, StoredToken
from liaison.web.render import page, redirect
from liaison.web.session import Posted, PostedDep, Viewer, ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
RECENT = 100
"""How many of the newest audit events the audit page lists."""
_DONE = {
    "added": "User {name} added.",
    "disabled": "User {name} disabled: their sessions and tokens are refused from now on.",
    "enabled": "User {name} enabled again.",
    "password": "Password of {name} set: their web sessions are logged out.",
    "revoked": "Token {name} revoked.",
    "ended": "Web session {name} ended: its browser must log in again.",
}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _admin(viewer: Viewer) -> None:
    # The services decide for each user again; this keeps the page itself from other roles.
    identity = viewer.identity
    decision = may(identity, Action.ADMINISTER, AgencyFacts(identity.agency or ""))
    if not decision:
        raise Forbidden(decision.reason)


def _appointable(identity: Identity) -> list[Role]:
    """The roles the form offers: those the viewer may give in their agency."""
    agency = identity.agency or ""
    return [role for role in Role if may(identity, Action.ADMINISTER, UserFacts(agency, role))]


def _auditor(viewer: Viewer) -> None:
    if not viewer.is_auditor:
        raise Forbidden("only auditors may read the audit trail")


def _active(token: StoredToken, now: dt.datetime) -> bool:
    # SQLite gives datetimes back without a zone: they were written in UTC.
    expires = token.expires_at if token.expires_at.tzinfo else token.expires_at.replace(tzinfo=dt.UTC)
    return token.revoked_at is None and expires > now


def _admin_page(
    request: Request, viewer: Viewer, status: int = 200, error: str = "", **form: Any
) -> HTMLResponse:
    """The administration page, with a form's error and values when it is shown again.

    A web login is a token too, but one the browser holds for a shift: sessions are listed on
    their own, so that the tokens column shows only what an admin made for programs.
    """
    engine, identity, now = request.app.state.engine, viewer.identity, _now()
    tokens: dict[str, list[StoredToken]] = {}
    sessions: list[StoredToken] = []
    inactive = 0
    for token in access.list_tokens(engine, identity):
        if not _active(token, now):
            inactive += token.kind != WEB_SESSION
        elif token.kind == WEB_SESSION:
            sessions.append(token)
        else:
            tokens.setdefault(token.user, []).append(token)
    done = _DONE.get(request.query_params.get("done", ""), "")
    return page(
        request,
        viewer,
        "admin.html",
        status,
        users=access.list_users(engine, identity),
        tokens=tokens,
        sessions=sessions,
        this_session=_session_id(request),
        inactive=inactive,
        groups=access.list_groups(engine),
        # The form offers what the viewer can give.
        roles=[
            role for role in Role if may(identity, Action.ADMINISTER, UserFacts(identity.agency or "", role))
        ],
        scopes=access.SCOPES,
        max_days=access.MAX_TOKEN_DAYS,
        done=done.format(name=request.query_params.get("name", "")) if done else "",
        error=error,
        form=form,
    )


def _session_id(request: Request) -> str:
    """The id of the session this browser is logged in with."""
    split = split_token(request.cookies.get(SESSION_COOKIE, ""))
    return split[0] if split is not None else ""


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, viewer: ViewerDep) -> HTMLResponse:
    """Users of the admin's agency with their live tokens, and the sharing groups."""
    _admin(viewer)
    return _admin_page(request, viewer)


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(request: Request, engine: EngineDep, sent: PostedDep) -> Response:
    """Add a user to the admin's agency; a password opens web login to them."""
    _admin(sent.viewer)
    name, role, password = sent.text("name"), sent.text("role"), sent.form.get("password", "")
    values = {"name": name, "role": role}
    if role not in {known.value for known in Role}:
        return _admin_page(request, sent.viewer, 422, f"role {role!r}: choose one of the list", **values)
    # Passwords are taken as typed: a leading or trailing space is part of the secret.
    secret = password if isinstance(password, str) and password else None
    try:
        access.add_user(
            engine,
            sent.identity,
            name,
            sent.identity.agency or "",
            Role(role),
            _now(),
            secret,
        )
    except (BadInput, Conflict) as exc:
        status = 409 if isinstance(exc, Conflict) else 422
        return _admin_page(request, sent.viewer, status, str(exc), **values)
    return redirect(f"/app/admin?done=added&name={quote(name)}")


@router.post("/admin/users/{name}/disable")
def disable_user(request: Request, name: str, sent: PostedDep) -> Response:
    """Disable a user: their sessions and tokens stop working at once."""
    return _set_disabled(request, name, sent, disabled=True)


@router.post("/admin/users/{name}/enable")
def enable_user(request: Request, name: str, sent: PostedDep) -> Response:
    """Enable a disabled user again."""
    return _set_disabled(request, name, sent, disabled=False)


def _set_disabled(request: Request, name: str, sent: Posted, *, disabled: bool) -> Response:
    _admin(sent.viewer)
    access.disable_user(request.app.state.engine, sent.identity, name, _now(), disabled=disabled)
    return redirect(f"/app/admin?done={'disabled' if disabled else 'enabled'}&name={quote(name)}")


@router.post("/admin/password", response_class=HTMLResponse)
def set_password(request: Request, engine: EngineDep, sent: PostedDep, settings: SettingsDep) -> Response:
    """Set a password for one of the admin's agency's users: all their web sessions end."""
    _admin(sent.viewer)
    user, password = sent.text("user"), sent.form.get("password", "")
    values = {"password_user": user}
    try:
        # Taken as typed, like a new user's; the admin's own is changed on the Password page.
        passwords.change_password(
            engine,
            sent.identity,
            user,
            password if isinstance(password, str) else "",
            _now(),
            current=None,
            address=request.client.host if request.client else "",
            limits=LoginLimits.of(settings),
        )
    except BadInput as exc:
        return _admin_page(request, sent.viewer, 422, str(exc), **values)
    return redirect(f"/app/admin?done=password&name={quote(user)}")


@router.post("/admin/tokens", response_class=HTMLResponse)
def create_token(request: Request, engine: EngineDep, sent: PostedDep) -> Response:
    """Create a token and show its text in this answer only: no later page may show it, so no redirect."""
    _admin(sent.viewer)
    user, days_text, scopes = sent.text("user"), sent.text("days", "90"), tuple(sent.texts("scope"))
    values = {"user": user, "days": days_text}
    if not days_text.isdigit() or not 1 <= int(days_text) <= access.MAX_TOKEN_DAYS:
        error = f"days {days_text!r}: a whole number from 1 to {access.MAX_TOKEN_DAYS}"
        return _admin_page(request, sent.viewer, 422, error, **values)
    now = _now()
    try:
        made, stored = access.create_token(
            engine,
            sent.identity,
            user,
            now,
            now + dt.timedelta(days=int(days_text)),
            scopes,
        )
    except BadInput as exc:
        return _admin_page(request, sent.viewer, 422, str(exc).removeprefix("--"), **values)
    return page(request, sent.viewer, "token_created.html", 201, token=made.text, stored=stored)


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(engine: EngineDep, token_id: str, sent: PostedDep) -> Response:
    """Revoke a token, or end a web session: it identifies no one from now on."""
    _admin(sent.viewer)
    revoked = access.revoke_token(engine, sent.identity, token_id, _now())
    done = "ended" if revoked.kind == WEB_SESSION else "revoked"
    return redirect(f"/app/admin?done={done}&name={quote(token_id)}")


def _audit_page(
    request: Request, viewer: Viewer, verification: audit.Verification | None = None
) -> HTMLResponse:
    """The audit page: a verification's outcome if one was asked for, and the newest events."""
    events = audit.recent(request.app.state.engine, viewer.identity, RECENT, now=_now())
    return page(request, viewer, "audit.html", events=events, verification=verification, shown=RECENT)


@router.get("/audit", response_class=HTMLResponse)
def audit_trail(request: Request, viewer: ViewerDep) -> HTMLResponse:
    """The newest events of the trail, a button to verify it and a form to export a period."""
    _auditor(viewer)
    return _audit_page(request, viewer)


@router.post("/audit/verify", response_class=HTMLResponse)
def verify(request: Request, engine: EngineDep, sent: PostedDep) -> HTMLResponse:
    """Walk the whole hash chain and show whether it holds, or its first broken link."""
    _auditor(sent.viewer)
    found = audit.verify(engine, sent.identity, _now())
    return _audit_page(request, sent.viewer, found)


def _day(text: str, field: str) -> dt.datetime | None:
    """A date field as midnight UTC; empty means no bound."""
    if not text:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.UTC)
    except ValueError as exc:
        raise BadInput(f"{field} {text!r}: a date as YYYY-MM-DD") from exc


@router.get("/audit/export")
def export(engine: EngineDep, viewer: ViewerDep, since: str = "", until: str = "") -> Response:
    """The events from `since` through `until` (UTC days, both kept) as a JSON-lines download."""
    _auditor(viewer)
    start, end = _day(since.strip(), "from"), _day(until.strip(), "until")
    # The form names the last day to keep; the service's bound excludes it, so take the next midnight.
    end = end + dt.timedelta(days=1) if end is not None else None
    buffer = io.BytesIO()
    audit.export(engine, viewer.identity, buffer, now=_now(), since=start, until=end)
    first = start.date().isoformat() if start else "start"
    last = (end - dt.timedelta(days=1)).date().isoformat() if end else "now"
    headers = {
        "Content-Disposition": f'attachment; filename="liaison-audit-{first}-{last}.ndjson"',
        "Cache-Control": "no-store",
    }
    return Response(buffer.getvalue(), media_type="application/x-ndjson", headers=headers)
