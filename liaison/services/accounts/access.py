"""Users, tokens and sharing groups, and turning credentials into the caller's identity.

Administrative changes are the operator's, or an admin's within their own agency; each is
audited in the transaction that makes it. Tokens and passwords are shown once and stored as
hashes; a token of a disabled user, an expired or a revoked token identifies no one. Disabling
a user revokes their tokens and web sessions, so that enabling them again revives none.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.administration import require_admin, require_administers
from liaison.access.decision import Action, Kind, NodeFacts, may, unconditional
from liaison.access.secrets import (
    NewToken,
    check_password,
    hash_password,
    new_token,
    secret_matches,
    split_token,
)
from liaison.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from liaison.model import Identity, Role
from liaison.model.identity import SCOPES
from liaison.services.accounts import audit, passwords, throttle
from liaison.services.accounts.throttle import LoginLimits
from liaison.store import StoredToken, User
from liaison.store import peers as peer_store

__all__ = [
    "SCOPES",
    "add_group",
    "add_user",
    "check_user_name",
    "create_token",
    "disable_user",
    "identify_token",
    "identity_in",
    "identity_of",
    "join_group",
    "leave_group",
    "list_groups",
    "list_tokens",
    "list_users",
    "login",
    "revoke_token",
    "start_session",
]

MAX_TOKEN_DAYS = 366
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


def check_user_name(name: str) -> None:
    """BadInput unless the name is 1 to 64 lower-case letters, digits, '.', '_' or '-'."""
    if not name or len(name) > 64 or not set(name) <= _NAME_CHARS:
        raise BadInput(f"user name {name!r}: use 1 to 64 lower-case letters, digits, '.', '_' or '-'")


def add_user(
    engine: Engine,
    actor: Identity,
    name: str,
    agency: str,
    role: Role,
    now: dt.datetime,
    password: str | None = None,
) -> User:
    """Add a user to an agency; a password, if given, opens web login to them."""
    check_user_name(name)
    if password is not None:
        passwords.check_rule(password)
    require_administers(actor, agency, role)
    with Session(engine) as session, session.begin():
        if host := peer_store.hosts_of(session, [agency]).get(agency):
            raise Conflict(f"agency {agency} is hosted by the peer node {host!r}: its users are added there")
        store.save_user(session, name, agency, role, hash_password(password) if password else None, now)
        audit.record(
            session, actor, "user.add", f"user:{name}", now=now, detail={"agency": agency, "role": role}
        )
        return store.get_user(session, name)


def list_users(engine: Engine, actor: Identity, agency: str | None = None) -> list[User]:
    """Users the actor administers: all for the operator, their agency's for an admin."""
    if not unconditional(actor, Action.ADMINISTER, Kind.AGENCY):
        if actor.agency is None:
            raise Forbidden("only the operator or an agency's admin may list users")
        agency = agency or actor.agency
        require_admin(actor, agency)
    with Session(engine) as session:
        return store.list_users(session, agency)


def disable_user(engine: Engine, actor: Identity, name: str, now: dt.datetime, disabled: bool = True) -> User:
    """Disable a user, revoking their tokens and web sessions for good, or enable them again (with none)."""
    with Session(engine) as session, session.begin():
        user = store.get_user(session, name, for_update=True)
        require_administers(actor, user.agency, user.role)
        store.set_user_disabled(session, name, disabled)
        if disabled:
            revoked = store.revoke_tokens_of(session, name, now)
            audit.record(session, actor, "user.disable", f"user:{name}", now=now, detail={"revoked": revoked})
        else:
            audit.record(session, actor, "user.enable", f"user:{name}", now=now)
        return store.get_user(session, name)


