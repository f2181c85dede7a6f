"""Login attempts: the rows the login throttle counts, per account and per client address."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from liaison.store.tables import LoginAttemptRow

__all__ = [
    "clear_login_attempts",
    "count_login_attempts",
    "failed_login_times",
    "forget_login_attempt",
    "mark_login_failed",
    "start_login_attempt",
]


def start_login_attempt(
    session: Session, user: str, address: str, now: dt.datetime, since: dt.datetime
) -> int:
    """Record a password check about to be made, and prune attempts from before `since`; its id."""
    session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.at <= since))
    return int(
        session.execute(
            insert(LoginAttemptRow)
            .values(user=user, address=address, at=now, failed=False)
            .returning(LoginAttemptRow.id)
        ).scalar_one()
    )


def count_login_attempts(
    session: Session, attempt: int, user: str, address: str, since: dt.datetime
) -> tuple[int, int]:
    """Attempts after `since` but `attempt`, under way or failed: (of the account, from the address)."""
    others = select(func.count()).where(LoginAttemptRow.at > since, LoginAttemptRow.id != attempt)
    by_user = session.execute(others.where(LoginAttemptRow.user == user)).scalar_one()
    by_address = session.execute(others.where(LoginAttemptRow.address == address)).scalar_one()
    return int(by_user), int(by_address)


def failed_login_times(
    session: Session, since: dt.datetime, *, user: str | None = None, address: str | None = None
) -> list[dt.datetime]:
    """When the failed attempts after `since` of an account, or from an address, were made; newest first."""
    query = select(LoginAttemptRow.at).where(LoginAttemptRow.at > since, LoginAttemptRow.failed)
    if user is not None:
        query = query.where(LoginAttemptRow.user == user)
    if address is not None:
        query = query.where(LoginAttemptRow.address == address)
    return list(session.scalars(query.order_by(LoginAttemptRow.at.desc())))


def mark_login_failed(session: Session, attempt: int) -> None:
    """The attempt's password was wrong: it counts as a failure until it leaves the window."""
    session.execute(update(LoginAttemptRow).where(LoginAttemptRow.id == attempt).values(failed=True))


def forget_login_attempt(session: Session, attempt: int) -> None:
    """Drop an attempt that was refused before any password was checked."""
    session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.id == attempt))


def clear_login_attempts(session: Session, user: str) -> None:
    """A success: the account's failures are forgotten, from whatever address they came."""
    session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.user == user))
