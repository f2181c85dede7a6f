"""The read paths that derive views from records, held to the handling policy on random worlds.

Strategy: the worlds of test_policy (four agencies in two countries, sharing groups, one user
each, records under all five codes with random releasability), on both backends, each record
made into what the path reads: STIX objects and FtM people for the STIX export and TAXII pages,
people and the associations between them for networks, trips, events and places for routes and
hotspots, seizures with their routes and taxa (a four-taxon species index) for wildlife trends.
For every caller, each service must give what the same pure computation gives over only the
records the policy lets them read (hidden ends as placeholders naming their owner, for members),
and nothing else; network exports are read back from each format and searched for any id, name
or value of a record the caller may not read. Then users and tokens: for random actors,
targets, roles and scopes, no one grants more than they hold.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any
from xml.etree import ElementTree

import networkx as nx
import orjson
import pytest
from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from liaison import store
from liaison.access import Action, may
from liaison.access.decision import OPERATOR_APPOINTS, DatasetFacts
from liaison.analysis import network, routes
from liaison.analysis.network import Hidden
from liaison.domains.cyber.stix_export import AMBER_STRICT_DEFINITION, exported_objects
from liaison.domains.wildlife.duplicates import Reported, duplicates
from liaison.errors import Forbidden, NotFound
from liaison.ingest.cites_species import Taxon
from liaison.ingest.stix_mirror import mirror_of
from liaison.model import Envelope, Handling, Identity, IdentityKind, Role
from liaison.model.identity import SCOPES
from liaison.model.markings import MARKING_OF, TLP_MARKINGS
from liaison.model.seizure import SeizureReport
from liaison.services.accounts import access
from liaison.services.analysis import graph
from liaison.services.analysis import routes as route_service
from liaison.services.cyber import stix_export, taxii
from liaison.services.wildlife import seizures
from liaison.store.seizures import write_seizures
from liaison.store.species import replace_species
from liaison.store.stix import StixFilter
from liaison.store.tables import (
    AlertRow,
    EntityLinkRow,
    EntityRow,
    GroupMemberRow,
    HitReferenceRow,
    ImportRow,
    ObservableRow,
    SeizureLegRow,
    SeizureRow,
    StixObjectRow,
    TokenRow,
    UserRow,
)
from tests.access.test_policy import AGENCIES, NOW, USERS, may_read, memberships, world  # noqa: F401 (fixture)
from tests.access.test_policy import records as drawn_records
from tests.access.test_read_paths import _callers

Drawn = list[tuple[str, Handling, list[str]]]
CODES = [code for code, _country in AGENCIES]
DATASETS = {f"ds-{code.lower()}": code for code in CODES}
FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@dataclass(frozen=True, slots=True)
class Held:
    """One stored record of a drawn world: its envelope and its entity."""

    envelope: Envelope
    proxy: EntityProxy
    stix: tuple[dict[str, Any], ...] = ()


def _reset(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        for table in (
            SeizureLegRow,
            SeizureRow,
            StixObjectRow,
            AlertRow,
            HitReferenceRow,
            EntityLinkRow,
            ObservableRow,
            EntityRow,
            ImportRow,
            GroupMemberRow,
        ):
            session.execute(delete(table))


def _store(
    engine: Engine,
    drawn: Drawn,
    groups: list[tuple[str, str]],
    proxies: Sequence[EntityProxy],
    stix: Sequence[tuple[dict[str, Any], ...]] = (),
    reports: Sequence[SeizureReport | None] = (),
    taxa: Sequence[int] = (),
) -> dict[str, Held]:
    """Store the drawn envelopes, each over its entity (with its STIX versions and its seizure,
    filed under its taxon or taxon 1, where given), and the group memberships; the records by id."""
    _reset(engine)
    held: dict[str, Held] = {}
    with Session(engine) as session, session.begin():
        for group, agency in groups:
            store.add_group_member(session, group, agency)
        for number, ((owner, handling, release), proxy) in enumerate(zip(drawn, proxies, strict=True)):
            envelope = Envelope(owner, f"ds-{owner.lower()}", handling, "test", NOW.date(), tuple(release))
            run = store.start_import(session, envelope.dataset, "test", "test", NOW)
            store.write_batch(session, [(proxy, "test:1")], envelope, run, NOW)
            objects = stix[number] if number < len(stix) else ()
            store.write_stix(session.connection(), envelope.dataset, objects, run, NOW)
            report = reports[number] if number < len(reports) else None
            if report is not None:
                taxon = taxa[number] if number < len(taxa) else 1
                write_seizures(session.connection(), envelope.dataset, [(str(proxy.id), report, taxon)], run)
            held[str(proxy.id)] = Held(envelope, proxy, objects)
    return held


def _readable(caller: Identity, held: dict[str, Held]) -> dict[str, Held]:
    return {
        entity_id: record
        for entity_id, record in held.items()
        if may_read(
            caller, record.envelope.owner_agency, record.envelope.handling, record.envelope.releasability
        )
    }


def _knows(caller: Identity, dataset: str, readable: dict[str, Held]) -> bool:
    """A dataset is known to whom `may` lets know of it, and to whoever reads one of its records."""
    return bool(may(caller, Action.READ, DatasetFacts(DATASETS[dataset]))) or any(
        record.envelope.dataset == dataset for record in readable.values()
    )


# --- STIX export and TAXII --------------------------------------------------------------------

_STIX_NAMESPACE = uuid.UUID("0b7d6c1e-3f2a-4e5d-8c9b-1a2b3c4d5e6f")


def _indicator(number: int, marked: bool) -> dict[str, Any]:
    """A STIX indicator as a producer sent it: marked TLP:CLEAR or unmarked, so that the record's
    handling (the drawn one, as an import's stricter handling would make it) is what must go out."""
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid5(_STIX_NAMESPACE, str(number))}",
        "created": "2026-11-30T10:00:00.000Z",
        "modified": "2026-11-30T10:00:00.000Z",
        "name": f"indicator {number}",
        "indicator_types": ["malicious-activity"],
        "pattern": f"[ipv4-addr:value = '198.51.100.{number}']",
        "pattern_type": "stix",
        "valid_from": "2026-11-30T10:00:00Z",
    }
    if marked:
        obj["object_marking_refs"] = [MARKING_OF[Handling.CLEAR]]
    return obj