def create_token(
    engine: Engine,
    actor: Identity,
    user: str,
    now: dt.datetime,
    expires_at: dt.datetime | None = None,
    scopes: tuple[str, ...] = ("read",),
) -> tuple[NewToken, StoredToken]:
    """A new token for a user: its text (shown once) and its stored row."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise BadInput(
            f"--scope: use one or more of {', '.join(SCOPES)} (got {', '.join(unknown) or 'none'})"
        )
    expires_at = expires_at or now + dt.timedelta(days=90)
    if not now < expires_at <= now + dt.timedelta(days=MAX_TOKEN_DAYS):
        raise BadInput(f"--expires: a token expires after now and within {MAX_TOKEN_DAYS} days")
    token = new_token()
    with Session(engine) as session, session.begin():
        # Locked as a disable locks it: the new token is either refused or revoked with the rest.
        owner = store.get_user(session, user, for_update=True)
        require_administers(actor, owner.agency, owner.role, frozenset(scopes))
        if owner.disabled:
            raise BadInput(f"user {user!r} is disabled")
        store.save_token(
            session, token.token_id, user, token.secret_hash, tuple(sorted(set(scopes))), now, expires_at
        )
        audit.record(
            session,
            actor,
            "token.create",
            f"token:{token.token_id}",
            now=now,
            detail={"user": user, "scopes": sorted(set(scopes)), "expires_at": expires_at.isoformat()},
        )
        stored = store.get_token(session, token.token_id)
    assert stored is not None  # written just above
    return token, stored


def list_tokens(engine: Engine, actor: Identity, user: str | None = None) -> list[StoredToken]:
    """Tokens the actor administers (ids and dates only; secrets are never stored)."""
    with Session(engine) as session:
        if unconditional(actor, Action.ADMINISTER, Kind.AGENCY):
            return store.list_tokens(session, user)
        if actor.agency is None:
            raise Forbidden("only the operator or an agency's admin may list tokens")
        require_admin(actor, actor.agency)
        if user is not None and store.get_user(session, user).agency != actor.agency:
            raise Forbidden(f"user {user!r} is not of {actor.agency}")
        return store.list_tokens(session, user, agency=actor.agency)


def revoke_token(engine: Engine, actor: Identity, token_id: str, now: dt.datetime) -> StoredToken:
    """Revoke a token: it identifies no one from now on."""
    with Session(engine) as session, session.begin():
        token = store.get_token(session, token_id)
        if token is None:
            raise NotFound(f"no token with id {token_id!r}")
        owner = store.get_user(session, token.user)
        # A user may always revoke their own token.
        if actor.user != token.user:
            require_administers(actor, owner.agency, owner.role)
        revoked = store.revoke_token(session, token_id, now)
        audit.record(
            session, actor, "token.revoke", f"token:{token_id}", now=now, detail={"user": token.user}
        )
        return revoked


def _identity(session: Session, user: User) -> Identity:
    groups = store.groups_of_agency(session, user.agency)
    return Identity.member(
        user.name, user.agency, user.country, user.role, groups, secretariat=user.secretariat
    )


def identity_in(session: Session, name: str) -> Identity | None:
    """The identity of a user who exists and is enabled, read in the caller's session; else None."""
    if not store.is_known(session, "user", name):
        return None
    user = store.get_user(session, name)
    return None if user.disabled else _identity(session, user)


def identity_of(engine: Engine, name: str) -> Identity:
    """The identity of an enabled user, as the CLI's `--as` takes it."""
    with Session(engine) as session:
        user = store.get_user(session, name)
        if user.disabled:
            raise Forbidden(f"user {name!r} is disabled")
        return _identity(session, user)


_REFUSED = "the token is missing, malformed, unknown, expired or revoked"


def identify_token(engine: Engine, text: str, now: dt.datetime) -> tuple[Identity, tuple[str, ...]]:
    """The identity and scopes a token stands for; Unauthenticated, saying nothing of which check failed."""
    parts = split_token(text)
    if parts is None:
        raise Unauthenticated(_REFUSED)
    token_id, secret = parts
    with Session(engine) as session:
        found = store.token_holder(session, token_id)
    if found is None:
        raise Unauthenticated(_REFUSED)
    token, user, groups = found
    if not secret_matches(secret, token.secret_hash) or user.disabled:
        raise Unauthenticated(_REFUSED)
    if token.revoked_at is not None or token.expires_at <= now:
        raise Unauthenticated(_REFUSED)
    scopes = frozenset(token.scopes)
    identity = Identity.member(
        user.name, user.agency, user.country, user.role, groups, scopes, secretariat=user.secretariat
    )
    return identity, token.scopes


