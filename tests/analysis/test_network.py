"""Neighbourhoods of a hand-built network: distances, the cut to the nearest nodes, the records
behind a drawing and its Cytoscape.js elements.

Strategy: a chain p1 - c1 - p2 - p3 (ownership, directorship, family) with a hidden associate of
p1 and a phone shared by p1 and p3; each test asks what an analyst would count by hand.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from followthemoney import model
from followthemoney.proxy import EntityProxy

from liaison.analysis import network
from liaison.analysis.network import Hidden


def entity(schema: str, entity_id: str, **props: Any) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for name, value in props.items():
        proxy.add(name, value)
    return proxy


RECORDS = [
    entity("Person", "p1", name="Ivan Sokolov", phone="+33612345678"),
    entity("Company", "c1", name="Nordvale Shipping"),
    entity("Person", "p2", name="Olga Sokolova"),
    entity("Person", "p3", name="Marc Dubois", phone="+33612345678"),
    entity("Ownership", "o1", owner="p1", asset="c1"),
    entity("Directorship", "d1", director="p2", organization="c1"),
    entity("Family", "f1", person="p2", relative="p3"),
    entity("Associate", "a1", person="p1", associate="x1"),
]
HANDLING = {str(proxy.id): "GREEN" for proxy in RECORDS}
GRAPH = network.build_graph(RECORDS, HANDLING, [Hidden("x1", "NCB-ES")])
PHONE = "phone:+33612345678"


def test_distances_count_links_from_the_start() -> None:
    assert network.distances(GRAPH, "p1", 1) == {"p1": 0, "c1": 1, "x1": 1, PHONE: 1}
    # The shared phone brings p3 within two links, ahead of the family tie through p2.
    assert network.distances(GRAPH, "p1", 2) == {"p1": 0, "c1": 1, "x1": 1, PHONE: 1, "p2": 2, "p3": 2}
    with pytest.raises(KeyError):
        network.distances(GRAPH, "nobody", 1)


def test_the_cut_keeps_the_nodes_nearest_the_start() -> None:
    within = network.distances(GRAPH, "p1", 2)
    assert set(network.nearest(GRAPH, within).nodes) == set(within)
    # Of the four: the start, then those one link away by id (c1, phone, x1 sort as text).
    kept = network.nearest(GRAPH, within, limit=3)
    assert sorted(kept.nodes) == ["c1", "p1", PHONE]
    assert kept.number_of_edges() == 2


def test_the_records_behind_a_drawing_are_its_entities_and_relations_only() -> None:
    drawn = network.nearest(GRAPH, network.distances(GRAPH, "p1", 1))
    behind = network.neighbourhood_entities(drawn, RECORDS)
    # p1 and c1 with the ownership and the association; neither the placeholder nor the phone is a record,
    # and the directorship and family tie lie outside the drawing.
    assert [proxy.id for proxy in behind] == ["a1", "c1", "o1", "p1"]


def test_cytoscape_elements_carry_what_the_page_draws_and_never_a_hidden_caption() -> None:
    within = network.distances(GRAPH, "p1", 2)
    elements = network.cytoscape_elements(network.nearest(GRAPH, within), within)
    nodes = {item["data"]["id"]: item["data"] for item in elements["nodes"]}
    assert nodes["p1"] == {"id": "p1", "label": "Ivan Sokolov", "kind": "entity", "schema": "Person",
                           "handling": "GREEN", "hops": 0}  # fmt: skip
    assert nodes["x1"]["kind"] == "hidden" and nodes["x1"]["label"] == "hidden record of NCB-ES"
    assert nodes[PHONE]["kind"] == "value"
    assert [item["data"]["hops"] for item in elements["nodes"]] == sorted(nodes[n]["hops"] for n in nodes)
    edges = {item["data"]["id"]: item["data"] for item in elements["edges"]}
    ownership = edges["c1|p1|o1"]
    assert (ownership["source"], ownership["target"], ownership["schema"]) == ("c1", "p1", "Ownership")
    # Every edge's ends are drawn, and ids are unique, so a browser can merge two answers.
    assert len(edges) == len(elements["edges"]) == 6
    assert all(edge["source"] in nodes and edge["target"] in nodes for edge in edges.values())
    json.dumps(elements)  # plain data, as the page embeds it