def _cyber_world(engine: Engine, drawn: Drawn, groups: list[tuple[str, str]]) -> dict[str, Held]:
    """Even records are STIX indicators (every other one marked CLEAR by its producer), odd ones
    FtM people with an e-mail address of their own, which go out as identities and observables."""
    proxies: list[EntityProxy] = []
    stix: list[tuple[dict[str, Any], ...]] = []
    for number in range(len(drawn)):
        if number % 2 == 0:
            obj = _indicator(number, marked=number % 4 == 0)
            proxies.append(mirror_of(obj))
            stix.append((obj,))
        else:
            person = model.make_entity("Person")
            person.id = f"p{number}"
            person.add("name", f"Person {number}")
            person.add("email", f"p{number}@case.example")
            proxies.append(person)
            stix.append(())
    return _store(engine, drawn, groups, proxies, stix)


def _tlp(obj: dict[str, Any]) -> list[str]:
    return [ref for ref in obj.get("object_marking_refs") or () if ref in TLP_MARKINGS]


def _export(engine: Engine, caller: Identity, dataset: str) -> list[dict[str, Any]] | None:
    buffer = io.BytesIO()
    try:
        count = stix_export.export_stix(engine, dataset, buffer, caller, NOW, "test")
    except NotFound:
        return None
    objects: list[dict[str, Any]] = orjson.loads(buffer.getvalue())["objects"]
    assert count == len(objects)
    return objects


def _pages(engine: Engine, caller: Identity, dataset: str) -> list[dict[str, Any]]:
    """Every object of a collection, two to a page, following the `next` tokens."""
    found: list[dict[str, Any]] = []
    token = None
    while True:
        page = taxii.read_page(
            engine, caller, taxii.collection_id(dataset), StixFilter(), limit=2, token=token, now=NOW
        )
        found += [orjson.loads(row.document) for row in page.objects]
        if not page.more:
            return found
        token = page.next


@FAST
@given(drawn=drawn_records, groups=memberships)
def test_stix_and_taxii_give_exactly_the_readable_objects_marked_with_their_handling(
    world: Engine,  # noqa: F811 - the fixture imported above
    drawn: Drawn,
    groups: list[tuple[str, str]],
) -> None:
    held = _cyber_world(world, drawn, groups)
    for caller in _callers(world):
        readable = _readable(caller, held)
        collections = {item.dataset: item for item in taxii.collections(world, caller)}
        for dataset, owner in DATASETS.items():
            mine = {entity_id: r for entity_id, r in readable.items() if r.envelope.dataset == dataset}
            # The bundle: every object built from a readable record, marked with its handling.
            expected: dict[str, Handling] = {}
            for record in mine.values():
                document = record.stix[-1] if record.stix else None
                for obj in exported_objects(
                    dataset, record.proxy, record.envelope.handling, NOW, NOW, document
                ):
                    expected[obj["id"]] = record.envelope.handling
            if Handling.AMBER_STRICT in expected.values():
                expected[AMBER_STRICT_DEFINITION["id"]] = Handling.AMBER_STRICT
            bundle = _export(world, caller, dataset)
            if bundle is None:
                assert not _knows(caller, dataset, readable), (caller.actor, dataset)
            else:
                assert _knows(caller, dataset, readable), (caller.actor, dataset)
                assert sorted(obj["id"] for obj in bundle) == sorted(expected), (caller.actor, dataset)
                for obj in bundle:
                    if obj["type"] != "marking-definition":
                        assert _tlp(obj) == [MARKING_OF[expected[obj["id"]]]], obj["id"]
            # The collection: listed when it holds a readable object or the caller may write to it.
            can_read = any(record.stix for record in mine.values())
            can_write = bool(may(caller, Action.WRITE, DatasetFacts(owner)))
            if not (can_read or can_write):
                assert dataset not in collections, (caller.actor, dataset)
                continue
            listed = collections[dataset]
            assert (listed.can_read, listed.can_write) == (can_read, can_write), (caller.actor, dataset)
            assert _knows(caller, dataset, readable) or can_write
            if not can_read:
                with pytest.raises(Forbidden):
                    _pages(world, caller, dataset)
                continue
            objects = _pages(world, caller, dataset)
            stored = {entity_id: r for entity_id, r in mine.items() if r.stix}
            assert sorted(obj["id"] for obj in objects) == sorted(stored), (caller.actor, dataset)
            for obj in objects:
                assert _tlp(obj) == [MARKING_OF[stored[obj["id"]].envelope.handling]], (
                    caller.actor,
                    obj["id"],
                )


