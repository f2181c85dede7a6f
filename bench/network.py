"""Network benchmark: building and exploring graphs, Liaison's against a plain networkx baseline.

Run with `python bench/network.py` (options: `--entities 100000 --edges 1000000`). It generates
people and organisations linked by FtM relations (Associate, Ownership, Directorship, Family)
with a fixed seed, plus a shared phone for some pairs; `--demo` takes the demo world instead
(every record of a fresh `liaison demo` store, or of `--database URL`). Then it times, on the
same machine:

- build: `liaison.analysis.network.build_graph` from the FtM entities (what `liaison graph`
  does after the store's access-filtered read), against networkx's `MultiGraph` built straight
  from the (source, target) pairs: the baseline shows what the FtM layer costs;
- k-hop expansion (2 hops) from 100 random entities, shortest paths between 100 random pairs,
  and `network.centrality` (degree and betweenness sampled as it samples), each on both graphs;
- memory: the peak resident size of each build, in its own subprocess.

The figures go to bench/README.md. Nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402
from followthemoney import model  # noqa: E402
from followthemoney.proxy import EntityProxy  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from liaison import store  # noqa: E402
from liaison.analysis import network  # noqa: E402
from liaison.model import Identity  # noqa: E402

RELATIONS = (("Associate", "person", "associate"), ("Family", "person", "relative"))
OWNED = (("Ownership", "owner", "asset"), ("Directorship", "director", "organization"))
PROBES = 100


def generate(entities: int, edges: int, seed: int) -> tuple[list[EntityProxy], list[tuple[str, str]]]:
    """FtM entities and the same links as plain pairs; a tenth of the nodes are companies."""
    rng = random.Random(seed)
    proxies: list[EntityProxy] = []
    companies = entities // 10
    for number in range(entities):
        schema = "Company" if number < companies else "Person"
        proxy = model.make_entity(schema)
        proxy.id = f"n{number}"
        proxy.add("name", f"Name {number}")
        if number % 50 == 0:
            proxy.add("phone", f"+3361234{number // 100:04d}", quiet=True)
        proxies.append(proxy)
    pairs = []
    for number in range(edges):
        source = f"n{rng.randrange(companies, entities)}"
        if rng.random() < 0.3:
            schema, from_prop, to_prop = OWNED[number % 2]
            target = f"n{rng.randrange(companies)}"
        else:
            schema, from_prop, to_prop = RELATIONS[number % 2]
            target = f"n{rng.randrange(companies, entities)}"
        relation = model.make_entity(schema)
        relation.id = f"r{number}"
        relation.add(from_prop, source)
        relation.add(to_prop, target)
        proxies.append(relation)
        pairs.append((source, target))
    return proxies, pairs


def _plain_graph(entities: list[str], pairs: list[tuple[str, str]]) -> Any:
    """The baseline: every entity a node, every relation an edge, nothing else."""
    graph = nx.MultiGraph()
    graph.add_nodes_from(entities)
    graph.add_edges_from(pairs)
    return graph


def _timed(work: Any) -> tuple[Any, float]:
    began = time.perf_counter()
    result = work()
    return result, time.perf_counter() - began


def demo_world_store() -> str:
    """A fresh SQLite store with the demo world loaded; its URL."""
    database = f"sqlite:///{tempfile.mkdtemp(prefix='liaison-network-')}/liaison.db"
    env = {**os.environ, "LIAISON_DATABASE_URL": database}
    liaison = str(Path(sys.executable).with_name("liaison"))
    for command in (["init"], ["demo"]):
        subprocess.run([liaison, *command], env=env, check=True, capture_output=True)
    return database


def demo_world(database: str) -> tuple[list[EntityProxy], list[tuple[str, str]]]:
    """Every record of a demo store, read as the operator, and its relations as plain pairs."""
    engine = store.open_engine(database)
    operator = Identity.operator()
    with Session(engine) as session:
        proxies = [
            stored.proxy
            for summary in store.list_datasets(session, operator)
            for stored in store.iter_dataset(session, summary.name, operator)
        ]
    engine.dispose()
    pairs = [
        (source, target)
        for proxy in proxies
        if proxy.schema.edge and proxy.schema.edge_source and proxy.schema.edge_target
        for source in proxy.get(proxy.schema.edge_source)
        for target in proxy.get(proxy.schema.edge_target)
    ]
    return proxies, pairs


def explore(graph: Any, entities: list[str], seed: int) -> dict[str, float]:
    """Seconds for 100 two-hop expansions, 100 shortest paths, and degree plus sampled betweenness."""
    rng = random.Random(seed)
    nodes = [node for node in entities if node in graph]
    starts = [rng.choice(nodes) for _ in range(PROBES)]
    pairs = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(PROBES)]
    _, hop = _timed(lambda: [nx.ego_graph(graph, start, radius=2).number_of_nodes() for start in starts])
    _, path = _timed(lambda: [network.shortest_path(graph, a, b) for a, b in pairs])
    _, central = _timed(lambda: network.centrality(graph, 10))
    return {"expand_2_hops_x100": hop, "shortest_path_x100": path, "centrality_top10": central}


def run(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    """One side in this process: build its graph, explore it, report times and peak memory."""
    if args.demo:
        proxies, pairs = demo_world(args.database)
    else:
        proxies, pairs = generate(args.entities, args.edges, args.seed)
    entities = [str(proxy.id) for proxy in proxies if not proxy.schema.edge]
    if kind == "liaison":
        graph, build = _timed(lambda: network.build_graph(proxies, {}, ()))
    else:
        graph, build = _timed(lambda: _plain_graph(entities, pairs))
    result = {"build": build, **explore(graph, entities, args.seed)}
    result["nodes"], result["edges"] = graph.number_of_nodes(), graph.number_of_edges()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def main() -> None:
    """Both sides, each in its own process, then the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--demo", action="store_true", help="The demo world instead of a generated graph.")
    parser.add_argument("--database", default=None, help="With --demo: a demo store to read as it is.")
    parser.add_argument("--side", choices=("liaison", "networkx"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        print(json.dumps(run(args.side, args)))
        return
    if args.demo and args.database is None:
        args.database = demo_world_store()
    results = {}
    for side in ("networkx", "liaison"):
        command = [sys.executable, __file__, "--side", side, "--entities", str(args.entities)]
        command += ["--edges", str(args.edges), "--seed", str(args.seed)]
        if args.demo:
            command += ["--demo", "--database", args.database]
        done = subprocess.run(command, check=True, capture_output=True, text=True, timeout=3_600)
        results[side] = json.loads(done.stdout.strip().splitlines()[-1])
    if args.demo:
        print(f"demo world ({args.database})")
    else:
        print(f"{args.entities:,} entities, {args.edges:,} relations (seed {args.seed})")
    print(f"{'':24}{'networkx':>12}{'liaison':>12}{'ratio':>8}")
    for key in ("build", "expand_2_hops_x100", "shortest_path_x100", "centrality_top10", "peak_rss_mb"):
        base, ours = results["networkx"][key], results["liaison"][key]
        unit = " MB" if key == "peak_rss_mb" else " s"
        print(f"{key:<24}{base:>10.2f}{unit}{ours:>10.2f}{unit}{ours / base:>8.2f}")
    print(
        f"nodes {results['liaison']['nodes']:,} (networkx {results['networkx']['nodes']:,}), "
        f"edges {results['liaison']['edges']:,} (networkx {results['networkx']['edges']:,})"
    )


if __name__ == "__main__":
    main()
