"""The handling policy, and the store's SQL filter held to it.

Strategy: a table of cases shows each code's rule; then hypothesis draws small worlds of
agencies (two countries), sharing groups, users and records under all five codes with random
releasability, stores them on each backend, and checks for every user, the public and the
operator that the filtered queries return exactly the records the pure policy allows, that no
one receives a record they may not read, and that owners always see their own.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

import pytest
from followthemoney import model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from liaison import store
from liaison.access import Action, RecordFacts, may
from liaison.access.decision import DatasetFacts
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role, parse_release
from liaison.store.tables import EntityRow, GroupMemberRow, ImportRow, SharingGroupRow

ALICE = Identity.member("alice", "NCB-FR", "fr", Role.ANALYST, frozenset({"balkans"}))
BOB = Identity.member("bob", "NCB-ES", "es", Role.ANALYST)


def may_read(identity: Identity, owner_agency: str, handling: Handling, releasability: Iterable[str]) -> bool:
    """The one access decision on reading a record with this envelope."""
    return bool(may(identity, Action.READ, RecordFacts.of(owner_agency, handling, releasability)))


CASES = [
    # (handling, releasability, alice reads, bob reads, public reads)
    (Handling.CLEAR, (), True, True, True),
    (Handling.GREEN, (), True, True, False),
    (Handling.AMBER, (), False, False, False),
    (Handling.AMBER, ("agency:NCB-FR",), True, False, False),
    (Handling.AMBER, ("country:fr",), True, False, False),
    (Handling.AMBER, ("group:balkans",), True, False, False),
    (Handling.AMBER, ("user:bob",), False, True, False),
    (Handling.AMBER_STRICT, ("country:fr", "group:balkans", "user:alice"), False, False, False),
    (Handling.AMBER_STRICT, ("agency:NCB-ES",), False, True, False),
    (Handling.RED, ("agency:NCB-FR", "country:fr"), False, False, False),
    (Handling.RED, ("user:alice",), True, False, False),
]


@pytest.mark.parametrize(("handling", "release", "alice", "bob", "public"), CASES)
def test_each_code_admits_its_readers(
    handling: Handling, release: tuple[str, ...], alice: bool, bob: bool, public: bool
) -> None:
    owner = "NCB-UA"
    assert may_read(ALICE, owner, handling, release) is alice
    assert may_read(BOB, owner, handling, release) is bob
    assert may_read(Identity.public(), owner, handling, release) is public
    assert may_read(Identity.operator(), owner, handling, release)
    # The owner agency reads its own under every code.
    assert may_read(ALICE, "NCB-FR", handling, release)


def test_releasability_entries_are_checked_and_written_one_way() -> None:
    assert parse_release(" Agency:ncb-fr ") == "agency:NCB-FR"
    assert parse_release("country:FR") == "country:fr"
    assert parse_release("group:Balkans") == "group:balkans"
    for bad in ("ncb-fr", "planet:mars", "country:fra", "agency:", "user:a b", "group:x' OR 1=1 --"):
        with pytest.raises(ValueError, match="releasability"):
            parse_release(bad)


AGENCIES = [("A1", "aa"), ("A2", "aa"), ("B1", "bb"), ("B2", "bb")]
USERS = [(f"u-{code.lower()}", code) for code, _ in AGENCIES]
ENTRIES = (
    [f"agency:{c}" for c, _ in AGENCIES]
    + ["country:aa", "country:bb", "group:g1", "group:g2"]
    + [f"user:{name}" for name, _ in USERS]
)
NOW = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)

records = st.lists(
    st.tuples(
        st.sampled_from([code for code, _ in AGENCIES]),
        st.sampled_from(list(Handling)),
        st.lists(st.sampled_from(ENTRIES), max_size=4, unique=True),
    ),
    min_size=4,
    max_size=12,
)
memberships = st.lists(
    st.tuples(st.sampled_from(["g1", "g2"]), st.sampled_from([code for code, _ in AGENCIES])),
    unique=True,
    min_size=2,
    max_size=5,
)


def _reset(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        for table in (EntityRow, ImportRow, GroupMemberRow):
            session.execute(delete(table))


@pytest.fixture
def world(engine: Engine) -> Engine:
    with Session(engine) as session, session.begin():
        for code, country in AGENCIES:
            store.save_agency(session, Agency(code, code, country, AgencyKind.POLICE))
            store.claim_dataset(session, f"ds-{code.lower()}", code, code, NOW)
        for name, code in USERS:
            store.save_user(session, name, code, Role.ANALYST, None, NOW)
        for group in ("g1", "g2"):
            session.add(SharingGroupRow(name=group, description="", created_at=NOW))
    return engine


def store_drawn(
    engine: Engine,
    drawn: list[tuple[str, Handling, list[str]]],
    groups: list[tuple[str, str]],
    names: list[str],
    email: str | None = None,
) -> dict[str, Envelope]:
    """Store a drawn world's group memberships and records (`e0`, `e1`, … named in turn, all with
    `email` when given); their envelopes."""
    envelopes: dict[str, Envelope] = {}
    with Session(engine) as session, session.begin():
        for group, agency in groups:
            store.add_group_member(session, group, agency)
        for number, (owner, handling, release) in enumerate(drawn):
            envelope = Envelope(owner, f"ds-{owner.lower()}", handling, "test", NOW.date(), tuple(release))
            proxy = model.make_entity("Person")
            proxy.id = f"e{number}"
            proxy.add("name", names[number])
            if email:
                proxy.add("email", email)
            run = store.start_import(session, envelope.dataset, "ftm", "test", NOW)
            store.write_batch(session, [(proxy, "test:1")], envelope, run, NOW)
            envelopes[f"e{number}"] = envelope
    return envelopes


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=records, groups=memberships)
def test_the_filtered_queries_return_exactly_what_the_policy_allows(
    world: Engine, drawn: list[tuple[str, Handling, list[str]]], groups: list[tuple[str, str]]
) -> None:
    _reset(world)
    envelopes = store_drawn(world, drawn, groups, [f"Person {number}" for number in range(len(drawn))])
    with Session(world) as session:
        callers = [Identity.public(), Identity.operator()]
        for name, code in USERS:
            country = dict(AGENCIES)[code]
            callers.append(
                Identity.member(name, code, country, Role.ANALYST, store.groups_of_agency(session, code))
            )
        for caller, (entity_id, envelope) in itertools.product(callers, envelopes.items()):
            allowed = may_read(caller, envelope.owner_agency, envelope.handling, envelope.releasability)
            got = store.entities_by_id(session, entity_id, caller)
            assert bool(got) is allowed, (caller.actor, envelope)
            if caller.agency == envelope.owner_agency:
                assert got, "an owner always sees its own"
        for caller in callers:
            for code, _ in AGENCIES:
                dataset = f"ds-{code.lower()}"
                streamed = {stored.proxy.id for stored in store.iter_dataset(session, dataset, caller)}
                expected = {
                    entity_id
                    for entity_id, envelope in envelopes.items()
                    if envelope.dataset == dataset
                    and may_read(caller, envelope.owner_agency, envelope.handling, envelope.releasability)
                }
                assert streamed == expected
            counted = sum(sum(s.values()) for s in store.count_by_dataset_schema(session, caller).values())
            assert counted == sum(
                may_read(caller, e.owner_agency, e.handling, e.releasability) for e in envelopes.values()
            )


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=records)
def test_datasets_listed_and_known_are_exactly_what_may_allows(
    world: Engine, drawn: list[tuple[str, Handling, list[str]]]
) -> None:
    """A dataset is known to whom `may` lets know of it (its agency's people, the operator) and
    to whoever reads one of its records; to anyone else it does not exist."""
    _reset(world)
    envelopes = store_drawn(world, drawn, [], [f"Person {number}" for number in range(len(drawn))])
    datasets = {f"ds-{code.lower()}": code for code, _ in AGENCIES}
    with Session(world) as session:
        callers = [Identity.public(), Identity.operator()]
        callers += [Identity.member(name, code, dict(AGENCIES)[code], Role.AUDITOR) for name, code in USERS]
        for caller in callers:
            expected = {
                name for name, owner in datasets.items() if may(caller, Action.READ, DatasetFacts(owner))
            }
            expected |= {
                envelope.dataset
                for envelope in envelopes.values()
                if may_read(caller, envelope.owner_agency, envelope.handling, envelope.releasability)
            }
            assert {summary.name for summary in store.list_datasets(session, caller)} == expected, (
                caller.actor
            )
            assert store.known_datasets(session, caller, [*datasets, "ds-none"]) == expected, caller.actor