# --- Networks ---------------------------------------------------------------------------------

SHARED_EMAILS = ("cell@case.example", "drop@case.example")
# Per record: two other records it may point to, and which shared e-mail it holds, if any.
pointers = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 11), st.sampled_from([None, *SHARED_EMAILS])),
    min_size=12,
    max_size=12,
)


def _person_index(number: int, count: int) -> int:
    """The person a drawn pointer names: every third record is an association, not a person."""
    number %= count
    return number - 1 if number % 3 == 2 else number


def _network_world(
    engine: Engine,
    drawn: Drawn,
    groups: list[tuple[str, str]],
    drawn_pointers: list[tuple[int, int, str | None]],
) -> dict[str, Held]:
    """People `e0`, `e1`, `e3`, … (some sharing an e-mail address, each with notes of its own)
    and, every third record, an Associate between two of them: the associate and the people may
    sit in other agencies' files."""
    proxies = []
    for number, (first, second, email) in enumerate(drawn_pointers[: len(drawn)]):
        if number % 3 == 2:
            link = model.make_entity("Associate")
            link.id = f"e{number}"
            link.add("person", f"e{_person_index(first, len(drawn))}")
            link.add("associate", f"e{_person_index(second, len(drawn))}")
            proxies.append(link)
        else:
            person = model.make_entity("Person")
            person.id = f"e{number}"
            person.add("name", f"Person {number}")
            person.add("email", email)
            person.add("notes", f"Notes on person {number}")  # a value no other record holds
            proxies.append(person)
    return _store(engine, drawn, groups, proxies)


def _expected_network(caller: Identity, held: dict[str, Held]) -> network.Network:
    """The same build over only the readable records, the hidden ends they name as placeholders
    of their owner (for members; the public and the operator get none)."""
    readable = _readable(caller, held)
    named = {
        value
        for record in readable.values()
        for prop, value in record.proxy.itervalues()
        if prop.type == registry.entity
    }
    hidden = []
    if caller.kind is IdentityKind.MEMBER:
        hidden = [Hidden(i, held[i].envelope.owner_agency) for i in sorted(named & set(held) - set(readable))]
    handling = {entity_id: record.envelope.handling.value for entity_id, record in readable.items()}
    return network.build_graph([record.proxy for record in readable.values()], handling, hidden)


def _shape(drawn: network.Network) -> tuple[list[Any], list[Any]]:
    nodes = sorted((node, sorted(data.items())) for node, data in drawn.nodes(data=True))
    edges = sorted(
        (*sorted((first, second)), key, sorted(data.items()))
        for first, second, key, data in drawn.edges(keys=True, data=True)
    )
    return nodes, edges


@FAST
@given(drawn=drawn_records, groups=memberships, drawn_pointers=pointers)
def test_networks_show_nothing_of_a_record_the_caller_may_not_read(
    world: Engine,  # noqa: F811 - the fixture imported above
    drawn: Drawn,
    groups: list[tuple[str, str]],
    drawn_pointers: list[tuple[int, int, str | None]],
) -> None:
    """`graph.load` (the CLI's path, central and the web's network) and `graph.neighbourhood`
    (expand, the entity page) give the graph of the readable records and placeholders only."""
    held = _network_world(world, drawn, groups, drawn_pointers)
    for caller in _callers(world):
        expected = _expected_network(caller, held)
        loaded = graph.load(world, caller, NOW, purpose="test")
        assert _shape(loaded) == _shape(expected), caller.actor
        ranked = {node for node, _degree, _betweenness in network.centrality(loaded, top=50).ranked}
        assert ranked <= set(expected.nodes)
        for start in ("e0", "e1"):
            try:
                near = graph.neighbourhood(world, caller, NOW, start, hops=2, purpose="test")
            except NotFound:
                assert start not in _readable(caller, held), (caller.actor, start)
                continue
            assert start in _readable(caller, held), (caller.actor, start)
            within = network.distances(expected, start, 2)
            assert near.within == within, (caller.actor, start)
            assert _shape(near.graph) == _shape(expected.subgraph(within)), (caller.actor, start)
            assert {str(proxy.id) for proxy in near.entities} <= set(_readable(caller, held))


