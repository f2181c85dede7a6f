"""Every link of a network reads in its record's direction, whatever order networkx gives its ends.

Strategy: one relation of each FtM kind an analyst reads aloud, between two entities whose ids
sort the other way round (the target's first), so that any code putting the ends in id order,
or in networkx's walking order, says the reverse: "Petrenko network belongs to Youssef EL AMRANI".
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from liaison.analysis import network
from tests.analysis.test_network import entity

# The two ends of each link: (schema, id, name).
YOUSSEF = ("Person", "z-youssef", "Youssef EL AMRANI")
IVAN = ("Person", "z-ivan", "Ivan Sokolov")
OLGA = ("Person", "z-olga", "Olga Sokolova")
PETRENKO = ("Organization", "a-petrenko", "Petrenko network")
NORDVALE = ("Company", "a-nordvale", "Nordvale Shipping")
MARC = ("Person", "a-marc", "Marc Dubois")
AURORA = ("Vessel", "a-aurora", "Aurora")
# (schema, source property, source, target property, target, label, directed): the target's id
# sorts first in every case.
CASES = [
    ("Membership", "member", YOUSSEF, "organization", PETRENKO, "belongs to", True),
    ("Directorship", "director", IVAN, "organization", NORDVALE, "directs", True),
    ("Ownership", "owner", IVAN, "asset", NORDVALE, "owns", True),
    ("Family", "person", OLGA, "relative", MARC, "related to", False),
    ("Associate", "person", OLGA, "associate", MARC, "associated with", False),
    ("UnknownLink", "subject", OLGA, "object", AURORA, "linked to", False),
]


def _graph(case: tuple[Any, ...]) -> tuple[network.Network, str, str]:
    schema, source_prop, (source_schema, source, source_name), target_prop, target_ends, _label, _ = case
    target_schema, target, target_name = target_ends
    records = [
        entity(source_schema, source, name=source_name),
        entity(target_schema, target, name=target_name),
        entity(schema, "link", **{source_prop: source, target_prop: target}),
    ]
    return network.build_graph(records, dict.fromkeys((source, target, "link"), "GREEN")), source, target


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_a_link_reads_from_its_source_to_its_target(case: tuple[Any, ...]) -> None:
    graph, source, target = _graph(case)
    label, directed = case[5], case[6]
    for first, second in ((source, target), (target, source)):  # whichever end the walk starts from
        assert network.ends(graph, first, second, "link") == (source, target)

    [edge] = network.cytoscape_elements(graph, {source: 0, target: 1})["edges"]
    data = edge["data"]
    assert (data["source"], data["label"], data["target"]) == (source, label, target)
    assert data["directed"] is directed
    assert data["id"] == f"{target}|{source}|link"  # still one id for the link, however it is fetched

    written = io.StringIO()
    assert network.write_i2_csv(graph, written) == 1
    [_header, row] = list(csv.reader(io.StringIO(written.getvalue())))
    assert (row[0], row[3], row[4]) == (source, label, target)


def test_a_reference_reads_from_the_record_that_holds_it() -> None:
    passport = entity("Passport", "a-passport", holder="z-ivan", number="X1234567")
    graph = network.build_graph([entity("Person", "z-ivan", name="Ivan Sokolov"), passport], {})
    [edge] = network.cytoscape_elements(graph, {})["edges"]
    assert (edge["data"]["source"], edge["data"]["label"], edge["data"]["target"]) == (
        "a-passport",
        "Identification holder",
        "z-ivan",
    )
