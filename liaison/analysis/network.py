"""Criminal networks as graphs: built from FtM relations and shared identifiers, then explored.

Nodes are entities, hidden records (placeholders that say only whose they are) and shared values
(a phone, an e-mail, an address, an identifier or wallet held by more than one entity). Edges
are FtM relations (ownership, directorship, membership, family, associates, payments, trips,
unknown links and any other interval schema), references from one entity to another (a
passport's holder), and links from entities to the values they share. The graph is built from
what the caller was given; nothing here reads the store.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, TypeAlias

import networkx as nx
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

__all__ = [
    "VISITS",
    "Centrality",
    "Hidden",
    "Network",
    "build_graph",
    "centrality",
    "communities",
    "connectors",
    "cytoscape_elements",
    "distances",
    "ends",
    "expand",
    "nearest",
    "neighbourhood_entities",
    "shortest_path",
    "write_gexf",
    "write_graphml",
    "write_i2_csv",
]

if TYPE_CHECKING:
    Network: TypeAlias = nx.MultiGraph[str]
else:
    Network = nx.MultiGraph  # networkx's classes are generic only in their type stubs
"""Nodes are entity ids, placeholder ids and `kind:value` ids; parallel edges are kept.

The graph is undirected, for paths and centrality, so an edge's ends come back in either order:
its reading order is kept on the edge itself, `source` then `target` (see `ends`)."""

# Values that tie records together when two of them hold the same one.
_SHARED_TYPES = (registry.phone, registry.email, registry.identifier, registry.address)


@dataclass(frozen=True, slots=True)
class Hidden:
    """A record the caller may not read but something they may read points to: whose it is."""

    entity_id: str
    owner_agency: str


def build_graph(
    entities: Iterable[EntityProxy],
    handling: Mapping[str, str],
    hidden: Iterable[Hidden] = (),
) -> Network:
    """The graph of these entities (with their handling codes by id) and placeholders for hidden ones."""
    entities = list(entities)
    graph: Network = nx.MultiGraph()
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    relations: list[EntityProxy] = []
    for proxy in entities:
        entity_id = str(proxy.id)
        if proxy.schema.edge:
            relations.append(proxy)
            continue
        graph.add_node(
            entity_id,
            kind="entity",
            schema=proxy.schema.name,
            label=proxy.caption,
            handling=handling.get(entity_id, ""),
        )
        for prop, value in proxy.itervalues():
            if prop.type in _SHARED_TYPES:
                shared[(prop.type.name, value)].add(entity_id)
    for placeholder in hidden:
        label = f"hidden record of {placeholder.owner_agency}"
        graph.add_node(
            placeholder.entity_id,
            kind="hidden",
            schema="",
            label=label,
            handling="",
            owner_agency=placeholder.owner_agency,
        )
    for proxy in relations:
        _add_relation(graph, proxy, handling.get(str(proxy.id), ""))
    for proxy in entities:
        _add_references(graph, proxy)
    for (kind, value), holders in shared.items():
        if len(holders) > 1:
            node = f"{kind}:{value}"
            graph.add_node(node, kind="value", schema=kind, label=value, handling="")
            for holder in sorted(holders):
                graph.add_edge(
                    holder, node, key=f"{node}/{holder}", label=f"shares {kind}", source=holder, target=node
                )
    return graph


def ends(graph: Network, first: str, second: str, key: str) -> tuple[str, str]:
    """An edge's ends in the order its label reads: "(member) belongs to (organization)".

    networkx hands an undirected edge's ends back in whichever order it walks them, so a label
    read between them in that order can say the reverse of the record ("Petrenko network belongs
    to Youssef EL AMRANI"). Every edge `build_graph` adds names its `source` and `target`.
    """
    data = graph.edges[first, second, key]
    source, target = data.get("source"), data.get("target")
    if {source, target} == {first, second}:
        return str(source), str(target)
    return first, second


def _add_relation(graph: Network, proxy: EntityProxy, handling: str) -> None:
    schema = proxy.schema
    sources = proxy.get(schema.edge_source) if schema.edge_source else []
    targets = proxy.get(schema.edge_target) if schema.edge_target else []
    label = schema.edge_label or schema.label
    # FtM's edge reads from source to target: a Membership's member belongs to its organization,
    # an Ownership's owner owns its asset, a Family's person is related to the relative.
    for source in sources:
        for target in targets:
            if source in graph and target in graph:
                graph.add_edge(
                    source,
                    target,
                    key=str(proxy.id),
                    label=label,
                    schema=schema.name,
                    handling=handling,
                    source=source,
                    target=target,
                    directed=schema.edge_directed,
                )


def _add_references(graph: Network, proxy: EntityProxy) -> None:
    """Entity properties of non-relations (a passport's holder, a vessel's owner) as edges."""
    if proxy.schema.edge or str(proxy.id) not in graph:
        return
    entity_id = str(proxy.id)
    for prop, value in proxy.itervalues():
        if prop.type == registry.entity and value in graph:
            graph.add_edge(
                entity_id,
                value,
                key=f"{entity_id}/{prop.name}",
                label=prop.label,
                schema="",
                source=entity_id,
                target=value,
                directed=True,
            )


def expand(graph: Network, start: str, hops: int) -> Network:
    """The neighbourhood within `hops` links of a node; KeyError if the node is not in the graph."""
    if start not in graph:
        raise KeyError(start)
    neighbourhood: Network = nx.ego_graph(graph, start, radius=hops)
    return neighbourhood


def distances(graph: Network, start: str, hops: int) -> dict[str, int]:
    """How many links away from the start each node within `hops` lies; KeyError if the start is absent."""
    if start not in graph:
        raise KeyError(start)
    found: dict[str, int] = nx.single_source_shortest_path_length(graph, start, cutoff=hops)
    return found


def nearest(graph: Network, within: Mapping[str, int], limit: int | None = None) -> Network:
    """The subgraph of the `limit` nodes of `within` nearest the start (ties by id), or of all of them.

    A hub (a registered agent, a shared address) can put thousands of nodes two links away; the
    nearest ones are kept so that what is drawn stays readable and still reaches the start.
    """
    kept = sorted(within, key=lambda node: (within[node], node))
    if limit is not None:
        kept = kept[:limit]
    subgraph: Network = graph.subgraph(kept).copy()
    return subgraph


def neighbourhood_entities(graph: Network, entities: Iterable[EntityProxy]) -> list[EntityProxy]:
    """The readable records behind a graph: its entity nodes and the relations drawn as its links.

    Placeholders and shared values are not records, so nothing stands behind them here.
    """
    nodes = {node for node in graph.nodes if graph.nodes[node].get("kind") == "entity"}
    links = {key for _source, _target, key in graph.edges(keys=True)}
    kept: dict[str, EntityProxy] = {}
    for proxy in entities:
        entity_id = str(proxy.id)
        if entity_id not in kept and (entity_id in links if proxy.schema.edge else entity_id in nodes):
            kept[entity_id] = proxy
    return [kept[entity_id] for entity_id in sorted(kept)]


def shortest_path(graph: Network, source: str, target: str) -> list[str]:
    """The nodes of a shortest path between two nodes, or [] when nothing links them."""
    try:
        return list(nx.shortest_path(graph, source, target))
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return []


VISITS = 5_000_000
"""Link visits betweenness may spend: each source costs a walk over its component's nodes and
links; networkx walks about a million a second, so a ranking answers in seconds."""
_SEED = 7
"""The seed that picks the sampled sources: the same graph always gets the same ranking."""


@dataclass(frozen=True, slots=True)
class Centrality:
    """The most central entities as (id, degree, betweenness), and how betweenness was counted.

    Betweenness is networkx's, normalised over the whole graph; `sources` of the `walkable`
    nodes (those in components of three or more, where a path can pass through someone) were
    walked from, so it is exact when they are equal and an estimate from a sample otherwise.
    """

    ranked: list[tuple[str, int, float]]
    sources: int
    walkable: int

    @property
    def sampled(self) -> bool:
        """Whether betweenness is estimated from a sample of sources rather than counted exactly."""
        return self.sources < self.walkable


def centrality(graph: Network, top: int = 10, visits: int = VISITS) -> Centrality:
    """The most central entities, by betweenness then degree, counted component by component.

    No shortest path leaves its component, so each is walked on its own: a source costs its
    component, not the whole graph (the demo world's 15,000 small components cost 1.5 s exactly,
    where 500 sources over the whole graph took 35 s). When every source does not fit in `visits`
    link visits, each component gets at most the same number of sources, drawn with a fixed seed
    from its sorted nodes, as many as fit (10 at least), and networkx scales the sample up.
    """
    parts = [_component(graph, nodes) for nodes in nx.connected_components(graph) if len(nodes) > 2]
    cap = _sources_cap([(len(part), len(part) + part.number_of_edges()) for part in parts], visits)
    between = dict.fromkeys(graph, 0.0)
    for part in parts:
        sample = cap if len(part) > cap else None
        between.update(nx.betweenness_centrality(part, k=sample, normalized=False, seed=_SEED))
    count = graph.number_of_nodes()
    scale = 2 / ((count - 1) * (count - 2)) if count > 2 else 0.0
    # To 12 significant digits before ranking, so that ties stay ties in whatever order the sums
    # were taken.
    score = {node: float(f"{value * scale:.12g}") for node, value in between.items()}
    entities = [node for node, data in graph.nodes(data=True) if data.get("kind") == "entity"]
    ranked = sorted(entities, key=lambda node: (-score[node], -graph.degree(node), node))
    walkable = sum(len(part) for part in parts)
    return Centrality(
        [(node, graph.degree(node), score[node]) for node in ranked[:top]],
        sum(min(len(part), cap) for part in parts),
        walkable,
    )


def _component(graph: Network, nodes: set[str]) -> nx.Graph[str]:
    """A component as a simple graph whose nodes and links are in an order that does not depend on
    hashing, so that the sources sampled from it are the same in every run."""
    part: nx.Graph[str] = nx.Graph()
    ordered = sorted(nodes)
    part.add_nodes_from(ordered)
    part.add_edges_from((node, other) for node in ordered for other in graph[node])
    return part


def _sources_cap(sizes: list[tuple[int, int]], visits: int) -> int:
    """The most sources any one component gets: as many as keep the walks within `visits`.

    `sizes` holds each component's (nodes, nodes + links); a source costs its component's
    nodes and links. Taken smallest first, components are walked whole while every larger one
    could be walked from as many sources too.
    """
    spent, rest = 0, sum(cost for _nodes, cost in sizes)
    for nodes, cost in sorted(sizes):
        if spent + nodes * rest > visits:
            return max(10, (visits - spent) // rest)
        spent += nodes * cost
        rest -= cost
    return max((nodes for nodes, _cost in sizes), default=0)


def communities(graph: Network) -> list[list[str]]:
    """Groups of densely linked nodes (Louvain, fixed seed), largest first."""
    found = nx.community.louvain_communities(nx.Graph(graph), seed=7)
    return sorted((sorted(group) for group in found), key=lambda group: (-len(group), group))


def connectors(graph: Network, first: Iterable[str], second: Iterable[str]) -> list[str]:
    """Who connects two groups: the nodes strictly inside shortest paths from one group to the other."""
    a, b = set(first) & set(graph), set(second) & set(graph)
    between: set[str] = set()
    for source in sorted(a):
        for target in sorted(b):
            path = shortest_path(graph, source, target)
            between.update(path[1:-1])
    return sorted(between - a - b)


def _plain(graph: Network) -> Network:
    """A copy whose attributes are all text, as GEXF and GraphML writers need."""
    copy: Network = nx.MultiGraph()
    for node, data in graph.nodes(data=True):
        copy.add_node(node, **{key: str(value) for key, value in data.items()})
    for source, target, key, data in graph.edges(keys=True, data=True):
        copy.add_edge(source, target, key=key, **{name: str(value) for name, value in data.items()})
    return copy


def cytoscape_elements(graph: Network, within: Mapping[str, int]) -> dict[str, list[dict[str, Any]]]:
    """The graph as Cytoscape.js elements: nodes with their kind, schema, caption, handling and hops.

    A link's `source` and `target` are its ends in reading order (`ends`), and `directed` says
    whether FtM gives the link a direction worth an arrow (Ownership does, Family does not). Its
    id puts the ends in sorted order instead: the same link fetched twice (when a browser expands
    a neighbour) has the same id and is drawn once.
    """
    nodes = []
    for node in sorted(graph.nodes, key=lambda node: (within.get(node, len(graph)), node)):
        data = graph.nodes[node]
        fields = {name: str(data.get(name, "")) for name in ("label", "kind", "schema", "handling")}
        nodes.append({"data": {"id": node, **fields, "hops": within.get(node)}})
    edges = []
    for one, other, key, data in graph.edges(keys=True, data=True):
        first, second = sorted((one, other))
        source, target = ends(graph, one, other, key)
        edges.append(
            {
                "data": {
                    "id": f"{first}|{second}|{key}",
                    "source": source,
                    "target": target,
                    "label": str(data.get("label", "")),
                    "schema": str(data.get("schema", "")),
                    "handling": str(data.get("handling", "")),
                    "directed": bool(data.get("directed", False)),
                }
            }
        )
    edges.sort(key=lambda edge: str(edge["data"]["id"]))
    return {"nodes": nodes, "edges": edges}


def write_gexf(graph: Network, handle: IO[bytes]) -> None:
    """GEXF, as Gephi opens it."""
    nx.write_gexf(_plain(graph), handle)


def write_graphml(graph: Network, handle: IO[bytes]) -> None:
    """GraphML."""
    nx.write_graphml(_plain(graph), handle)


def write_i2_csv(graph: Network, handle: IO[str]) -> int:
    """Links as the rows i2 Analyst's Notebook imports: both ends' id, type and label, and the link's."""
    writer = csv.writer(handle)
    writer.writerow(
        [
            "Entity1 Id",
            "Entity1 Type",
            "Entity1 Label",
            "Link Type",
            "Entity2 Id",
            "Entity2 Type",
            "Entity2 Label",
        ]
    )
    rows = 0
    links = sorted((*ends(graph, one, other, key), key) for one, other, key in graph.edges(keys=True))
    for source, target, key in links:
        cells: list[Any] = []
        for node in (source, target):
            attributes = graph.nodes[node]
            cells.append((node, attributes.get("schema") or attributes.get("kind"), attributes.get("label")))
        writer.writerow([*cells[0], graph.edges[source, target, key].get("label", ""), *cells[1]])
        rows += 1
    return rows