def _placeholder(owner: str) -> dict[str, str]:
    """A hidden end as every format writes it: whose it is, and nothing of it."""
    return {
        "kind": "hidden",
        "schema": "",
        "label": f"hidden record of {owner}",
        "handling": "",
        "owner_agency": owner,
    }


def _secrets(caller: Identity, held: dict[str, Held]) -> tuple[dict[str, str], set[str]]:
    """The records the caller may not read (their owners by id), and the names and values that
    only such records hold."""
    readable = _readable(caller, held)

    def values(records: Sequence[Held]) -> set[str]:
        return {
            value
            for record in records
            for prop, value in record.proxy.itervalues()
            if prop.type != registry.entity
        } | {record.proxy.caption for record in records}

    unreadable = [record for entity_id, record in held.items() if entity_id not in readable]
    owners = {str(record.proxy.id): record.envelope.owner_agency for record in unreadable}
    return owners, values(unreadable) - values(list(readable.values()))


def _atoms(text: str) -> set[str]:
    """A written string and its parts: a shared value's node is `kind:value`, a link `node/end`."""
    return {text, *re.split(r"[/:]", text)}


def _written(engine: Engine, caller: Identity, near: graph.Neighbourhood, output_format: str) -> bytes:
    handle = io.BytesIO()
    count = graph.export(engine, caller, NOW, near, output_format, handle, purpose="test")
    expected = len(near.entities) if output_format == "ftm" else near.graph.number_of_nodes()
    assert count == expected, output_format
    return handle.getvalue()


def _read_back(data: bytes, output_format: str) -> network.Network:
    """A GraphML file as networkx reads it; a GEXF file read with ElementTree, for networkx's
    reader makes a file without parallel links a simple graph and drops the links' keys."""
    if output_format == "graphml":
        found: network.Network = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
        return found
    root = ElementTree.fromstring(data)
    space = {"g": root.tag.removesuffix("gexf").strip("{}")}
    titles = {
        (attributes.get("class"), attribute.get("id")): attribute.get("title")
        for attributes in root.iterfind("g:graph/g:attributes", space)
        for attribute in attributes.iterfind("g:attribute", space)
    }

    def values(element: ElementTree.Element, kind: str) -> dict[str, str]:
        found = {
            str(titles[(kind, value.get("for"))]): str(value.get("value"))
            for value in element.iterfind("g:attvalues/g:attvalue", space)
        }
        return {**found, "label": str(element.get("label"))}

    drawn: network.Network = nx.MultiGraph()
    for node in root.iterfind("g:graph/g:nodes/g:node", space):
        drawn.add_node(str(node.get("id")), **values(node, "node"))
    for edge in root.iterfind("g:graph/g:edges/g:edge", space):
        data = values(edge, "edge")
        key = data.pop("networkx_key")
        drawn.add_edge(str(edge.get("source")), str(edge.get("target")), key=key, **data)
    return drawn


def _as_text(drawn: network.Network) -> network.Network:
    """The graph with every attribute as text, as the files hold them."""
    copy: network.Network = nx.MultiGraph()
    for node, data in drawn.nodes(data=True):
        copy.add_node(node, **{name: str(value) for name, value in data.items()})
    for first, second, key, data in drawn.edges(keys=True, data=True):
        copy.add_edge(first, second, key=key, **{name: str(value) for name, value in data.items()})
    return copy


def _i2_rows(drawn: network.Network) -> list[list[str]]:
    """The links of a graph as i2 rows: each end's id, type and label, and the link's label."""
    rows = []
    for first, second, key, data in drawn.edges(keys=True, data=True):
        cells = []
        for node in network.ends(drawn, first, second, key):
            attributes = drawn.nodes[node]
            cells.append([node, attributes["schema"] or attributes["kind"], attributes["label"]])
        rows.append([*cells[0], data["label"], *cells[1]])
    return sorted(rows)


def _check_graph_file(
    drawn: network.Network, owners: dict[str, str], secrets: set[str], caller: Identity
) -> None:
    """No node of a hidden record but its placeholder; no id, name or value of one elsewhere."""
    forbidden = secrets | set(owners)
    for node, data in drawn.nodes(data=True):
        if node in owners:
            assert caller.kind is IdentityKind.MEMBER, (caller.actor, node)
            assert data == _placeholder(owners[node]), (caller.actor, node, data)
        else:
            assert not _atoms(node) & forbidden, (caller.actor, node)
        for value in data.values():
            assert not _atoms(value) & forbidden, (caller.actor, node, value)
    for first, second, key, data in drawn.edges(keys=True, data=True):
        assert {data["source"], data["target"]} == {first, second}, (caller.actor, key)
        assert not _atoms(key) & forbidden, (caller.actor, key)
        for name, value in data.items():
            if name not in ("source", "target"):
                assert not _atoms(value) & forbidden, (caller.actor, key, name, value)


