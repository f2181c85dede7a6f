"""An attacker's view of federation: a peer that lies, loops or relays, and names that collide.

Strategy: the three in-process nodes of `test_sync_property` (each its own SQLite store and app,
peered with the others). A hostile source is a transport that answers with pages it makes up,
signed with that source's real key, so only the receiver's checks stand between them and the
store; a hostile peer relaying another's signed request is that request sent to a third node.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind, rule
from liaison.access.node_requests import NONCE, SIGNATURE, sign_request
from liaison.errors import BadInput, Conflict, Forbidden
from liaison.model import Handling, Identity
from liaison.model.node import NodeDescriptor, check_node_name, parse_descriptor
from liaison.services.accounts.access import identity_of
from liaison.services.federation import nodes, peers, sync
from liaison.services.screening import travel_documents
from liaison.services.sharing import retention
from liaison.store import peers as peer_store
from liaison.store.tables import AuditEventRow, EntityRow
from tests.federation.test_sync_property import World, import_record, three_nodes

NOW = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)
TARGET = f"{sync.RECORDS_PATH}?after_dataset=&after_id="


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with three_nodes({node: [] for node in ("node-a", "node-b", "node-c")}) as made:
        yield made


def _record(**changes: Any) -> dict[str, Any]:
    record = {
        "dataset": "b1_ds",
        "title": "B1's",
        "owner_agency": "B1",
        "handling": "AMBER",
        "releasability": ["agency:A1"],
        "purpose": "test",
        "review": "2030-01-01",
        "entity": {"id": "x1", "schema": "Person", "properties": {"name": ["X"]}},
    }
    record.update(changes)
    return record


def _hostile(world: World, source: str, pages: Callable[[int], dict[str, Any]]) -> sync.Transport:
    """A transport answering as `source` (signed with its key) with the pages `pages` makes."""
    calls = iter(range(100))

    def get(_url: str, headers: dict[str, str]) -> httpx.Response:
        call = next(calls, None)
        assert call is not None, "the pull kept asking: it never ends"
        body = orjson.dumps(pages(call))
        signature = sync.signed_answer(world.settings[source], headers[NONCE], 200, body)
        return httpx.Response(200, content=body, headers={SIGNATURE: signature})

    return get


def _pull_from_b(world: World, get: sync.Transport) -> sync.Pulled:
    return sync.pull(
        world.engines["node-a"], Identity.operator(), world.settings["node-a"], "node-b", NOW, get=get
    )


def _held_at_a(world: World) -> set[str]:
    with Session(world.engines["node-a"]) as session:
        return set(session.scalars(select(EntityRow.id)))


@pytest.mark.parametrize(
    ("record", "refused"),
    [
        (_record(owner_agency="C1", dataset="c1_ds"), "is not an agency node-b hosts"),
        (_record(owner_agency="A1", dataset="a1_ds"), "is not an agency node-b hosts"),
        (_record(handling="RED"), "RED never leaves its node"),
        (_record(releasability=["agency:C1"]), "only agencies this node hosts"),
        (_record(releasability=["country:fr"]), "only agencies this node hosts"),
        (_record(releasability=["user:u-a1"]), "only agencies this node hosts"),
        (_record(dataset="a1_ds"), "is not a dataset name|namespace"),
        (_record(dataset="../b1_ds"), "is not a dataset name"),
        (_record(entity={"id": "x1", "schema": "Nope", "properties": {}}), "is not an FtM schema"),
    ],
)
def test_a_peer_s_lies_refuse_the_whole_pull(world: World, record: dict[str, Any], refused: str) -> None:
    good = _record(entity={"id": "good", "schema": "Person", "properties": {"name": ["G"]}})
    get = _hostile(world, "node-b", lambda _call: {"records": [good, record], "next": None})
    with pytest.raises(BadInput, match=refused):
        _pull_from_b(world, get)
    assert "good" not in _held_at_a(world)


def test_a_list_its_node_named_freely_crosses_as_it_is_named(world: World) -> None:
    # An operator imports public lists under names of their choosing (the demo's `un_sc` of
    # GS-LYON): the copy keeps the name, which no agency here holds or has in its namespace.
    listed = _record(
        dataset="un_sc", entity={"id": "un-1", "schema": "Person", "properties": {"name": ["U"]}}
    )
    get = _hostile(world, "node-b", lambda _call: {"records": [listed], "next": None})
    assert _pull_from_b(world, get).received == 1
    assert "un-1" in _held_at_a(world)


def test_a_cursor_that_moves_but_brings_nothing_ends_the_pull(world: World) -> None:
    # Each page empty, each `next` further on: without a check the pull never ends.
    get = _hostile(world, "node-b", lambda call: {"records": [], "next": ["b1_ds", f"{call:06}"]})
    with pytest.raises(BadInput, match="next"):
        _pull_from_b(world, get)


def test_a_cursor_that_loops_is_refused(world: World) -> None:
    get = _hostile(world, "node-b", lambda _call: {"records": [_record()], "next": ["b1_ds", "x1"]})
    with pytest.raises(BadInput, match="does not move forward"):
        _pull_from_b(world, get)


def test_a_page_longer_than_a_page_is_refused(world: World) -> None:
    many = [
        _record(entity={"id": f"m{n}", "schema": "Person", "properties": {"name": ["M"]}})
        for n in range(sync.PAGE + 1)
    ]
    get = _hostile(world, "node-b", lambda _call: {"records": many, "next": None})
    with pytest.raises(BadInput, match="at most"):
        _pull_from_b(world, get)
    assert not _held_at_a(world) & {f"m{n}" for n in range(sync.PAGE + 1)}


def test_a_request_signed_for_one_node_is_refused_by_another(world: World) -> None:
    # node-c is a peer of node-b; it takes a request node-b signed when pulling from it and
    # sends it on to node-a, which would answer with what it releases to node-b.
    key = nodes.node_key(world.settings["node-b"])
    relayed = sign_request(key, "node-b", "GET", TARGET, b"", dt.datetime.now(dt.UTC), to="node-c")
    answer = world.clients["node-a"].get(TARGET, headers=relayed)
    assert answer.status_code == 401 and "for a request to node-a" in answer.json()["detail"]
    meant = sign_request(key, "node-b", "GET", TARGET, b"", dt.datetime.now(dt.UTC), to="node-a")
    assert world.clients["node-a"].get(TARGET, headers=meant).status_code == 200


@pytest.mark.parametrize("name", ["status", "preview", "pull"])
def test_a_node_may_not_be_named_like_a_sync_command(name: str) -> None:
    with pytest.raises(BadInput, match="reserved"):
        check_node_name(name, "descriptor")
    descriptor = NodeDescriptor(name, "http://x", "a" * 43 + "=", ()).as_json()
    with pytest.raises(BadInput, match="`liaison sync"):
        parse_descriptor(descriptor, "descriptor")
    check_node_name(f"{name}-1", "descriptor")


def test_a_descriptor_claiming_an_agency_hosted_here_or_by_another_peer_is_refused(world: World) -> None:
    base = nodes.descriptor(world.engines["node-c"], world.settings["node-c"])
    own = nodes.descriptor(world.engines["node-a"], world.settings["node-a"])
    for code, refused in (("A1", "hosted by this node"), ("B1", "hosted by the peer 'node-b'")):
        claimed = parse_descriptor(
            {
                **base.as_json(),
                "agencies": [*base.as_json()["agencies"], {**base.as_json()["agencies"][0], "code": code}],
            },
            "descriptor",
        )
        with pytest.raises(Conflict, match=refused):
            peers.add(world.engines["node-a"], Identity.operator(), claimed, own, NOW)


def test_a_peer_that_no_longer_hosts_an_agency_takes_its_copies_with_it() -> None:
    with three_nodes({node: [] for node in ("node-a", "node-b", "node-c")}) as fresh:
        import_record(fresh, 0, ("B2", Handling.GREEN, ()))
        import_record(fresh, 1, ("B1", Handling.GREEN, ()))
        now = dt.datetime.now(dt.UTC)
        at_a = (fresh.engines["node-a"], Identity.operator(), fresh.settings["node-a"], "node-b")
        assert sync.pull(*at_a, now, get=fresh.transport).received == 2
        # node-b's admin hands an update: B2 has moved off it (to node-c, say).
        before = nodes.descriptor(fresh.engines["node-b"], fresh.settings["node-b"])
        fewer = replace(before, agencies=tuple(a for a in before.agencies if a.code != "B2"))
        own = nodes.descriptor(fresh.engines["node-a"], fresh.settings["node-a"])
        peers.add(fresh.engines["node-a"], Identity.operator(), fewer, own, now)
        with Session(fresh.engines["node-a"]) as session:
            assert dict(session.execute(select(EntityRow.id, EntityRow.owner_agency)).all()) == {"r1": "B1"}
            assert peer_store.hosts_of(session, ["B1", "B2"]) == {"B1": "node-b"}
            [*_, added] = session.scalars(select(AuditEventRow).where(AuditEventRow.action == "peer.add"))
            assert added.detail["withdrawn"] == 1


def test_a_peer_identity_reads_records_and_nothing_else_and_only_the_operator_keeps_peers(
    world: World,
) -> None:
    peer = Identity.peer("node-b", "B1", "fr", frozenset({"g1"}))
    for action in Action:
        for kind in Kind:
            granted = bool(rule(peer, action, kind))
            assert granted is ((action, kind) == (Action.READ, Kind.RECORD)), (action, kind)
    member = identity_of(world.engines["node-a"], "u-a1")
    engine, own = world.engines["node-a"], nodes.descriptor(world.engines["node-a"], world.settings["node-a"])
    other = nodes.descriptor(world.engines["node-c"], world.settings["node-c"])
    for who in (peer, member, Identity.public()):
        with pytest.raises(Forbidden):
            sync.pull(engine, who, world.settings["node-a"], "node-b", NOW, get=world.transport)
        with pytest.raises(Forbidden):
            peers.preview(engine, who, "node-b", NOW)
        with pytest.raises(Forbidden):
            peers.add(engine, who, other, own, NOW)
        with pytest.raises(Forbidden):
            peers.remove(engine, who, "node-b", NOW)
        with pytest.raises(Forbidden):
            peers.list_peers(engine, who)


def test_a_relayed_request_is_audited_as_refused(world: World) -> None:
    key = nodes.node_key(world.settings["node-b"])
    relayed = sign_request(key, "node-b", "GET", TARGET, b"", dt.datetime.now(dt.UTC), to="node-c")
    assert world.clients["node-a"].get(TARGET, headers=relayed).status_code == 401
    with Session(world.engines["node-a"]) as session:
        [*_, refused] = session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "sync.refused").order_by(AuditEventRow.seq)
        )
        assert refused.detail["node"] == "node-b"
        assert "for a request to node-a" in str(refused.detail["reason"])


def test_an_answer_longer_than_a_page_may_be_is_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real transport, against a server that never stops sending.
    class Endless(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header(SIGNATURE, "x")
            self.end_headers()
            with contextlib.suppress(OSError):
                for _ in range(1_000):
                    self.wfile.write(b" " * 10_000)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(sync, "MAX_PAGE_BYTES", 100_000)
    try:
        with pytest.raises(BadInput, match="longer than 100,000 bytes"):
            sync._get(f"http://127.0.0.1:{server.server_port}{TARGET}", {})
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "read",
    [
        lambda engine, who: travel_documents.list_reports(engine, who, mine=False),
        lambda engine, who: retention.due(engine, who, dt.date(2030, 1, 1)),
    ],
    ids=["document register", "retention review"],
)
def test_a_peer_identity_reads_nothing_but_the_records_sent_it(
    engine: Engine, read: Callable[[Engine, Identity], object]
) -> None:
    # Reads that let any signed-in caller through must not take a peer for a member.
    with pytest.raises(Forbidden):
        read(engine, Identity.peer("node-b", "B1", "es"))
