"""The login throttle: failed password checks counted per account and per client address, in the store.

Every check of a password (a web or API login, the current password given to change it) first
records an attempt and commits it, then counts the account's and the address's attempts within
the window. At a limit the check is refused without the password being looked at, even a right
one, and the refusal is audited (`login.throttled`). Because each attempt is committed before it
is counted, by whichever server process, concurrent guesses see each other: no more than the
limit are ever checked in a window. A wrong password's attempt stays as a failure (the one that
reaches a limit is audited as `login.locked`); a right one clears the account's failures.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.errors import Throttled
from liaison.model import Identity
from liaison.services.accounts import audit
from liaison.settings import Settings

__all__ = ["LoginLimits", "reserve", "settle"]


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """How many failed password checks an account, and a client address, may have within `window`."""

    per_account: int = 5
    per_address: int = 20
    window: dt.timedelta = dt.timedelta(minutes=15)

    @classmethod
    def of(cls, settings: Settings) -> LoginLimits:
        """The limits the settings give."""
        return cls(
            settings.login_failures_per_account,
            settings.login_failures_per_address,
            dt.timedelta(minutes=settings.login_window_minutes),
        )


def reserve(engine: Engine, user: str, address: str, now: dt.datetime, limits: LoginLimits) -> int:
    """Record a password check about to be made, and its id; Throttled when a limit is reached."""
    user, address, since = user[:64], address[:64], now - limits.window
    with Session(engine) as session, session.begin():
        attempt = store.start_login_attempt(session, user, address, now, since)
    with Session(engine) as session, session.begin():
        by_user, by_address = store.count_login_attempts(session, attempt, user, address, since)
        if by_user < limits.per_account and by_address < limits.per_address:
            return attempt
        store.forget_login_attempt(session, attempt)
        wait = _wait(session, user, address, now, limits)
        detail = {"address": address, "retry_after": wait}
        audit.record(session, Identity.public(), "login.throttled", f"user:{user}", now=now, detail=detail)
    raise Throttled(
        f"too many failed logins for this account or from this address: wait {_words(wait)}, then try again",
        wait,
    )


def settle(
    session: Session, attempt: int, user: str, address: str, ok: bool, now: dt.datetime, limits: LoginLimits
) -> None:
    """In the caller's transaction: a right password clears the account's failures, a wrong one counts."""
    user, address, since = user[:64], address[:64], now - limits.window
    if ok:
        store.clear_login_attempts(session, user)
        return
    store.mark_login_failed(session, attempt)
    for kind, subject, limit, times in (
        ("account", f"user:{user}", limits.per_account, store.failed_login_times(session, since, user=user)),
        (
            "address",
            f"address:{address}",
            limits.per_address,
            store.failed_login_times(session, since, address=address),
        ),
    ):
        if len(times) == limit:  # this failure starts the lock, which lifts when the oldest leaves the window
            until = (times[-1] + limits.window).isoformat()
            detail = {"limit": kind, "failures": limit, "address": address, "until": until}
            audit.record(session, Identity.public(), "login.locked", subject, now=now, detail=detail)


def _wait(session: Session, user: str, address: str, now: dt.datetime, limits: LoginLimits) -> int:
    """Whole seconds until the account and the address are both under their limits again.

    A limit reached only by attempts still under way (their passwords being checked) lifts as
    soon as they end, so it is a second.
    """
    since, waits = now - limits.window, [1]
    for times, limit in (
        (store.failed_login_times(session, since, user=user), limits.per_account),
        (store.failed_login_times(session, since, address=address), limits.per_address),
    ):
        if len(times) >= limit:
            waits.append(math.ceil((times[limit - 1] + limits.window - now).total_seconds()))
    return max(waits)


def _words(seconds: int) -> str:
    """A wait as people say it: seconds under a minute, else minutes rounded up."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