def _check_i2_file(
    rows: list[list[str]], owners: dict[str, str], secrets: set[str], caller: Identity
) -> None:
    forbidden = secrets | set(owners)
    for row in rows:
        for node, kind, label in (row[0:3], row[4:7]):
            if node in owners:
                assert caller.kind is IdentityKind.MEMBER, (caller.actor, node)
                assert (kind, label) == ("hidden", f"hidden record of {owners[node]}"), (caller.actor, row)
            else:
                assert not _atoms(node) & forbidden, (caller.actor, row)
            assert not (_atoms(kind) | _atoms(label)) & forbidden, (caller.actor, row)
        assert not _atoms(row[3]) & forbidden, (caller.actor, row)


def _check_ftm_file(
    lines: list[dict[str, Any]], owners: dict[str, str], secrets: set[str], caller: Identity
) -> None:
    """No hidden record; a readable one may name a hidden one only in a reference (its own value)."""
    forbidden = secrets | set(owners)
    for line in lines:
        assert line["id"] not in owners, (caller.actor, line["id"])
        schema = model.get(line["schema"])
        assert schema is not None
        for name, values in line["properties"].items():
            prop = schema.get(name)
            assert prop is not None, (line["id"], name)
            for value in values:
                if prop.type == registry.entity:
                    assert caller.kind is IdentityKind.MEMBER or value not in owners, (caller.actor, value)
                else:
                    assert not _atoms(value) & forbidden, (caller.actor, line["id"], name, value)


def _ftm_lines(proxies: Sequence[EntityProxy]) -> list[dict[str, Any]]:
    return sorted(
        (
            {
                "id": str(proxy.id),
                "schema": proxy.schema.name,
                "properties": {name: sorted(values) for name, values in proxy.properties.items()},
            }
            for proxy in proxies
        ),
        key=lambda line: line["id"],
    )


@FAST
@given(drawn=drawn_records, groups=memberships, drawn_pointers=pointers)
# Always tried: a CLEAR person e0 tied by a CLEAR link e2 to a RED person e1 of another agency.
@example(
    drawn=[
        ("A1", Handling.CLEAR, []),
        ("B1", Handling.RED, []),
        ("A1", Handling.CLEAR, []),
        ("A2", Handling.GREEN, []),
    ],
    groups=[("g1", "A1"), ("g2", "B1")],
    drawn_pointers=[(0, 1, None)] * 12,
)
def test_network_exports_hold_nothing_of_a_record_the_caller_may_not_read(
    world: Engine,  # noqa: F811 - the fixture imported above
    drawn: Drawn,
    groups: list[tuple[str, str]],
    drawn_pointers: list[tuple[int, int, str | None]],
) -> None:
    """`graph.export` of a neighbourhood (from a readable start, and for members from a
    placeholder), read back as GEXF, GraphML, i2 CSV and FtM JSON lines: exactly the drawing of
    the readable records within reach, and no id, name or value of a hidden record but its
    placeholder naming its owner (in FtM, a readable record's reference to it)."""
    held = _network_world(world, drawn, groups, drawn_pointers)
    for caller in _callers(world):
        readable = _readable(caller, held)
        expected = _expected_network(caller, held)
        owners, secrets = _secrets(caller, held)
        # From e0 and e1, from a readable person a readable link ties to a hidden one (where a
        # leak would show), and for members from a placeholder, over all the datasets they know.
        ends = [
            {value for prop, value in record.proxy.itervalues() if prop.type == registry.entity}
            for record in readable.values()
        ]
        bordering = sorted({end for named in ends if named - set(readable) for end in named & set(readable)})
        placeholders = sorted(node for node, kind in expected.nodes(data="kind") if kind == "hidden")
        starts: list[tuple[str, Sequence[str] | None]] = [
            *((start, None) for start in dict.fromkeys(["e0", "e1", *bordering[:1]])),
            *((node, ()) for node in placeholders[:1]),
        ]
        for start, datasets in starts:
            try:
                near = graph.neighbourhood(
                    world, caller, NOW, start, hops=2, datasets=datasets, purpose="test"
                )
            except NotFound:
                assert datasets is None and start not in readable, (caller.actor, start)
                continue
            drawing = _as_text(expected.subgraph(network.distances(expected, start, 2)))
            for output_format in ("gexf", "graphml"):
                found = _read_back(_written(world, caller, near, output_format), output_format)
                _check_graph_file(found, owners, secrets, caller)
                assert _shape(found) == _shape(drawing), (caller.actor, start, output_format)
            text = _written(world, caller, near, "i2").decode()
            header, *rows = list(csv.reader(io.StringIO(text)))
            assert header[0] == "Entity1 Id"
            _check_i2_file(rows, owners, secrets, caller)
            assert sorted(rows) == _i2_rows(drawing), (caller.actor, start)
            lines = [orjson.loads(line) for line in _written(world, caller, near, "ftm").splitlines()]
            _check_ftm_file(lines, owners, secrets, caller)
            # The records behind the drawing: its entity nodes and the relations drawn as links.
            behind = {node for node, kind in drawing.nodes(data="kind") if kind == "entity"}
            behind |= {key for _first, _second, key in drawing.edges(keys=True)}
            records = [record.proxy for entity_id, record in readable.items() if entity_id in behind]
            assert _ftm_lines([model.get_proxy(line) for line in lines]) == _ftm_lines(records), (
                caller.actor,
                start,
            )


