"""What a peer node receives, decided at the source, held to the policy on random worlds.

Strategy: two agencies hosted here own records under all five codes, released at random to
agencies, countries, groups and users; a peer hosts two agencies of its own, which sharing
groups take in at random. On both backends, the records `sync preview` lists for the peer must
be exactly those the handling rules written out below admit for one of the peer's agencies:
CLEAR and GREEN; AMBER released to the agency, its country or one of its groups; AMBER+STRICT
released to the agency; never RED, never a record released to a user of this node alone. The
rules are spelled out here rather than asked of `may`, so that the decision itself is checked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from followthemoney import model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from liaison import store
from liaison.access import Action, RecordFacts, may
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role
from liaison.model.node import NodeDescriptor
from liaison.services.federation import peers
from liaison.store import peers as peer_store
from liaison.store.tables import EntityRow, GroupMemberRow, ImportRow, SharingGroupRow

NOW = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
LOCAL = {"A1": "aa", "B1": "bb"}
REMOTE = {"P1": "aa", "P2": "cc"}
PEER = NodeDescriptor(
    "peer-x",
    "http://127.0.0.1:9",
    "YP3OGf/a62f/hUM2ohYSFXMAvt5Kgxy4uPY075OxeuQ=",
    tuple(Agency(code, code, country.upper(), AgencyKind.POLICE) for code, country in REMOTE.items()),
)
ENTRIES = [
    *(f"agency:{code}" for code in [*LOCAL, *REMOTE]),
    *(f"country:{country}" for country in ("aa", "bb", "cc")),
    "group:g1",
    "group:g2",
    "user:u-a1",
]

records = st.lists(
    st.tuples(
        st.sampled_from(list(LOCAL)),
        st.sampled_from(list(Handling)),
        st.lists(st.sampled_from(ENTRIES), max_size=4, unique=True),
    ),
    min_size=1,
    max_size=14,
)
memberships = st.lists(
    st.tuples(st.sampled_from(["g1", "g2"]), st.sampled_from([*LOCAL, *REMOTE])), unique=True, max_size=6
)


@pytest.fixture
def world(engine: Engine) -> Engine:
    with Session(engine) as session, session.begin():
        for code, country in LOCAL.items():
            store.save_agency(session, Agency(code, code, country.upper(), AgencyKind.POLICE))
            store.claim_dataset(session, f"{code.lower()}_ds", code, code, NOW)
        store.save_user(session, "u-a1", "A1", Role.ANALYST, None, NOW)
        peer_store.save_peer(session, PEER, NOW, "operator")
        for group in ("g1", "g2"):
            session.add(SharingGroupRow(name=group, description="", created_at=NOW))
    return engine


def sent_by_the_rules(handling: Handling, release: set[str], groups: list[tuple[str, str]]) -> bool:
    """Whether one of the peer's agencies is admitted, by the handling rules spelled out."""
    if handling in (Handling.CLEAR, Handling.GREEN):
        return True
    for code, country in REMOTE.items():
        named = {f"agency:{code}"}
        if handling is Handling.AMBER:
            named |= {f"country:{country}"} | {f"group:{group}" for group, member in groups if member == code}
        if handling is not Handling.RED and release & named:
            return True
    return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=records, groups=memberships)
def test_a_peer_receives_exactly_what_the_owners_released_to_its_agencies(
    world: Engine, drawn: list[tuple[str, Handling, list[str]]], groups: list[tuple[str, str]]
) -> None:
    with Session(world) as session, session.begin():
        for table in (EntityRow, ImportRow, GroupMemberRow):
            session.execute(delete(table))
        for group, agency in groups:
            store.add_group_member(session, group, agency)
        for number, (owner, handling, release) in enumerate(drawn):
            envelope = Envelope(owner, f"{owner.lower()}_ds", handling, "test", NOW.date(), tuple(release))
            proxy = model.make_entity("Person")
            proxy.id = f"e{number}"
            proxy.add("name", f"Person {number}")
            run = store.start_import(session, envelope.dataset, "ftm", "test", NOW)
            store.write_batch(session, [(proxy, "test:1")], envelope, run, NOW)

    found = peers.preview(world, Identity.operator(), "peer-x", NOW, ids=True)
    assert found.ids is not None
    expected = {
        f"e{number}"
        for number, (_owner, handling, release) in enumerate(drawn)
        if sent_by_the_rules(handling, set(release), groups)
    }
    assert {entity_id for _dataset, entity_id in found.ids} == expected
    assert found.total == len(expected)
    for number, (owner, handling, release) in enumerate(drawn):
        if f"e{number}" not in expected:
            continue
        assert handling is not Handling.RED
        # Nothing goes that a user of one of the peer's agencies could not read were they here.
        facts = RecordFacts.of(owner, handling, release)
        assert any(
            may(
                Identity.member("m", who.agency or "", who.country or "", Role.ANALYST, who.groups),
                Action.READ,
                facts,
            )
            for who in found.receivers
        )


def test_a_peer_hosting_no_agency_receives_nothing_and_red_never_goes(world: Engine) -> None:
    with Session(world) as session, session.begin():
        peer_store.save_peer(
            session, NodeDescriptor("empty", "http://127.0.0.1:9", "a" * 43 + "=", ()), NOW, "operator"
        )
        for number, handling in enumerate(Handling):
            envelope = Envelope("A1", "a1_ds", handling, "test", NOW.date(), ("agency:P1",))
            proxy = model.make_entity("Person")
            proxy.id = f"h{number}"
            proxy.add("name", f"Person {number}")
            store.write_batch(
                session,
                [(proxy, "t:1")],
                envelope,
                store.start_import(session, "a1_ds", "ftm", "t", NOW),
                NOW,
            )
    assert peers.preview(world, Identity.operator(), "empty", NOW).total == 0
    assert {
        handling for (_dataset, handling) in peers.preview(world, Identity.operator(), "peer-x", NOW).counts
    } == {"CLEAR", "GREEN", "AMBER", "AMBER+STRICT"}
