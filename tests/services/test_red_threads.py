"""RED threads on both backends: a thread opened RED, subject included, reaches only its creator
and the users it names; every other user of its agencies gets nothing of it.

Strategy: NCB-FR (alice, ada) writes to NCB-ES (carmen, bea), NCB-IT (carla) stays outside.
alice opens a RED thread naming carmen; ada and bea, in the thread's agencies but not named,
must not find it in a list, a count, an unread badge or an alert, and by id it is absent
(NotFound, as for a thread that is not there). A hypothesis property then draws threads of every
code with random named users and holds every caller's list to the rule, computed here apart.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from liaison.errors import BadInput, Forbidden, NotFound
from liaison.model import Agency, AgencyKind, Handling, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.services.messaging import alerts, messages
from liaison.services.messaging.messages import Draft
from liaison.store.tables import AlertRow, MessageRow, ReceiptRow, ThreadParticipantRow, ThreadRow

NOW = dt.datetime(2026, 12, 9, 9, tzinfo=dt.UTC)
USERS = {"alice": "NCB-FR", "ada": "NCB-FR", "carmen": "NCB-ES", "bea": "NCB-ES", "carla": "NCB-IT"}
SUBJECT = "Informant inside the Zirka agency"


@pytest.fixture
def world(engine: Engine) -> Engine:
    for code, name, country in (
        ("NCB-FR", "NCB Paris", "FR"),
        ("NCB-ES", "NCB Madrid", "ES"),
        ("NCB-IT", "NCB Rome", "IT"),
    ):
        agencies.register(engine, Agency(code, name, country, AgencyKind.NCB))
    for user, code in USERS.items():
        access.add_user(engine, Identity.operator(), user, code, Role.ANALYST, NOW)
    return engine


def who(engine: Engine, user: str) -> Identity:
    return access.identity_of(engine, user)


def red_thread(engine: Engine, *named: str, priority: str = "urgent") -> str:
    thread, _first = messages.open_thread(
        engine,
        who(engine, "alice"),
        SUBJECT,
        ["NCB-ES"],
        Draft("She meets the recruiter on Friday.", priority=priority, handling="RED", to_users=named),
        NOW,
    )
    return thread.thread_id


def subjects(engine: Engine, user: str) -> tuple[list[str], int, int]:
    """The subjects a user's list shows, its total and their unread messages."""
    threads, total = messages.list_threads(engine, who(engine, user))
    return [thread.subject for thread in threads], total, sum(thread.unread for thread in threads)


@pytest.mark.parametrize("caller", [Identity.operator(), Identity.public()], ids=["operator", "public"])
def test_messages_are_exchanged_by_member_agencies_users_alone(world: Engine, caller: Identity) -> None:
    thread = red_thread(world, "carmen")
    refused = "messages are exchanged between member agencies' users"
    with pytest.raises(Forbidden, match=refused):
        messages.open_thread(world, caller, "Hello", ["NCB-ES"], Draft("Hi."), NOW)
    with pytest.raises(Forbidden, match=refused):
        messages.reply(world, caller, thread, Draft("Hi."), NOW)
    with pytest.raises(Forbidden, match=refused):
        messages.list_threads(world, caller)
    with pytest.raises(Forbidden, match=refused):
        messages.read_thread(world, caller, thread, NOW)


def test_a_red_thread_is_seen_by_its_named_users_alone(world: Engine) -> None:
    thread_id = red_thread(world, "carmen")
    assert subjects(world, "carmen") == ([SUBJECT], 1, 1)
    assert subjects(world, "alice") == ([SUBJECT], 1, 0)
    for outsider in ("bea", "ada", "carla"):  # bea and ada are of the thread's agencies
        assert subjects(world, outsider) == ([], 0, 0), outsider
        identity = who(world, outsider)
        with pytest.raises(NotFound):
            messages.read_thread(world, identity, thread_id, NOW)
        with pytest.raises(NotFound):
            messages.reply(world, identity, thread_id, Draft("What is this?"), NOW)
        assert all(SUBJECT not in str(alert.detail) for alert in alerts.list_alerts(world, identity))
    found, shown = messages.read_thread(world, who(world, "carmen"), thread_id, NOW)
    assert (found.handling, found.readers) == ("RED", ("alice", "carmen"))
    with pytest.raises(NotFound):  # the receipts of its messages are as absent as the thread
        messages.receipts(world, who(world, "bea"), thread_id, shown[0].message_id)
    assert [alert.kind for alert in alerts.list_alerts(world, who(world, "carmen"))] == ["message.urgent"]


