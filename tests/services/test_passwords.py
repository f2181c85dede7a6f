"""Changing passwords on both backends, with the clock passed in: one's own with the current one
(under the login throttle), anyone's by the operator or their agency's admin; the rule of a new
user's password; the other web sessions ended, the one in use kept, API tokens left; the trail.

Strategy: NCB-FR with ada (admin), alice (analyst) and audrey (auditor), NCB-ES with bob (admin),
all with one password; alice logs in from two browsers and holds an API token.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.secrets import NewToken
from liaison.errors import BadInput, Forbidden, NotFound, Throttled, Unauthenticated
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies, passwords
from liaison.services.accounts.throttle import LoginLimits

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
OLD, NEW = "correct horse battery", "a new and longer passphrase"
LIMITS = LoginLimits(per_account=3, per_address=10, window=dt.timedelta(minutes=15))
HERE = "192.0.2.10"


@pytest.fixture
def world(engine: Engine) -> Engine:
    operator = Identity.operator()
    agencies.register(engine, Agency("NCB-FR", "NCB Paris", "FR", AgencyKind.NCB), operator)
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB), operator)
    for name, agency, role in (
        ("ada", "NCB-FR", Role.ADMIN),
        ("alice", "NCB-FR", Role.ANALYST),
        ("audrey", "NCB-FR", Role.AUDITOR),
        ("bob", "NCB-ES", Role.ADMIN),
    ):
        access.add_user(engine, operator, name, agency, role, NOW, password=OLD)
    return engine


def session_of(engine: Engine, name: str, password: str = OLD) -> tuple[Identity, NewToken]:
    return access.start_session(engine, name, password, NOW, address=HERE, limits=LIMITS)


def works(engine: Engine, token: NewToken) -> bool:
    try:
        access.identify_token(engine, token.text, NOW)
    except Unauthenticated:
        return False
    return True


def logs_in(engine: Engine, name: str, password: str) -> bool:
    try:
        access.login(engine, name, password, NOW, address="198.51.100.7", limits=LIMITS)
    except Unauthenticated:
        return False
    return True


def change(
    engine: Engine, actor: Identity, name: str, new: str = NEW, at: dt.datetime = NOW, **given: object
) -> list[str]:
    options: dict[str, object] = {"current": None, "address": HERE, "limits": LIMITS, **given}
    return passwords.change_password(engine, actor, name, new, at, **options)  # type: ignore[arg-type]


def actions(engine: Engine) -> list[tuple[str, str, str, dict[str, object]]]:
    with Session(engine) as session:
        return [
            (c.event.actor, c.event.action, c.event.subject, c.event.detail)
            for c in store.iter_events(session)
        ]


def test_a_user_changes_their_own_with_the_current_one_and_their_other_sessions_end(world: Engine) -> None:
    alice, here = session_of(world, "alice")
    _same, elsewhere = session_of(world, "alice")
    api, _stored = access.create_token(
        world, Identity.operator(), "alice", NOW, NOW + dt.timedelta(days=9), ("read",)
    )

    with pytest.raises(BadInput, match="current password"):
        change(world, alice, "alice")
    with pytest.raises(Forbidden, match="current password is not right"):
        change(world, alice, "alice", current="a wrong guess")
    assert logs_in(world, "alice", OLD) and not logs_in(world, "alice", NEW)

    ended = change(world, alice, "alice", current=OLD, keep=here.token_id)
    assert ended == [elsewhere.token_id]
    assert works(world, here) and not works(world, elsewhere) and works(world, api)
    assert logs_in(world, "alice", NEW) and not logs_in(world, "alice", OLD)
    trail = [
        (actor, action, detail)
        for actor, action, subject, detail in actions(world)
        if subject == "user:alice"
    ]
    assert ("alice", "user.password.refused", {"address": HERE}) in trail
    assert ("alice", "user.password", {"address": HERE, "ended_sessions": [elsewhere.token_id]}) in trail


def test_wrong_current_passwords_count_as_failed_logins(world: Engine) -> None:
    alice, here = session_of(world, "alice")
    for _ in range(3):
        with pytest.raises(Forbidden):
            change(world, alice, "alice", current="a wrong guess")
    # Locked: neither the right current password nor a login is checked any more.
    with pytest.raises(Throttled):
        change(world, alice, "alice", current=OLD)
    with pytest.raises(Throttled):
        access.login(world, "alice", OLD, NOW, address="198.51.100.7", limits=LIMITS)
    assert change(world, alice, "alice", at=NOW + LIMITS.window, current=OLD, keep=here.token_id) == []


@pytest.mark.parametrize("new", ["x" * 11, "x" * 1_025])
def test_a_new_password_follows_the_rule_of_a_new_user_s(world: Engine, new: str) -> None:
    alice, _here = session_of(world, "alice")
    with pytest.raises(BadInput, match="password: at"):
        change(world, alice, "alice", new, current=OLD)
    with pytest.raises(BadInput, match="password: at"):
        change(world, Identity.operator(), "alice", new)
    with pytest.raises(BadInput, match="password: at"):
        access.add_user(world, Identity.operator(), "fred", "NCB-FR", Role.ANALYST, NOW, password=new)
    assert logs_in(world, "alice", OLD)


def test_an_admin_sets_a_password_of_their_agency_s_users_and_all_their_sessions_end(world: Engine) -> None:
    ada, _ada_session = session_of(world, "ada")
    _alice, first = session_of(world, "alice")
    _again, second = session_of(world, "alice")
    assert sorted(change(world, ada, "alice")) == sorted([first.token_id, second.token_id])
    assert not works(world, first) and not works(world, second)
    assert logs_in(world, "alice", NEW)
    reset = [
        (a, d) for a, action, s, d in actions(world) if action == "user.password.reset" and s == "user:alice"
    ]
    assert reset == [("ada", {"ended_sessions": sorted([first.token_id, second.token_id])})]

    # The operator sets anyone's, here bob's; an admin nobody's outside their agency, nor an
    # auditor's, and their own only with the current one.
    assert change(world, Identity.operator(), "bob") == []
    bob, _bob_session = session_of(world, "bob", NEW)
    alice, _alice_session = session_of(world, "alice", NEW)
    for actor, name, refusal in (
        (bob, "alice", Forbidden),
        (alice, "ada", Forbidden),
        (ada, "audrey", Forbidden),
        (ada, "ada", BadInput),
        (ada, "nobody", NotFound),
    ):
        with pytest.raises(refusal):
            change(world, actor, name, "yet another long passphrase")
    assert logs_in(world, "audrey", OLD) and logs_in(world, "ada", OLD)