# --- Routes and hotspots ----------------------------------------------------------------------

COUNTRIES = ("fr", "es", "de")
places_drawn = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 11), st.sampled_from(COUNTRIES)), min_size=12, max_size=12
)


def _other(number: int, pick: int, count: int) -> int:
    """A record other than this one (FtM refuses a record pointing at itself)."""
    return (number + 1 + pick % (count - 1)) % count


def _route_world(
    engine: Engine, drawn: Drawn, groups: list[tuple[str, str]], drawn_places: list[tuple[int, int, str]]
) -> dict[str, Held]:
    """Addresses in a country, trips from one record to another through a country, and incidents
    (Events) in a country at an address, by turns; a trip's ends may be anyone's, or not places."""
    proxies = []
    count = len(drawn)
    for number, (first, second, country) in enumerate(drawn_places[:count]):
        kind = ("Address", "Trip", "Event")[number % 3]
        proxy = model.make_entity(kind)
        proxy.id = f"e{number}"
        proxy.add("country", country)
        if kind == "Address":
            proxy.add("full", f"{number} rue du Port")
        elif kind == "Trip":
            proxy.add("name", f"Trip {number}")
            proxy.add("startLocation", f"e{_other(number, first, count)}")
            proxy.add("endLocation", f"e{_other(number, second, count)}")
        else:
            proxy.add("name", f"Incident {number}")
            proxy.add("addressEntity", f"e{_other(number, first, count)}")
        proxies.append(proxy)
    return _store(engine, drawn, groups, proxies)


@FAST
@given(drawn=drawn_records, groups=memberships, drawn_places=places_drawn)
def test_routes_and_hotspots_count_only_readable_records(
    world: Engine,  # noqa: F811 - the fixture imported above
    drawn: Drawn,
    groups: list[tuple[str, str]],
    drawn_places: list[tuple[int, int, str]],
) -> None:
    """Flows, legs, hotspots and unplaced trips are those of the readable records, whose hidden
    places count as unknown ends."""
    held = _route_world(world, drawn, groups, drawn_places)
    for caller in _callers(world):
        readable = _readable(caller, held)
        proxies = [record.proxy for record in readable.values()]
        expected = routes.flows(
            [proxy for proxy in proxies if routes.is_route_record(proxy)],
            {str(proxy.id): proxy for proxy in proxies},
        )
        assert route_service.flows(world, caller, NOW, purpose="test") == expected, caller.actor


# --- Wildlife seizures ------------------------------------------------------------------------

seizures_drawn = st.lists(
    st.tuples(
        st.sampled_from([2019, 2020]),
        st.sampled_from(["ke", "vn"]),
        st.sampled_from(["scales", "ivory"]),
        st.sampled_from([10, 11, 40]),  # close quantities, so that two datasets report the same seizure
        st.lists(st.sampled_from(["ke", "vn", "cn"]), max_size=3),
    ),
    min_size=12,
    max_size=12,
)
Seizure = tuple[int, str, str, int, list[str]]


def _seizure_world(
    engine: Engine,
    drawn: Drawn,
    groups: list[tuple[str, str]],
    drawn_seizures: list[Seizure],
    kinds: Sequence[tuple[Taxon, str]] = (),
) -> tuple[dict[str, Held], dict[str, SeizureReport]]:
    """Seizures `s0`, `s1`, … of pangolin scales or ivory in kilograms, or, with `kinds`, each of
    its taxon and in its unit (kilograms, or individuals counted)."""
    proxies, reports = [], []
    for number, (year, country, commodity, kilograms, route) in enumerate(drawn_seizures[: len(drawn)]):
        taxon, unit = kinds[number] if number < len(kinds) else (None, "kg")
        proxy = model.make_entity("Event")
        proxy.id = f"s{number}"
        proxy.add("name", f"Seizure {number}")
        proxies.append(proxy)
        reports.append(
            SeizureReport.parse(
                day=None,
                year=year,
                country=country,
                location="Mombasa",  # one place, so that pairs across datasets agree
                species=taxon.name if taxon else "Manis javanica",
                commodity=commodity,
                quantity=float(kilograms),
                unit=unit,
                route=tuple(route),
                today=NOW.date(),
            )
        )
    taxa = [taxon.taxon_id for taxon, _unit in kinds[: len(drawn)]]
    held = _store(engine, drawn, groups, proxies, reports=reports, taxa=taxa)
    return held, {str(proxy.id): report for proxy, report in zip(proxies, reports, strict=True)}