def test_a_reply_in_a_red_thread_is_red_and_reaches_only_its_readers(world: Engine) -> None:
    thread_id = red_thread(world, "carmen")
    answer = messages.reply(
        world, who(world, "carmen"), thread_id, Draft("Understood.", priority="flash"), NOW
    )
    assert (answer.handling, answer.to_users) == ("RED", ("alice",))
    assert [alert.kind for alert in alerts.list_alerts(world, who(world, "alice"))] == ["message.flash"]
    assert subjects(world, "alice") == ([SUBJECT], 1, 1)
    assert subjects(world, "bea") == ([], 0, 0)
    with pytest.raises(BadInput, match="'bea' is not named in this RED thread"):
        messages.reply(world, who(world, "carmen"), thread_id, Draft("Bea, look", to_users=("bea",)), NOW)


@pytest.mark.parametrize(
    ("named", "says"),
    [((), "a RED thread names the users it is for"), (("carla",), "'carla' is not a user of an agency")],
)
def test_a_red_thread_naming_no_user_of_its_agencies_is_refused(
    world: Engine, named: tuple[str, ...], says: str
) -> None:
    with pytest.raises(BadInput, match=says):
        red_thread(world, *named)
    assert subjects(world, "alice") == ([], 0, 0)


def test_a_red_message_in_a_shared_thread_leaves_the_thread_to_its_agencies(world: Engine) -> None:
    thread, first = messages.open_thread(
        world, who(world, "alice"), "Vessel Aurora", ["NCB-ES"], Draft("Arriving 04:00"), NOW
    )
    messages.reply(
        world,
        who(world, "carmen"),
        thread.thread_id,
        Draft("Source", handling="RED", to_users=("alice",)),
        NOW,
    )
    assert subjects(world, "bea") == (["Vessel Aurora"], 1, 1)  # the AMBER message, not the RED one
    _found, shown = messages.read_thread(world, who(world, "bea"), thread.thread_id, NOW)
    assert [message.message_id for message in shown] == [first.message_id]


CODES = st.sampled_from([code.value for code in Handling])
THREADS = st.lists(
    st.tuples(
        st.sampled_from(sorted(USERS)),  # the creator
        st.sets(st.sampled_from(["NCB-FR", "NCB-ES", "NCB-IT"]), min_size=1),  # the agencies written to
        CODES,
        st.sets(st.sampled_from(sorted(USERS)), max_size=3),  # the users named
    ),
    max_size=6,
)
_subjects = itertools.count()


def _may_read(user: str, creator: str, agencies: set[str], handling: str, named: set[str]) -> bool:
    """The rule, written apart from the store: a RED thread for its creator and named users, in its
    agencies; any other thread for every user of its agencies."""
    if USERS[user] not in agencies:
        return False
    return handling != "RED" or user == creator or user in named


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=THREADS)
def test_every_list_and_read_of_threads_follows_the_rule(
    world: Engine, drawn: list[tuple[str, set[str], str, set[str]]]
) -> None:
    with Session(world) as session, session.begin():
        for table in (ReceiptRow, MessageRow, ThreadParticipantRow, ThreadRow, AlertRow):
            session.execute(delete(table))
    made: dict[str, tuple[str, tuple[str, set[str], str, set[str]]]] = {}
    for creator, to, handling, named in drawn:
        subject = f"thread {next(_subjects)}"
        agencies_in = {USERS[creator], *to}
        draft = Draft(f"about {subject}", priority="urgent", handling=handling, to_users=tuple(sorted(named)))
        try:
            thread, _first = messages.open_thread(world, who(world, creator), subject, sorted(to), draft, NOW)
        except BadInput:  # no other agency, or a RED thread naming no one or someone outside
            continue
        made[thread.thread_id] = (
            subject,
            (creator, agencies_in, handling, named if handling == "RED" else set()),
        )
    for user in USERS:
        identity = who(world, user)
        expected = {subject for subject, facts in made.values() if _may_read(user, *facts)}
        threads, total = messages.list_threads(world, identity, limit=messages.MAX_PAGE)
        assert {thread.subject for thread in threads} == expected and total == len(expected), user
        for thread_id, (subject, facts) in made.items():
            if _may_read(user, *facts):
                assert messages.read_thread(world, identity, thread_id, NOW)[0].subject == subject
            else:
                with pytest.raises(NotFound):
                    messages.read_thread(world, identity, thread_id, NOW)
        told = {alert.detail.get("subject") for alert in alerts.list_alerts(world, identity)}
        assert told <= expected, user  # an urgent message alerts only those who read its thread
