"""Three nodes syncing in process, held to the handling rules on random worlds.

Strategy: nodes A, B and C each run on their own SQLite store with their own settings (name,
secret, URL) and host two agencies each, in two countries, with one user per agency. Every node
peers with the other two, then puts agencies (its own and its peers') in its sharing groups at
random. Agencies of A and B own records under all five codes, released at random to agencies,
countries, groups and users of their node, imported for real. Every node then pulls from every
peer through the real route (`GET /federation/v1/records` of the source node's app, signed both
ways, nonces kept), in pages of three so the cursor is followed. For every user on every node,
what they read must be exactly what the oracle below allows; the oracle spells out the rules
rather than asking `may`:

- at the record's own node, the local policy: CLEAR, GREEN, their agency's own, AMBER released to
  their agency, country, one of its groups there or to them, AMBER+STRICT released to their
  agency, RED released to them;
- at another node, a copy, only if not RED and the origin's rules admit the reader's agency as a
  peer receiver: CLEAR, GREEN; AMBER released to the agency, its country or a group the origin
  puts it in; AMBER+STRICT released to the agency. Never by a release to a user, never by a group
  of the receiving node, and copies are never relayed (C holds nothing of A's sent on by B).

The node's holdings are checked too (each copy's releasability names exactly the admitted
agencies of the receiving node). The owners then narrow and widen some records, every node pulls
again, and the same holds: withdrawn copies are gone, widened ones arrive.
"""

from __future__ import annotations

import base64
import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import patch
from urllib.parse import urlsplit

import httpx
from fastapi.testclient import TestClient
from followthemoney import model
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from liaison import store
from liaison.api.app import create_app
from liaison.ingest import Record
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role
from liaison.services.accounts.access import identity_of
from liaison.services.federation import nodes, peers, sync
from liaison.services.sharing.imports import import_records
from liaison.settings import Settings
from liaison.store.entities import stored_entity
from liaison.store.tables import EntityRow, SharingGroupRow

HOSTED = {
    "node-a": {"A1": "fr", "A2": "es"},
    "node-b": {"B1": "fr", "B2": "es"},
    "node-c": {"C1": "fr", "C2": "es"},
}
NODE_OF = {code: node for node, agencies in HOSTED.items() for code in agencies}
COUNTRY = {code: country for agencies in HOSTED.values() for code, country in agencies.items()}
OWNERS = [*HOSTED["node-a"], *HOSTED["node-b"]]
GROUPS = ("g1", "g2")
SECRETS = {node: base64.b64encode(bytes([65 + n]) * 32).decode() for n, node in enumerate(HOSTED)}
# "user:first" and "user:second" stand for the users of the owner's node's two agencies.
ENTRIES = [
    *(f"agency:{code}" for code in NODE_OF),
    "country:fr",
    "country:es",
    *(f"group:{group}" for group in GROUPS),
    "user:first",
    "user:second",
]


def user_of(agency: str) -> str:
    return f"u-{agency.lower()}"


Drawn = tuple[str, Handling, tuple[str, ...]]
"""A record: its owner, its code and its releasability (user entries resolved)."""

envelopes = st.tuples(
    st.sampled_from(list(Handling)), st.lists(st.sampled_from(ENTRIES), max_size=4, unique=True)
)
worlds = st.fixed_dictionaries(
    {
        # Each node's sharing groups take in agencies of any node.
        "groups": st.fixed_dictionaries(
            {
                node: st.lists(
                    st.tuples(st.sampled_from(GROUPS), st.sampled_from(list(NODE_OF))),
                    unique=True,
                    max_size=5,
                )
                for node in HOSTED
            }
        ),
        "records": st.lists(st.tuples(st.sampled_from(OWNERS), envelopes), min_size=1, max_size=10),
        # Then some records get another envelope at their owner's node: narrowed, widened or both.
        "changes": st.lists(st.tuples(st.integers(0, 9), envelopes), max_size=5),
    }
)