def login(
    engine: Engine, name: str, password: str, now: dt.datetime, *, address: str, limits: LoginLimits
) -> Identity:
    """Check a user's password from a client `address`; the attempt, good or bad, is audited.

    Held to the login throttle: Throttled, without the password being checked, once the account
    or the address has failed too often (`liaison.services.accounts.throttle`).
    """
    name = name[:64]
    attempt = throttle.reserve(engine, name, address, now, limits)
    with Session(engine) as session:
        stored = store.password_hash_of(session, name)
    # Checked outside a transaction: scrypt takes a while, and SQLite's transactions are serialised.
    ok = stored is not None and check_password(password, stored)
    with Session(engine) as session, session.begin():
        user = store.get_user(session, name) if ok else None
        identity = _identity(session, user) if user is not None and not user.disabled else None
        throttle.settle(session, attempt, name, address, identity is not None, now, limits)
        action = "login" if identity is not None else "login.refused"
        detail = {"address": address[:64]}
        audit.record(session, identity or Identity.public(), action, f"user:{name}", now=now, detail=detail)
    # Refused after the commit: a refused attempt is recorded like a good one.
    if identity is None:
        raise Unauthenticated("unknown user, wrong password or disabled user")
    return identity


SESSION_HOURS = 12
"""How long a web session lasts: one working shift."""


def _session_scopes(role: Role | None) -> tuple[str, ...]:
    """A web session's scopes: reading and writing, and administering for an agency's admins."""
    return ("read", "write", "admin") if role is Role.ADMIN else ("read", "write")


def start_session(
    engine: Engine, name: str, password: str, now: dt.datetime, *, address: str, limits: LoginLimits
) -> tuple[Identity, NewToken]:
    """Log in for the web: a read-write token that ends with the shift, kept in an HTTP-only cookie."""
    identity = login(engine, name, password, now, address=address, limits=limits)
    token = new_token()
    with Session(engine) as session, session.begin():
        # Under the user's lock: a disable between the login and now revokes this session, or refuses it.
        if store.get_user(session, identity.user or name, for_update=True).disabled:
            raise Unauthenticated("unknown user, wrong password or disabled user")
        expires_at = now + dt.timedelta(hours=SESSION_HOURS)
        store.save_token(
            session,
            token.token_id,
            name,
            token.secret_hash,
            _session_scopes(identity.role),
            now,
            expires_at,
            kind=store.WEB_SESSION,
        )
        audit.record(session, identity, "session.start", f"token:{token.token_id}", now=now)
    return identity, token


def _require_group_keeper(actor: Identity) -> None:
    decision = may(actor, Action.ADMINISTER, NodeFacts(Kind.GROUP))
    if not decision:
        raise Forbidden(decision.reason)


def add_group(engine: Engine, actor: Identity, name: str, description: str, now: dt.datetime) -> None:
    """Create a sharing group (the operator's to do)."""
    _require_group_keeper(actor)
    if not name or not set(name) <= _NAME_CHARS:
        raise BadInput(f"group name {name!r}: use lower-case letters, digits, '.', '_' or '-'")
    with Session(engine) as session, session.begin():
        store.save_group(session, name, description, now)
        audit.record(session, actor, "group.add", f"group:{name}", now=now)


def join_group(engine: Engine, actor: Identity, group: str, agency: str, now: dt.datetime) -> None:
    """Put an agency in a sharing group."""
    _require_group_keeper(actor)
    with Session(engine) as session, session.begin():
        store.add_group_member(session, group, agency)
        audit.record(session, actor, "group.join", f"group:{group}", now=now, detail={"agency": agency})


def leave_group(engine: Engine, actor: Identity, group: str, agency: str, now: dt.datetime) -> None:
    """Take an agency out of a sharing group."""
    _require_group_keeper(actor)
    with Session(engine) as session, session.begin():
        store.remove_group_member(session, group, agency)
        audit.record(session, actor, "group.leave", f"group:{group}", now=now, detail={"agency": agency})


def list_groups(engine: Engine) -> dict[str, tuple[str, list[str]]]:
    """Every sharing group with its description and member agencies."""
    with Session(engine) as session:
        return store.list_groups(session)
