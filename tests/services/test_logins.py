"""The login throttle on both backends, with the clock passed in: failures counted per account
and per client address in the store, refusals that never look at the password, the lock lifted
by time or cleared by a success, and each lock-out and refusal in the audit trail.

Strategy: one agency, alice with a password; limits of 3 per account and 5 per address in a
15-minute window; each test steps its own clock.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.errors import Throttled, Unauthenticated
from liaison.model import Agency, Identity, Role
from liaison.services.accounts import access
from liaison.services.accounts.throttle import LoginLimits

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
PASSWORD = "correct horse battery"
LIMITS = LoginLimits(per_account=3, per_address=5, window=dt.timedelta(minutes=15))
HERE, THERE = "192.0.2.10", "198.51.100.7"


@pytest.fixture
def alice(engine: Engine, agency: Agency) -> str:
    access.add_user(engine, Identity.operator(), "alice", agency.code, Role.ANALYST, NOW, password=PASSWORD)
    return "alice"


def attempt(engine: Engine, user: str, password: str, at: dt.datetime, address: str = HERE) -> str:
    """What a login says: `ok`, `refused` (wrong password) or `wait N` (throttled, N seconds)."""
    try:
        access.login(engine, user, password, at, address=address, limits=LIMITS)
    except Throttled as exc:
        return f"wait {exc.retry_after:.0f}"
    except Unauthenticated:
        return "refused"
    return "ok"


def actions(engine: Engine) -> list[tuple[str, str, dict[str, object]]]:
    with Session(engine) as session:
        return [(c.event.action, c.event.subject, c.event.detail) for c in store.iter_events(session)]


def test_an_account_is_locked_after_its_failures_even_for_the_right_password(
    engine: Engine, alice: str
) -> None:
    tries = [attempt(engine, alice, "guess", NOW + dt.timedelta(minutes=i)) for i in range(3)]
    assert tries == ["refused"] * 3
    # The first failure was at 09:00: the lock lifts when it leaves the window, at 09:15.
    assert attempt(engine, alice, PASSWORD, NOW + dt.timedelta(minutes=5)) == "wait 600"
    assert attempt(engine, alice, PASSWORD, NOW + dt.timedelta(minutes=14, seconds=59)) == "wait 1"
    assert attempt(engine, alice, PASSWORD, NOW + dt.timedelta(minutes=15)) == "ok"
    locked = [detail for action, subject, detail in actions(engine) if action == "login.locked"]
    assert locked == [
        {"limit": "account", "failures": 3, "address": HERE, "until": "2026-12-07T09:15:00+00:00"}
    ]
    throttled = [subject for action, subject, _detail in actions(engine) if action == "login.throttled"]
    assert throttled == ["user:alice", "user:alice"]


def test_the_lock_holds_from_another_address_and_for_unknown_names_alike(engine: Engine, alice: str) -> None:
    for name in (alice, "nobody"):
        for i in range(3):
            assert attempt(engine, name, "guess", NOW, address=f"203.0.113.{i}") == "refused"
    assert attempt(engine, alice, PASSWORD, NOW + dt.timedelta(minutes=1), address=THERE).startswith("wait")
    assert attempt(engine, "nobody", "guess", NOW + dt.timedelta(minutes=1), address=THERE).startswith("wait")


def test_a_success_clears_the_account_s_count(engine: Engine, alice: str) -> None:
    assert attempt(engine, alice, "guess", NOW) == "refused"
    assert attempt(engine, alice, "guess", NOW) == "refused"
    assert attempt(engine, alice, PASSWORD, NOW) == "ok"
    assert [attempt(engine, alice, "guess", NOW) for _ in range(3)] == ["refused"] * 3
    assert attempt(engine, alice, PASSWORD, NOW).startswith("wait")


def test_an_address_is_locked_after_more_failures_over_any_accounts(engine: Engine, alice: str) -> None:
    for i in range(5):
        assert attempt(engine, f"user{i}", "guess", NOW) == "refused"
    assert attempt(engine, alice, PASSWORD, NOW) == "wait 900"  # alice has no failures; the address has
    assert attempt(engine, alice, PASSWORD, NOW, address=THERE) == "ok"
    locked = [(subject, detail["limit"]) for action, subject, detail in actions(engine) if "locked" in action]
    assert locked == [(f"address:{HERE}", "address")]