def resolved(owner: str, release: list[str]) -> tuple[str, ...]:
    local = list(HOSTED[NODE_OF[owner]])
    named = {"user:first": f"user:{user_of(local[0])}", "user:second": f"user:{user_of(local[1])}"}
    return tuple(named.get(entry, entry) for entry in release)


# The oracle: the handling rules, spelled out.


def reads_at_home(user: str, agency: str, groups: frozenset[str], record: Drawn) -> bool:
    """Whether a user of `agency`, in `groups` at the record's own node, reads it there."""
    owner, handling, release = record
    if handling in (Handling.CLEAR, Handling.GREEN) or owner == agency:
        return True
    named = {
        Handling.AMBER: {f"agency:{agency}", f"country:{COUNTRY[agency]}", f"user:{user}"}
        | {f"group:{group}" for group in groups},
        Handling.AMBER_STRICT: {f"agency:{agency}"},
        Handling.RED: {f"user:{user}"},
    }[handling]
    return bool(named & set(release))


def admitted_as_peer(agency: str, origin_groups: frozenset[str], record: Drawn) -> bool:
    """Whether the record's node releases it to `agency`, hosted by a peer and put in
    `origin_groups` at the record's node."""
    _owner, handling, release = record
    if handling is Handling.RED:
        return False
    if handling in (Handling.CLEAR, Handling.GREEN):
        return True
    named = {f"agency:{agency}"}
    if handling is Handling.AMBER:
        named |= {f"country:{COUNTRY[agency]}"} | {f"group:{group}" for group in origin_groups}
    return bool(named & set(release))


@dataclass
class World:
    engines: dict[str, Engine]
    clients: dict[str, TestClient]
    settings: dict[str, Settings]

    def transport(self, url: str, headers: dict[str, str]) -> httpx.Response:
        # The signed GET, to the app of the node the URL names: its real route, signatures, nonces.
        parts = urlsplit(url)
        return self.clients[str(parts.hostname)].get(f"{parts.path}?{parts.query}", headers=headers)


@contextmanager
def three_nodes(groups: dict[str, list[tuple[str, str]]]) -> Iterator[World]:
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        engines, clients, configured = {}, {}, {}
        now = dt.datetime.now(dt.UTC)
        for node, agencies in HOSTED.items():
            configured[node] = Settings(
                database_url=f"sqlite:///{Path(folder) / node}.db",
                secret_key=SECRETS[node],
                node_name=node,
                node_url=f"http://{node}",
            )
            engine = engines[node] = store.open_engine(configured[node].database_url)
            stack.callback(engine.dispose)
            store.migrate(engine)
            with Session(engine) as session, session.begin():
                for code, country in agencies.items():
                    store.save_agency(
                        session, Agency(code, f"{code} office", country.upper(), AgencyKind.POLICE)
                    )
                    store.save_user(session, user_of(code), code, Role.ANALYST, None, now)
                for group in GROUPS:
                    session.add(SharingGroupRow(name=group, description="", created_at=now))
        descriptors = {node: nodes.descriptor(engines[node], configured[node]) for node in HOSTED}
        for node in HOSTED:
            for other in HOSTED:
                if other != node:
                    peers.add(engines[node], Identity.operator(), descriptors[other], descriptors[node], now)
            with Session(engines[node]) as session, session.begin():
                for group, agency in groups[node]:
                    store.add_group_member(session, group, agency)
        for node in HOSTED:
            app = create_app(configured[node])  # not entered: no lifespan, so no matching index
            stack.callback(app.state.engine.dispose)
            clients[node] = TestClient(app)
        yield World(engines, clients, configured)


def import_record(world: World, number: int, record: Drawn) -> None:
    owner, handling, release = record
    now = dt.datetime.now(dt.UTC)
    proxy = model.make_entity("Person")
    proxy.id = f"r{number}"
    proxy.add("name", f"Person {number}")
    envelope = Envelope(owner, f"{owner.lower()}_r{number}", handling, "test", now.date(), release)
    import_records(
        world.engines[NODE_OF[owner]],
        [Record(proxy, 1)],
        envelope=envelope,
        title=f"Record {number}",
        kind="ftm",
        source="test",
        now=now,
    )


