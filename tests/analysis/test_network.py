"""Neighbourhoods of a hand-built network: distances, the cut to the nearest nodes, the records
behind a drawing and its Cytoscape.js elements.

Strategy: a chain p1 - c1 - p2 - p3 (ownership, directorship, family) with a hidden associate of
p1 and a phone shared by p1 and p3; each test asks what an analyst would count by hand.
Centrality is checked against networkx over the whole graph (the oracle, on random graphs of
many components, seed fixed), and its sampled path on two rings joined through one broker.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
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
    assert nodes["p1"] == {
        "id": "p1",
        "label": "Ivan Sokolov",
        "kind": "entity",
        "schema": "Person",
        "handling": "GREEN",
        "hops": 0,
    }
    assert nodes["x1"]["kind"] == "hidden" and nodes["x1"]["label"] == "hidden record of NCB-ES"
    assert nodes[PHONE]["kind"] == "value"
    assert [item["data"]["hops"] for item in elements["nodes"]] == sorted(nodes[n]["hops"] for n in nodes)
    edges = {item["data"]["id"]: item["data"] for item in elements["edges"]}
    ownership = edges["c1|p1|o1"]
    # The owner owns the asset: the link reads p1 -> c1, though its id puts c1 first.
    assert (ownership["source"], ownership["target"], ownership["schema"]) == ("p1", "c1", "Ownership")
    # Every edge's ends are drawn, and ids are unique, so a browser can merge two answers.
    assert len(edges) == len(elements["edges"]) == 6
    assert all(edge["source"] in nodes and edge["target"] in nodes for edge in edges.values())
    json.dumps(elements)  # plain data, as the page embeds it


def random_network(seed: int, nodes: int = 120, links: int = 110) -> network.Network:
    """A sparse random graph of entities, so of many components, a few with cycles and parallel links."""
    rng = random.Random(seed)
    graph: network.Network = nx.MultiGraph()
    graph.add_nodes_from((f"n{number}", {"kind": "entity"}) for number in range(nodes))
    for _ in range(links):
        graph.add_edge(f"n{rng.randrange(nodes)}", f"n{rng.randrange(nodes)}")
    return graph


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exact_centrality_is_networkx_betweenness_over_the_whole_graph(seed: int) -> None:
    graph = random_network(seed)
    ranking = network.centrality(graph, top=len(graph))
    assert not ranking.sampled
    oracle = nx.betweenness_centrality(nx.Graph(graph))
    assert len(ranking.ranked) == len(graph)
    for node, degree, between in ranking.ranked:
        assert between == pytest.approx(oracle[node], abs=1e-12)
        assert degree == graph.degree(node)
    scores = [between for _node, _degree, between in ranking.ranked]
    assert scores == sorted(scores, reverse=True)


def brokered_rings(size: int = 60, every: int = 6, alone: int = 200) -> network.Network:
    """Two rings of `size` entities and the broker b, linked to every `every`th of each: the
    shortcut nearly every path between two ring members takes. As in the demo world, most
    records (`alone` of them) link to nothing."""
    graph: network.Network = nx.MultiGraph()
    graph.add_nodes_from((f"x{number}" for number in range(alone)), kind="entity")
    graph.add_node("b", kind="entity")
    for ring in ("r", "s"):
        names = [f"{ring}{number}" for number in range(size)]
        graph.add_nodes_from(names, kind="entity")
        graph.add_edges_from(zip(names, names[1:] + names[:1], strict=True))
        graph.add_edges_from(("b", name) for name in names[::every])
    return graph


def test_sampled_centrality_still_ranks_the_broker_first_and_the_same_every_time() -> None:
    graph = brokered_rings()
    exact = network.centrality(graph, top=3)
    assert not exact.sampled and exact.ranked[0][:2] == ("b", 20)
    ranking = network.centrality(graph, top=3, visits=3_000)
    # 121 nodes and 140 links: a source costs 261 visits, so 3,000 buy 11 sources of the 121.
    assert ranking.sampled and (ranking.sources, ranking.walkable) == (11, 121)
    assert ranking.ranked[0][:2] == ("b", 20)
    assert ranking.ranked[0][2] == pytest.approx(exact.ranked[0][2], rel=0.05)
    assert ranking == network.centrality(graph, top=3, visits=3_000)


def test_sampled_centrality_does_not_depend_on_the_hash_seed() -> None:
    # Sets of ids iterate in an order that changes with PYTHONHASHSEED (networkx's view of a
    # component smaller than half the graph iterates its set); the sample must not.
    script = (
        "from tests.analysis.test_network import brokered_rings; from liaison.analysis import network; "
        "print(network.centrality(brokered_rings(), top=10, visits=3_000).ranked)"
    )
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(runs) == 1
