"""`/api/v1` administration: agencies, users, tokens, sharing groups, and the audit trail.

The same services as the CLI's `agency`, `user`, `token`, `group` and `audit` commands, with the
same rules: the operator (the server's API key) administers everything, an agency's admins their
own agency; auditors and the operator read, verify and export the trail. Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from liaison.access.secrets import split_token
from liaison.http.auth import SESSION_COOKIE, CallerDep, SettingsDep, WriterDep
from liaison.http.deps import EngineDep
from liaison.http.stated import USER_NAME
from liaison.model import Agency, AgencyKind, Role
from liaison.services.accounts import access, agencies, audit, passwords
from liaison.services.accounts.throttle import LoginLimits
from liaison.services.sharing import catalog
from liaison.store import StoredToken, User

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["administration"])


class AgencyIn(BaseModel):
    """A member agency."""

    code: str = Field(max_length=32, examples=["NCB-FR"])
    name: str = Field(min_length=1, max_length=255)
    country: str = Field(min_length=2, max_length=2, examples=["FR"])
    kind: Literal["ncb", "border", "fiu", "cyber", "wildlife", "police", "customs", "secretariat"]


class AgencyOut(BaseModel):
    """A member agency."""

    code: str
    name: str
    country: str
    kind: str


class UserIn(BaseModel):
    """A new user of an agency; a password (12+ characters) opens web login."""

    name: str = Field(max_length=64, examples=["alice"], json_schema_extra=USER_NAME)
    agency: str = Field(max_length=32)
    role: Literal[
        "analyst", "officer", "first_responder", "coordinator", "reviewer", "admin", "auditor", "node_auditor"
    ] = Field(description="auditor and node_auditor are the operator's to appoint")
    password: str | None = Field(default=None, min_length=12, max_length=1_024)


class PasswordIn(BaseModel):
    """A user's new password; `current_password` too when it is your own."""

    password: str = Field(min_length=12, max_length=1_024)
    current_password: str | None = Field(
        default=None, max_length=1_024, description="Your current password: needed to change your own"
    )


class PasswordOut(BaseModel):
    """A password set: the user's web sessions it ended (the one in use stays)."""

    user: str
    ended_sessions: list[str]


class UserOut(BaseModel):
    """A user, never their password."""

    name: str
    agency: str
    role: str
    disabled: bool
    web_login: bool
    created_at: dt.datetime


Scope = Literal["read", "write", "admin"]


class TokenIn(BaseModel):
    """A new token for a user."""

    user: str = Field(max_length=64)
    days: int = Field(default=90, ge=1, le=access.MAX_TOKEN_DAYS)
    scopes: list[Scope] = Field(default_factory=lambda: list[Scope](["read"]), min_length=1)


class TokenOut(BaseModel):
    """A token's id, owner, scopes and dates; `token` (the secret) only in the answer that made it.

    `kind` is `api` for a token made for a program, `session` for one a web login made.
    """

    id: str
    user: str
    kind: Literal["api", "session"] = "api"
    scopes: list[str]
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    token: str | None = None


class GroupIn(BaseModel):
    """A new sharing group."""

    name: str = Field(max_length=64, examples=["balkans"])
    description: str = Field(default="", max_length=2_000)


class MemberIn(BaseModel):
    """An agency joining a sharing group."""

    agency: str = Field(max_length=32)


class GroupOut(BaseModel):
    """A sharing group and its member agencies."""

    name: str
    description: str
    agencies: list[str]


class VerificationOut(BaseModel):
    """The audit chain's state: how many events, and the first broken link if any."""

    events: int
    intact: bool
    broken_at: int | None
    problem: str | None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _user(user: User) -> UserOut:
    return UserOut(
        name=user.name,
        agency=user.agency,
        role=user.role.value,
        disabled=user.disabled,
        web_login=user.has_password,
        created_at=user.created_at,
    )


def _token(stored: StoredToken, text: str | None = None) -> TokenOut:
    return TokenOut(
        id=stored.token_id,
        user=stored.user,
        kind=stored.kind,
        scopes=list(stored.scopes),
        created_at=stored.created_at,
        expires_at=stored.expires_at,
        revoked_at=stored.revoked_at,
        token=text,
    )


@router.get("/agencies", response_model=list[AgencyOut])
def list_agencies(engine: EngineDep, _identity: CallerDep) -> list[AgencyOut]:
    """Every member agency."""
    return [
        AgencyOut(code=agency.code, name=agency.name, country=agency.country, kind=agency.kind.value)
        for agency in catalog.agencies(engine)
    ]


@router.put("/agencies", response_model=AgencyOut)
def save_agency(body: AgencyIn, engine: EngineDep, identity: WriterDep) -> AgencyOut:
    """Register or update an agency (the operator)."""
    saved = agencies.register(
        engine, Agency(body.code, body.name, body.country, AgencyKind(body.kind)), identity
    )
    return AgencyOut(code=saved.code, name=saved.name, country=saved.country, kind=saved.kind.value)


@router.post("/users", status_code=201, response_model=UserOut)
def add_user(body: UserIn, engine: EngineDep, identity: WriterDep) -> UserOut:
    """Add a user (the operator, or an admin of the user's agency)."""
    user = access.add_user(engine, identity, body.name, body.agency, Role(body.role), _now(), body.password)
    return _user(user)