@FAST
@given(drawn=drawn_records, groups=memberships, drawn_seizures=seizures_drawn)
def test_seizure_trends_routes_and_pairs_count_only_readable_seizures(
    world: Engine,  # noqa: F811 - the fixture imported above
    drawn: Drawn,
    groups: list[tuple[str, str]],
    drawn_seizures: list[Seizure],
) -> None:
    held, reports = _seizure_world(world, drawn, groups, drawn_seizures)
    for caller in _callers(world):
        mine = [reports[entity_id] for entity_id in _readable(caller, held)]
        for by in ("country", "commodity"):
            sums: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0, 0.0])
            for report in mine:
                key = report.country if by == "country" else report.commodity.value
                sums[(report.year, key)][0] += 1
                sums[(report.year, key)][1] += report.weight_kg or 0.0
            expected = [(year, key, int(n), kg) for (year, key), (n, kg) in sorted(sums.items())]
            found = seizures.trend(world, caller, by, purpose="test", now=NOW)
            assert [(row.year, row.key, row.seizures, row.weight_kg) for row in found] == expected, (
                caller.actor
            )
        legs = Counter(leg for report in mine for leg in pairwise(report.route))
        expected_legs = sorted(
            ((a, b, n) for (a, b), n in legs.items()), key=lambda leg: (-leg[2], leg[0], leg[1])
        )
        assert seizures.routes(world, caller, purpose="test", now=NOW) == expected_legs, caller.actor
        readable = _readable(caller, held)
        # The pairs another dataset may report too: those of the readable seizures alone.
        sides = [
            [
                Reported(
                    i, r.year, r.day, r.country, r.location, r.commodity.value, r.unit, r.quantity or 0.0
                )
                for i, r in reports.items()
                if i in readable and readable[i].envelope.dataset == dataset
            ]
            for dataset in ("ds-a1", "ds-b1")
        ]
        expected_pairs = sorted((pair.first, pair.second, pair.verdict) for pair in duplicates(*sides))
        pairs = seizures.reported_twice(world, caller, "ds-a1", "ds-b1", purpose="test", now=NOW)
        assert sorted((pair.first, pair.second, pair.verdict) for pair in pairs) == expected_pairs, (
            caller.actor
        )


# A species index of four taxa: a genus filed as itself ("Manis spp.") and with two species in
# it, and one species outside it. Ids are not in name order: trends come in year then id order.
TAXA = (
    Taxon(3, "Manis", "GENUS", "Animalia", "Mammalia", "Manidae", "Manis", "II", (("accepted", "Manis"),)),
    Taxon(
        2,
        "Manis javanica",
        "SPECIES",
        "Animalia",
        "Mammalia",
        "Manidae",
        "Manis",
        "I",
        (("accepted", "Manis javanica"), ("en", "Sunda pangolin")),
    ),
    Taxon(
        4,
        "Manis pentadactyla",
        "SPECIES",
        "Animalia",
        "Mammalia",
        "Manidae",
        "Manis",
        "I",
        (("accepted", "Manis pentadactyla"), ("en", "Chinese pangolin")),
    ),
    Taxon(
        1,
        "Loxodonta africana",
        "SPECIES",
        "Animalia",
        "Mammalia",
        "Elephantidae",
        "Loxodonta",
        "I",
        (("accepted", "Loxodonta africana"), ("en", "African elephant")),
    ),
)
# A species' history as asked for (a genus, a common name, a scientific name): the taxa it takes in.
HISTORIES: dict[str | None, set[int] | None] = {
    None: None,
    "Manis": {2, 3, 4},
    "Sunda pangolin": {2},
    "Loxodonta africana": {1},
}
kinds_drawn = st.lists(
    st.tuples(st.sampled_from(TAXA), st.sampled_from(["kg", "individuals"])), min_size=12, max_size=12
)


