"""Passwords for web login: a user changes their own with the current one; an admin sets a user's.

A new password follows the rule of a new user's (`check_rule`) and is stored as a scrypt hash.
Changing one's own ends one's other web sessions, the one in use stays; an admin's reset ends
all of the user's. API tokens stay: they were never given for a password. The current password
is checked under the login throttle, so a stolen session cannot be used to guess it. Each change,
and each refusal for a wrong current password, is audited.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.administration import require_administers
from liaison.access.secrets import check_password, hash_password
from liaison.errors import BadInput, Forbidden
from liaison.model import Identity, IdentityKind
from liaison.services.accounts import audit, throttle
from liaison.services.accounts.throttle import LoginLimits

__all__ = ["MAX_LENGTH", "MIN_LENGTH", "change_password", "check_rule"]

MIN_LENGTH = 12
"""The fewest characters a password may have."""
MAX_LENGTH = 1_024
"""The most characters a password may have: the login forms read no more."""


def check_rule(password: str) -> None:
    """Refuse a password shorter than 12 or longer than 1,024 characters (BadInput)."""
    if len(password) < MIN_LENGTH:
        raise BadInput(f"password: at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise BadInput(f"password: at most {MAX_LENGTH:,} characters")


def change_password(
    engine: Engine,
    actor: Identity,
    name: str,
    new: str,
    now: dt.datetime,
    *,
    current: str | None,
    address: str,
    limits: LoginLimits,
    keep: str | None = None,
) -> list[str]:
    """Give user `name` the password `new`; the ids of the web sessions that it ended.

    A user's own password needs the `current` one, checked under the login throttle (Throttled,
    Forbidden when wrong); the session `keep` (the one in use) stays. Anyone else's is the
    operator's or their agency's admin's to set, and ends all their web sessions.
    """
    check_rule(new)
    if actor.kind is IdentityKind.MEMBER and actor.user == name:
        if current is None:
            raise BadInput("current password: give it to change your own password")
        return _change_own(engine, actor, current, new, now, address, limits, keep)
    return _reset(engine, actor, name, new, now)


def _change_own(
    engine: Engine,
    actor: Identity,
    current: str,
    new: str,
    now: dt.datetime,
    address: str,
    limits: LoginLimits,
    keep: str | None,
) -> list[str]:
    name = actor.user or ""
    attempt = throttle.reserve(engine, name, address, now, limits)
    with Session(engine) as session:
        stored = store.password_hash_of(session, name)
    # Both hashes are worked out outside a transaction: scrypt takes a while.
    ok = stored is not None and check_password(current[:MAX_LENGTH], stored)
    new_hash = hash_password(new) if ok else ""
    ended: list[str] = []
    with Session(engine) as session, session.begin():
        user = store.get_user(session, name, for_update=True)
        # A password an admin set meanwhile is not the one that was checked.
        ok = ok and not user.disabled and store.password_hash_of(session, name) == stored
        throttle.settle(session, attempt, name, address, ok, now, limits)
        if ok:
            store.set_password_hash(session, name, new_hash)
            ended = store.revoke_tokens_of(session, name, now, kind=store.WEB_SESSION, keep=keep)
            detail: dict[str, object] = {"address": address[:64], "ended_sessions": ended}
            audit.record(session, actor, "user.password", f"user:{name}", now=now, detail=detail)
        else:
            detail = {"address": address[:64]}
            audit.record(session, actor, "user.password.refused", f"user:{name}", now=now, detail=detail)
    # Refused after the commit, so that the failure counts and is recorded.
    if not ok:
        raise Forbidden("the current password is not right")
    return ended


def _reset(engine: Engine, actor: Identity, name: str, new: str, now: dt.datetime) -> list[str]:
    with Session(engine) as session:
        user = store.get_user(session, name)
    require_administers(actor, user.agency, user.role)  # before any hashing is spent on the caller
    new_hash = hash_password(new)
    with Session(engine) as session, session.begin():
        user = store.get_user(session, name, for_update=True)
        require_administers(actor, user.agency, user.role)
        store.set_password_hash(session, name, new_hash)
        ended = store.revoke_tokens_of(session, name, now, kind=store.WEB_SESSION)
        detail = {"ended_sessions": ended}
        audit.record(session, actor, "user.password.reset", f"user:{name}", now=now, detail=detail)
    return ended