@router.get("/users", response_model=list[UserOut])
def list_users(
    engine: EngineDep, identity: CallerDep, agency: Annotated[str | None, Query(max_length=32)] = None
) -> list[UserOut]:
    """Users you administer: all for the operator, your agency's for an admin."""
    return [_user(user) for user in access.list_users(engine, identity, agency)]


# Two paths rather than one with a {state}: the users' paths then take no method they do not
# declare (a POST to `.../password` is 405, not a 422 for a state named "password").
@router.post("/users/{name}/disable", response_model=UserOut)
def disable_user(name: str, engine: EngineDep, identity: WriterDep) -> UserOut:
    """Disable a user: their tokens and web sessions stop working at once."""
    return _user(access.disable_user(engine, identity, name, _now(), disabled=True))


@router.post("/users/{name}/enable", response_model=UserOut)
def enable_user(name: str, engine: EngineDep, identity: WriterDep) -> UserOut:
    """Enable a disabled user again; the tokens and sessions they had stay revoked."""
    return _user(access.disable_user(engine, identity, name, _now(), disabled=False))


@router.put("/users/{name}/password", response_model=PasswordOut)
def set_password(
    name: str,
    body: PasswordIn,
    request: Request,
    engine: EngineDep,
    identity: WriterDep,
    settings: SettingsDep,
) -> PasswordOut:
    """Set a user's password: your own with `current_password`, or, for the operator or an admin, one
    of your agency's users'. Their other web sessions end; API tokens stay.

    A wrong current password is 403 and counts as a failed login (429 once too many have failed).
    Example body: `{"password": "a new long passphrase", "current_password": "the old one"}`
    """
    # Without an Authorization header the caller is a browser's session, which stays logged in.
    in_use = (
        None if "authorization" in request.headers else split_token(request.cookies.get(SESSION_COOKIE, ""))
    )
    ended = passwords.change_password(
        engine,
        identity,
        name,
        body.password,
        _now(),
        current=body.current_password,
        address=request.client.host if request.client else "",
        limits=LoginLimits.of(settings),
        keep=in_use[0] if in_use else None,
    )
    return PasswordOut(user=name, ended_sessions=ended)


@router.post("/tokens", status_code=201, response_model=TokenOut)
def create_token(body: TokenIn, engine: EngineDep, identity: WriterDep) -> TokenOut:
    """Create a token for a user; its text is in this answer only and stored as a hash."""
    now = _now()
    made, stored = access.create_token(
        engine,
        identity,
        body.user,
        now,
        now + dt.timedelta(days=body.days),
        tuple(body.scopes),
    )
    return _token(stored, made.text)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(
    engine: EngineDep, identity: CallerDep, user: Annotated[str | None, Query(max_length=64)] = None
) -> list[TokenOut]:
    """Tokens you administer: ids, scopes and dates, never secrets."""
    return [_token(stored) for stored in access.list_tokens(engine, identity, user)]


@router.delete("/tokens/{token_id}", response_model=TokenOut)
def revoke_token(token_id: str, engine: EngineDep, identity: WriterDep) -> TokenOut:
    """Revoke a token: it identifies no one from now on."""
    return _token(access.revoke_token(engine, identity, token_id, _now()))


@router.get("/groups", response_model=list[GroupOut])
def list_groups(engine: EngineDep, _identity: CallerDep) -> list[GroupOut]:
    """Sharing groups and their member agencies."""
    found = access.list_groups(engine)
    return [
        GroupOut(name=name, description=text, agencies=members) for name, (text, members) in found.items()
    ]


@router.post("/groups", status_code=201, response_model=GroupOut)
def add_group(body: GroupIn, engine: EngineDep, identity: WriterDep) -> GroupOut:
    """Create a sharing group (the operator)."""
    access.add_group(engine, identity, body.name, body.description, _now())
    return GroupOut(name=body.name, description=body.description, agencies=[])


@router.post("/groups/{group}/members", status_code=204)
def join_group(group: str, body: MemberIn, engine: EngineDep, identity: WriterDep) -> None:
    """Put an agency in a sharing group (the operator)."""
    access.join_group(engine, identity, group, body.agency, _now())


@router.delete("/groups/{group}/members/{agency}", status_code=204)
def leave_group(group: str, agency: str, engine: EngineDep, identity: WriterDep) -> None:
    """Take an agency out of a sharing group (the operator)."""
    access.leave_group(engine, identity, group, agency, _now())


@router.get("/audit/verify", response_model=VerificationOut)
def verify_audit(engine: EngineDep, identity: CallerDep) -> VerificationOut:
    """Walk the hash chain (auditors and the operator); the first broken link if a row was changed."""
    found = audit.verify(engine, identity, _now())
    broken = found.broken
    return VerificationOut(
        events=found.events,
        intact=broken is None,
        broken_at=broken.seq if broken else None,
        problem=broken.reason if broken else None,
    )


@router.get(
    "/audit/events", response_class=Response, responses={200: {"content": {"application/x-ndjson": {}}}}
)
def export_audit(
    engine: EngineDep,
    identity: CallerDep,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Response:
    """The events of a period as JSON lines, chain fields included (auditors and the operator)."""
    buffer = io.BytesIO()
    audit.export(engine, identity, buffer, now=_now(), since=since, until=until)
    return Response(buffer.getvalue(), media_type="application/x-ndjson")
