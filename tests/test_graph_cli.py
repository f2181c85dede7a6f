"""Networks end to end on both backends: built from relations and shared values through the
access path, hidden ends shown only as placeholders, and exported for Gephi, GraphML and i2.

Strategy: NCB-FR shares a small ring as GREEN (two people, their company, a family tie, a shared
phone) and keeps one associate AMBER to itself; bob of NCB-ES explores it and must see the
associate only as a placeholder naming NCB-FR, while alice sees everything.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.test_access_cli import two_agencies
from tests.test_cli import Cli

RING = [
    {"id": "p1", "schema": "Person", "properties": {"name": ["Ivan Sokolov"], "phone": ["+33612345678"]}},
    {"id": "p2", "schema": "Person", "properties": {"name": ["Olga Sokolova"]}},
    {"id": "p3", "schema": "Person", "properties": {"name": ["Marc Dubois"], "phone": ["+33612345678"]}},
    {"id": "c1", "schema": "Company", "properties": {"name": ["Nordvale Shipping"]}},
    {"id": "o1", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["c1"]}},
    {
        "id": "f1",
        "schema": "Family",
        "properties": {"person": ["p1"], "relative": ["p2"], "relationship": ["wife"]},
    },
    {"id": "a1", "schema": "Associate", "properties": {"person": ["p2"], "associate": ["x1"]}},
]
SECRET = [{"id": "x1", "schema": "Person", "properties": {"name": ["Informant Seven"]}}]


def import_fr(runner: Cli, folder: Path, *datasets: tuple[str, list[dict[str, object]], str]) -> None:
    """Import each (name, rows, handling) as NCB-FR's dataset `fr_<name>`."""
    for name, rows, handling in datasets:
        path = folder / f"{name}.ftm.json"
        path.write_text("\n".join(json.dumps(row) for row in rows))
        runner(
            "import",
            "ftm",
            str(path),
            "--dataset",
            f"fr_{name}",
            "--agency",
            "NCB-FR",
            "--handling",
            handling,
        )


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    runner = two_agencies(database_url)
    import_fr(runner, tmp_path, ("ring", RING, "GREEN"), ("secret", SECRET, "AMBER"))
    return runner


def nodes(cli: Cli, user: str, *args: str) -> dict[str, list[str]]:
    graphml = cli("--as", user, "--purpose", "case 118", "graph", "expand", *args, "--format", "graphml")
    root = ET.fromstring(graphml)
    space = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = {key.get("id"): key.get("attr.name") for key in root.findall("g:key", space)}
    found = {}
    for node in root.iter("{http://graphml.graphdrawing.org/xmlns}node"):
        data = {keys[item.get("key")]: item.text or "" for item in node.findall("g:data", space)}
        found[str(node.get("id"))] = [data.get("kind", ""), data.get("label", "")]
    return found


def test_the_network_follows_relations_shared_values_and_access(cli: Cli) -> None:
    seen_by_alice = nodes(cli, "alice", "p1", "--hops", "3")
    assert {"p1", "p2", "p3", "c1", "x1", "phone:+33612345678"} <= set(seen_by_alice)
    assert seen_by_alice["x1"] == ["entity", "Informant Seven"]
    seen_by_bob = nodes(cli, "bob", "p1", "--hops", "3")
    assert seen_by_bob["x1"] == ["hidden", "hidden record of NCB-FR"]
    assert "Informant Seven" not in json.dumps(seen_by_bob)

    path = cli("--as", "bob", "graph", "path", "c1", "p3")
    assert path.index("c1") < path.index("p1") < path.index("+33612345678") < path.index("p3")
    cli("--as", "bob", "graph", "path", "c1", "nowhere", code=4)
    central = cli("--as", "bob", "graph", "central", "--top", "1")
    assert "p1" in central and "betweenness exact" in central
    assert "p1" in cli("--as", "bob", "graph", "connectors", "--first", "c1", "--second", "p2")

    rows = list(csv.reader(io.StringIO(cli("--as", "bob", "graph", "expand", "p1", "--format", "i2"))))
    assert rows[0][:3] == ["Entity1 Id", "Entity1 Type", "Entity1 Label"]
    assert any(row[0] == "c1" or row[4] == "c1" for row in rows[1:])
    gexf = cli("--as", "bob", "graph", "expand", "p1", "--format", "gexf")
    assert "<gexf" in gexf and "Nordvale Shipping" in gexf
    # A placeholder can be expanded (its readable neighbours are his anyway) but stays a placeholder.
    around_secret = nodes(cli, "bob", "x1", "--hops", "1")
    assert around_secret["x1"][0] == "hidden" and set(around_secret) == {"x1", "p2"}
    cli("--as", "bob", "graph", "expand", "nobody", code=4)

    trail = [json.loads(line) for line in cli("audit", "export").splitlines() if line]
    graphs = [(e["actor"], e["purpose"]) for e in trail if e["action"] == "graph"]
    assert ("alice", "case 118") in graphs and ("bob", "case 118") in graphs