def _expected_trend(
    mine: Sequence[tuple[SeizureReport, Taxon]], by: str, taxa: set[int] | None
) -> list[tuple[int, str, int, float, float]]:
    """Seizures, kilograms and individuals per year and species (in id order) or country."""
    sums: dict[tuple[int, int | str], list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    names = {taxon.taxon_id: taxon.name for taxon in TAXA}
    for report, taxon in mine:
        if taxa is not None and taxon.taxon_id not in taxa:
            continue
        total = sums[(report.year, taxon.taxon_id if by == "species" else report.country)]
        total[0] += 1
        total[1] += report.weight_kg or 0.0
        total[2] += report.individuals or 0.0
    return [
        (year, names[key] if isinstance(key, int) else key, int(n), kg, individuals)
        for (year, key), (n, kg, individuals) in sorted(sums.items())
    ]


@FAST
@given(drawn=drawn_records, groups=memberships, drawn_seizures=seizures_drawn, drawn_kinds=kinds_drawn)
def test_seizure_trends_by_species_count_only_readable_seizures(
    world: Engine,  # noqa: F811 - the fixture imported above
    drawn: Drawn,
    groups: list[tuple[str, str]],
    drawn_seizures: list[Seizure],
    drawn_kinds: list[tuple[Taxon, str]],
) -> None:
    """`seizures.trend` by species, and one species' history (a genus with its species, a common
    name, a scientific name) by species and by country: the sums of the readable seizures alone."""
    with Session(world) as session, session.begin():
        replace_species(session, TAXA)
    held, reports = _seizure_world(world, drawn, groups, drawn_seizures, drawn_kinds)
    kinds = {f"s{number}": taxon for number, (taxon, _unit) in enumerate(drawn_kinds)}
    for caller in _callers(world):
        mine = [(reports[entity_id], kinds[entity_id]) for entity_id in _readable(caller, held)]
        for species, taxa in HISTORIES.items():
            for by in ("species", "country"):
                found = seizures.trend(world, caller, by, species=species, purpose="test", now=NOW)
                assert [
                    (row.year, row.key, row.seizures, row.weight_kg, row.individuals) for row in found
                ] == _expected_trend(mine, by, taxa), (caller.actor, species, by)


# --- Users and tokens -------------------------------------------------------------------------

scope_sets = st.frozensets(st.sampled_from(SCOPES), min_size=1)


@st.composite
def actors(draw: st.DrawFn) -> tuple[Identity, str]:
    """An actor (the operator, or a member of any role, admins often, with a token's scopes) and
    the agency of the user they act on, often their own."""
    code = draw(st.sampled_from(CODES))
    if draw(st.integers(0, 4)) == 0:
        actor = Identity.operator()
    else:
        role = draw(st.one_of(st.just(Role.ADMIN), st.sampled_from(list(Role))))
        scopes = draw(st.one_of(st.just(frozenset({"write", "admin"})), scope_sets))
        actor = Identity.member(
            f"actor-{code.lower()}", code, dict(AGENCIES)[code], role, frozenset(), scopes
        )
    return actor, draw(st.one_of(st.just(code), st.sampled_from(CODES)))


def _administers(actor: Identity, agency: str, role: Role) -> bool:
    """The rule, written out: the operator, or an admin acting with the admin scope, in their own
    agency, for a role other than the auditors' (which only the operator gives)."""
    if actor.kind is IdentityKind.OPERATOR:
        return True
    return (
        actor.role is Role.ADMIN
        and "admin" in actor.scopes
        and actor.agency == agency
        and role not in OPERATOR_APPOINTS
    )


ADMIN_A1 = Identity.member("actor-a1", "A1", "aa", Role.ADMIN, frozenset(), frozenset({"write", "admin"}))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    acting=actors(),
    role=st.one_of(st.sampled_from(sorted(OPERATOR_APPOINTS)), st.sampled_from(list(Role))),
    scopes=scope_sets,
)
# The cases rarely drawn at random, always tried: an admin appointing an auditor, and the leak.
@example(acting=(ADMIN_A1, "A1"), role=Role.AUDITOR, scopes=frozenset({"write"}))
@example(acting=(ADMIN_A1, "A1"), role=Role.ANALYST, scopes=frozenset({"read"}))
def test_no_one_grants_more_than_they_hold(
    world: Engine,  # noqa: F811 - the fixture imported above
    acting: tuple[Identity, str],
    role: Role,
    scopes: frozenset[str],
) -> None:
    """`add_user` and `create_token`, as the API, the web's admin page and the CLI call them:
    a user only of an agency and role the actor administers, a token only for such a user and
    with no scope the actor's own credential lacks."""
    actor, agency = acting
    with Session(world) as session, session.begin():
        session.execute(delete(TokenRow))
        session.execute(delete(UserRow).where(UserRow.name.in_(["appointed", "holder"])))
    allowed = _administers(actor, agency, role)
    try:
        access.add_user(world, actor, "appointed", agency, role, NOW)
        assert allowed, (actor, agency, role)
    except Forbidden:
        assert not allowed, (actor, agency, role)
    access.add_user(world, Identity.operator(), "holder", agency, role, NOW)
    allowed = allowed and scopes <= actor.scopes
    try:
        _made, stored = access.create_token(world, actor, "holder", NOW, scopes=tuple(sorted(scopes)))
        assert allowed, (actor, agency, role, scopes)
        assert set(stored.scopes) == scopes
    except Forbidden:
        assert not allowed, (actor, agency, role, scopes)


def test_a_token_made_with_write_and_admin_makes_no_read_token(world: Engine) -> None:  # noqa: F811
    """The property's first failing example: an admin whose token carries `write` and `admin` (what
    POST /api/v1/tokens asks) made a `read` token for a user of their agency, themselves included."""
    admin = ADMIN_A1
    access.add_user(world, Identity.operator(), "holder", "A1", Role.ANALYST, NOW)
    with pytest.raises(Forbidden, match=r"no scope the credential making it lacks \(read\)"):
        access.create_token(world, admin, "holder", NOW, scopes=("read",))
    _made, stored = access.create_token(world, admin, "holder", NOW, scopes=("write",))
    assert stored.scopes == ("write",)


def test_a_taxii_object_goes_out_marked_with_its_records_handling(world: Engine) -> None:  # noqa: F811
    """The property's first failing example: an object its producer marked TLP:CLEAR (or left
    unmarked), held under AMBER for B1, went out of TAXII with the producer's marking."""
    obj = _indicator(0, marked=True)
    _store(world, [("A1", Handling.AMBER, ["agency:B1"])], [], [mirror_of(obj)], [(obj,)])
    reader = Identity.member("u-b1", "B1", "bb", Role.ANALYST)
    (served,) = _pages(world, reader, "ds-a1")
    assert served["object_marking_refs"] == [MARKING_OF[Handling.AMBER]]