def sync_all(world: World) -> None:
    """Every node pulls from every peer; each pull brings what its source released to it."""
    for node in HOSTED:
        for source in HOSTED:
            if source != node:
                sync.pull(
                    world.engines[node],
                    Identity.operator(),
                    world.settings[node],
                    source,
                    dt.datetime.now(dt.UTC),
                    get=world.transport,
                )


def check(world: World, groups: dict[str, list[tuple[str, str]]], records: dict[int, Drawn]) -> None:
    member_of = {
        node: {code: frozenset(g for g, member in groups[node] if member == code) for code in NODE_OF}
        for node in HOSTED
    }
    for node, engine in world.engines.items():
        # What the node holds: its own records as imported, and copies narrowed to its admitted agencies.
        expected_held: dict[tuple[str, str], tuple[str, Handling, tuple[str, ...]]] = {}
        for number, record in records.items():
            owner, handling, release = record
            key = (f"{owner.lower()}_r{number}", f"r{number}")
            origin = NODE_OF[owner]
            if origin == node:
                expected_held[key] = (owner, handling, tuple(sorted(release)))
                continue
            admitted = [a for a in HOSTED[node] if admitted_as_peer(a, member_of[origin][a], record)]
            if admitted:
                narrowed = () if handling in (Handling.CLEAR, Handling.GREEN) else admitted
                expected_held[key] = (owner, handling, tuple(sorted(f"agency:{a}" for a in narrowed)))
        identities = {agency: identity_of(engine, user_of(agency)) for agency in HOSTED[node]}
        with Session(engine) as session:  # on SQLite, one transaction at a time: identities first
            held = {
                (stored.envelope.dataset, str(stored.proxy.id)): (
                    stored.envelope.owner_agency,
                    stored.envelope.handling,
                    tuple(sorted(stored.envelope.releasability)),
                )
                for stored in map(stored_entity, session.scalars(select(EntityRow)))
            }
            assert held == expected_held, node
            ids = sorted({entity_id for _dataset, entity_id in held})
            # What each of its users reads.
            for agency in HOSTED[node]:
                user, identity = user_of(agency), identities[agency]
                read = {
                    (stored.envelope.dataset, entity_id)
                    for entity_id, copies in store.entities_by_ids(session, ids, identity).items()
                    for stored in copies
                }
                expected = set()
                for number, record in records.items():
                    owner = record[0]
                    origin = NODE_OF[owner]
                    if (
                        reads_at_home(user, agency, member_of[node][agency], record)
                        if origin == node
                        else admitted_as_peer(agency, member_of[origin][agency], record)
                    ):
                        expected.add((f"{owner.lower()}_r{number}", f"r{number}"))
                assert read == expected, (node, user)


@settings(max_examples=12, deadline=None)
@given(drawn=worlds)
def test_three_nodes_hold_and_read_exactly_what_each_owner_s_rules_release(
    drawn: dict[str, object],
) -> None:
    groups: dict[str, list[tuple[str, str]]] = drawn["groups"]  # type: ignore[assignment]
    listed: list[tuple[str, tuple[Handling, list[str]]]] = drawn["records"]  # type: ignore[assignment]
    changes: list[tuple[int, tuple[Handling, list[str]]]] = drawn["changes"]  # type: ignore[assignment]
    records = {
        number: (owner, handling, resolved(owner, release))
        for number, (owner, (handling, release)) in enumerate(listed)
    }
    with three_nodes(groups) as world, patch.object(sync, "PAGE", 3):
        for number, record in records.items():
            import_record(world, number, record)
        sync_all(world)
        check(world, groups, records)

        for index, (handling, release) in changes:
            number = index % len(records)
            owner = records[number][0]
            records[number] = (owner, handling, resolved(owner, release))
            import_record(world, number, records[number])
        sync_all(world)
        check(world, groups, records)
