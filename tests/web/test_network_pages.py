"""The network and routes pages through the real app on both backends: neighbours drawn and listed,
hidden records only as placeholders, unreadable starts refused, downloads audited.

Strategy: the ring of tests/test_graph_cli.py (NCB-FR shares it GREEN and keeps the associate x1
AMBER to itself) and a GREEN trip Odesa - Alicante through Moldova; bob of NCB-ES logs in through
the login form and looks around p2, whose association with x1 he may see but x1 he may not.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.api.app import create_app
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access
from liaison.settings import Settings
from tests.test_cli import Cli
from tests.test_graph_cli import RING, SECRET, import_fr
from tests.web.pages import PASSWORD, log_in

NOW = dt.datetime.now(dt.UTC)
TRIP = [
    {"id": "odesa", "schema": "Address", "properties": {"full": ["Odesa"], "country": ["ua"]}},
    {"id": "alicante", "schema": "Address", "properties": {"full": ["Alicante"], "country": ["es"]}},
    {
        "id": "t1",
        "schema": "Trip",
        "properties": {
            "name": ["Minibus Odesa - Alicante"],
            "startLocation": ["odesa"],
            "endLocation": ["alicante"],
            "country": ["md", "ro"],
        },
    },
]


@pytest.fixture
def client(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with Session(engine) as session, session.begin():
        for code, country in (("NCB-FR", "FR"), ("NCB-ES", "ES")):
            store.save_agency(session, Agency(code=code, name=code, country=country, kind=AgencyKind.NCB))
    for name, agency in (("alice", "NCB-FR"), ("bob", "NCB-ES")):
        access.add_user(engine, Identity.operator(), name, agency, Role.ANALYST, NOW, password=PASSWORD)
    import_fr(
        Cli(database_url),
        tmp_path,
        ("ring", RING, "GREEN"),
        ("secret", SECRET, "AMBER"),
        ("trips", TRIP, "GREEN"),
    )
    settings = Settings(database_url=database_url, cookie_secure=False)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_graph_json_gives_neighbours_and_placeholders_never_hidden_content(client: TestClient) -> None:
    assert client.get("/app/network/graph.json?entity=p2", follow_redirects=False).status_code == 303
    assert log_in(client, "bob") == 303
    answer = client.get("/app/network/graph.json", params={"entity": "p2", "hops": 1})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    body = answer.json()
    nodes = {item["data"]["id"]: item["data"] for item in body["elements"]["nodes"]}
    assert set(nodes) == {"p2", "p1", "x1"}
    assert (nodes["p1"]["label"], nodes["p1"]["kind"], nodes["p1"]["handling"]) == (
        "Ivan Sokolov",
        "entity",
        "GREEN",
    )
    assert nodes["x1"] == {
        "id": "x1",
        "label": "hidden record of NCB-FR",
        "kind": "hidden",
        "schema": "",
        "handling": "",
        "hops": 1,
    }
    assert "Informant Seven" not in answer.text
    links = {(item["data"]["source"], item["data"]["target"]) for item in body["elements"]["edges"]}
    assert links == {("p1", "p2"), ("p2", "x1")}
    assert (body["start"], body["cut"], body["nodes"], body["links"]) == ("p2", False, 3, 2)

    # Two hops reach the company and the shared phone through p1.
    wider = client.get("/app/network/graph.json", params={"entity": "p2", "hops": 2}).json()
    assert {item["data"]["id"] for item in wider["elements"]["nodes"]} >= {"c1", "phone:+33612345678"}

    for unreadable in ("x1", "nobody"):
        assert client.get("/app/network/graph.json", params={"entity": unreadable}).status_code == 404
    assert client.get("/app/network/graph.json", params={"entity": "p2", "hops": 4}).status_code == 422

    assert log_in(client, "alice") == 303  # the owner reads her own associate
    mine = client.get("/app/network/graph.json", params={"entity": "x1", "hops": 1}).json()
    assert {item["data"]["label"] for item in mine["elements"]["nodes"]} == {
        "Informant Seven",
        "Olga Sokolova",
    }


def test_the_network_page_draws_lists_and_exports(client: TestClient, engine: Engine) -> None:
    assert log_in(client, "bob") == 303
    empty = client.get("/app/network")
    assert empty.status_code == 200 and 'name="entity"' in empty.text and 'id="graph"' not in empty.text

    page = client.get("/app/network", params={"entity": "p2", "hops": 2, "purpose": "case 118"})
    assert page.status_code == 200
    text = page.text
    assert '<div id="graph"' in text
    assert text.index("/app/static/vendor/cytoscape.min.js") < text.index("/app/static/network.js")
    assert '<a href="/app/entities/p1">Ivan Sokolov</a>' in text
    assert "hidden record of NCB-FR" in text and "Informant Seven" not in text
    assert re.search(r'<tbody id="node-rows">(.*?)</tbody>', text, re.S).group(1).count("<tr") == 5  # type: ignore[union-attr]
    data = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', text, re.S)
    assert data is not None and json.loads(data.group(1))["nodes"] == 5

    assert client.get("/app/network", params={"entity": "x1"}).status_code == 404

    download = client.get(
        "/app/network/export", params={"entity": "p2", "hops": 1, "format": "ftm", "purpose": "case 118"}
    )
    assert download.status_code == 200
    assert download.headers["content-disposition"] == 'attachment; filename="network-p2-1.ftm.json"'
    assert [json.loads(line)["id"] for line in download.text.splitlines()] == ["a1", "f1", "p1", "p2"]
    gexf = client.get("/app/network/export", params={"entity": "p2", "format": "gexf"})
    assert "<gexf" in gexf.text and "Informant Seven" not in gexf.text
    assert client.get("/app/network/export", params={"entity": "p2", "format": "pdf"}).status_code == 422

    with Session(engine) as session:
        trail = [chained.event for chained in store.iter_events(session) if chained.event.actor == "bob"]
    exports = [
        (event.subject, event.detail["format"], event.purpose) for event in trail if event.action == "export"
    ]
    assert exports == [("entity:p2", "ftm", "case 118"), ("entity:p2", "gexf", "")]
    assert ("graph", "entity:p2", "case 118") in {
        (event.action, event.subject, event.purpose) for event in trail
    }


def test_the_routes_page_lists_flows_hotspots_and_maps_them(client: TestClient) -> None:
    assert log_in(client, "bob") == 303
    page = client.get("/app/routes")
    assert page.status_code == 200
    flows = re.search(r'<table id="flows".*?<tbody>(.*?)</tbody>', page.text, re.S)
    assert flows is not None
    row = re.sub(r"\s+", " ", flows.group(1))
    assert "Ukraine (UA)" in row and "Moldova" in row and "Romania (RO)" in row and "Spain (ES)" in row
    assert '<a href="/app/entities/t1">Minibus Odesa - Alicante</a>' in row
    hotspots = re.search(r'<table id="hotspots".*?<tbody>(.*?)</tbody>', page.text, re.S)
    assert hotspots is not None and hotspots.group(1).count("<tr>") == 4
    # The map: three legs drawn as paths with arrows, four countries as circles.
    assert page.text.count('marker-end="url(#arrow)"') == 3 and page.text.count("<circle") == 4
    assert "http" not in re.search(r"<svg.*?</svg>", page.text, re.S).group(0).replace(  # type: ignore[union-attr]
        "http://www.w3.org", ""
    )
    assert client.get("/app/routes", params={"dataset": "nowhere"}).status_code == 404


MEMBERS = [
    {"id": "z-youssef", "schema": "Person", "properties": {"name": ["Youssef EL AMRANI"]}},
    {"id": "a-petrenko", "schema": "Organization", "properties": {"name": ["Petrenko network"]}},
    {
        "id": "m1",
        "schema": "Membership",
        "properties": {"member": ["z-youssef"], "organization": ["a-petrenko"]},
    },
]


def test_a_member_belongs_to_the_network_on_every_page_that_shows_the_link(
    client: TestClient, database_url: str, tmp_path: Path
) -> None:
    # The organisation's id sorts first, as in the demo world, where the links read backwards.
    import_fr(Cli(database_url), tmp_path, ("members", MEMBERS, "GREEN"))
    assert log_in(client, "bob") == 303
    for start in ("a-petrenko", "z-youssef"):
        body = client.get("/app/network/graph.json", params={"entity": start}).json()
        [edge] = [item["data"] for item in body["elements"]["edges"]]
        assert (edge["source"], edge["label"], edge["target"], edge["directed"]) == (
            "z-youssef",
            "belongs to",
            "a-petrenko",
            True,
        )
        page = client.get("/app/network", params={"entity": start})
        links = re.search(r'<tbody id="link-rows">(.*?)</tbody>', page.text, re.S)
        assert links is not None
        assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", links.group(1))).strip() == (
            "Youssef EL AMRANI belongs to Petrenko network"
        )
        entity_page = client.get(f"/app/entities/{start}")
        [relation] = re.findall(r'<li class="relation">(.*?)</li>', entity_page.text, re.S)
        assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", relation)).strip() == (
            "Youssef EL AMRANI belongs to Petrenko network"
        )
