"""Neighbourhoods and their exports through the access path, on both backends, and audited.

Strategy: the ring of tests/test_graph_cli.py (NCB-FR shares it GREEN, keeps an associate AMBER to
itself) plus a record in another dataset that the ring points to; bob of NCB-ES explores around
p2 and exports it in every format. Placeholders must never carry a hidden record's content, and
every export must be in the trail beside the read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from liaison import store
from liaison.errors import BadInput, NotFound
from liaison.services.accounts import access
from liaison.services.analysis import graph
from liaison.store import open_engine
from tests.test_access_cli import two_agencies
from tests.test_cli import Cli
from tests.test_graph_cli import RING, SECRET, import_fr

NOW = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
VESSEL = [{"id": "v1", "schema": "Vessel", "properties": {"name": ["Kestrel Dawn"], "owner": ["c1"]}}]


@pytest.fixture
def world(database_url: str, tmp_path: Path) -> Cli:
    runner = two_agencies(database_url)
    import_fr(
        runner, tmp_path, ("ring", RING, "GREEN"), ("secret", SECRET, "AMBER"), ("fleet", VESSEL, "GREEN")
    )
    return runner


def test_a_neighbourhood_is_drawn_from_the_entitys_datasets_and_cut_to_the_nearest(
    world: Cli, database_url: str
) -> None:
    engine = open_engine(database_url)
    bob = access.identity_of(engine, "bob")
    found = graph.neighbourhood(engine, bob, NOW, "p2", 2, purpose="case 118")
    # p2's own dataset first, then the small ones beside it; fr_secret is not one bob may know of.
    assert found.datasets == ("fr_ring", "fr_fleet")
    kinds = {node: found.graph.nodes[node]["kind"] for node in found.graph.nodes}
    # x1 (another dataset, hidden from bob) is a placeholder; p3 is three links away
    # (p2 - p1 - phone - p3), so two hops stop at the phone.
    assert kinds == {
        "p2": "entity",
        "p1": "entity",
        "x1": "hidden",
        "c1": "entity",
        "phone:+33612345678": "value",
    }
    assert found.graph.nodes["x1"]["label"] == "hidden record of NCB-FR"
    assert "Informant Seven" not in json.dumps(dict(found.graph.nodes(data=True)))
    assert not found.cut and found.total == 5
    # The readable behind the drawing: people, company, family tie, ownership and the association to x1.
    assert sorted(str(proxy.id) for proxy in found.entities) == ["a1", "c1", "f1", "o1", "p1", "p2"]

    three = graph.neighbourhood(engine, bob, NOW, "p2", 3, limit=4)
    # The vessel in fr_fleet points at c1: three links from p2, within reach but cut with p3.
    assert three.within["v1"] == 3 and three.total == 7
    assert three.cut and sorted(three.graph.nodes) == ["c1", "p1", "p2", "x1"]
    # Only its own dataset: the vessel's link to c1 is followed into the ring, and no further.
    assert set(graph.neighbourhood(engine, bob, NOW, "v1", 2, ["fr_fleet"]).graph.nodes) == {"v1", "c1"}
    assert "p1" in graph.neighbourhood(engine, bob, NOW, "v1", 2).graph

    for unreadable in ("x1", "nobody"):
        with pytest.raises(NotFound):
            graph.neighbourhood(engine, bob, NOW, unreadable, 1)
    with pytest.raises(BadInput, match="link"):
        graph.neighbourhood(engine, bob, NOW, "o1", 1)
    # Named datasets may start from a placeholder, as `liaison graph expand` always could.
    around = graph.neighbourhood(engine, bob, NOW, "x1", 1, ["fr_ring"])
    assert set(around.graph.nodes) == {"x1", "p2"} and around.entities[0].id == "a1"
    with Session(engine) as session:
        looks = [chained.event for chained in store.iter_events(session) if chained.event.action == "graph"]
    # Looks that found nothing are in the trail too, as reads of entities are.
    failed = {event.subject for event in looks if event.detail.get("found") is False}
    assert failed == {"entity:x1", "entity:nobody"}
    engine.dispose()


def test_exports_write_every_format_and_are_audited(world: Cli, database_url: str) -> None:
    engine = open_engine(database_url)
    bob = access.identity_of(engine, "bob")
    found = graph.neighbourhood(engine, bob, NOW, "p2", 2, purpose="case 118")
    written: dict[str, str] = {}
    for output_format in graph.FORMATS:
        handle = io.BytesIO()
        count = graph.export(engine, bob, NOW, found, output_format, handle, purpose="case 118")
        written[output_format] = handle.getvalue().decode()
        assert count == (6 if output_format == "ftm" else 5)
    lines = [json.loads(line) for line in written["ftm"].splitlines()]
    assert [line["id"] for line in lines] == ["a1", "c1", "f1", "o1", "p1", "p2"]
    assert lines[4]["properties"]["name"] == ["Ivan Sokolov"]
    rows = list(csv.reader(io.StringIO(written["i2"])))
    assert rows[0][0] == "Entity1 Id" and len(rows) == 1 + found.graph.number_of_edges() == 1 + 4
    assert "<gexf" in written["gexf"] and "graphml" in written["graphml"]
    for text in written.values():
        assert "Informant Seven" not in text
    with pytest.raises(BadInput):
        graph.export(engine, bob, NOW, found, "pdf", io.BytesIO())

    with Session(engine) as session:
        trail = [chained.event for chained in store.iter_events(session) if chained.event.actor == "bob"]
    reads = [event for event in trail if event.action == "graph"]
    exports = [event for event in trail if event.action == "export"]
    assert reads[0].subject == "entity:p2" and reads[0].detail["hops"] == 2
    assert [event.detail["format"] for event in exports] == list(graph.FORMATS)
    assert {(event.subject, event.purpose) for event in exports} == {("entity:p2", "case 118")}
    engine.dispose()


def test_the_cli_writes_the_records_of_a_neighbourhood_as_ftm(world: Cli) -> None:
    output = world(
        "--as", "bob", "--purpose", "case 118", "graph", "expand", "p2", "--hops", "1", "--format", "ftm"
    )
    # p2's family tie to p1 and its association to the hidden x1, and the two people: never x1 itself.
    assert [json.loads(line)["id"] for line in output.splitlines()] == ["a1", "f1", "p1", "p2"]
    trail = [json.loads(line) for line in world("audit", "export").splitlines() if line]
    assert ("bob", "export", "entity:p2") in {(e["actor"], e["action"], e["object"]) for e in trail}


def test_the_cli_lists_routes_and_hotspots_and_audits_them(world: Cli, tmp_path: Path) -> None:
    trip = [
        {"id": "odesa", "schema": "Address", "properties": {"full": ["Odesa"], "country": ["ua"]}},
        {"id": "alicante", "schema": "Address", "properties": {"full": ["Alicante"], "country": ["es"]}},
        {
            "id": "t1",
            "schema": "Trip",
            "properties": {
                "name": ["Minibus"],
                "startLocation": ["odesa"],
                "endLocation": ["alicante"],
                "country": ["md"],
            },
        },
    ]
    path = tmp_path / "trips.ftm.json"
    path.write_text("\n".join(json.dumps(row) for row in trip))
    world("import", "ftm", str(path), "--dataset", "fr_trips", "--agency", "NCB-FR", "--handling", "AMBER")
    mine = world("--as", "alice", "--purpose", "case 118", "graph", "routes")
    assert all(code in mine for code in ("UA", "MD", "ES"))
    # The trip is AMBER and NCB-FR's own: bob sees no route and no hotspot.
    assert "UA" not in world("--as", "bob", "graph", "routes")
    trail = [json.loads(line) for line in world("audit", "export").splitlines() if line]
    routes = [(e["actor"], e["purpose"], e["detail"]["records"]) for e in trail if e["action"] == "routes"]
    assert ("alice", "case 118", 1) in routes


def test_a_neighbourhood_in_a_large_dataset_walks_the_reference_index_both_ways(
    world: Cli, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every dataset counts as large: nothing is read whole, all comes through the index.
    monkeypatch.setattr(graph, "NEARBY", 0)
    engine = open_engine(database_url)
    bob = access.identity_of(engine, "bob")
    two = graph.neighbourhood(engine, bob, NOW, "p2", 2)
    kinds = {node: two.graph.nodes[node]["kind"] for node in two.graph.nodes}
    # The phone p1 shares with p3 is no node: p3 is out of reach, and values are not indexed.
    assert kinds == {"p2": "entity", "p1": "entity", "x1": "hidden", "c1": "entity"}
    assert "Informant Seven" not in json.dumps(dict(two.graph.nodes(data=True)))
    # The vessel names c1 as its owner: found by what points at c1, from another dataset.
    assert graph.neighbourhood(engine, bob, NOW, "p2", 3).within["v1"] == 3
    engine.dispose()
