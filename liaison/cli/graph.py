"""`liaison graph`: explore the networks of what you may read, and export them."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from liaison.cli.support import caller, engine, out, purpose, reported
from liaison.errors import BadInput, NotFound

if TYPE_CHECKING:
    from liaison.analysis.network import Network

__all__ = ["graph_app"]

graph_app = typer.Typer(
    help="Networks: neighbourhoods, paths, central figures, exports; routes and hotspots.",
    no_args_is_help=True,
)

Datasets = Annotated[str | None, typer.Option("--datasets", help="Datasets to draw from, comma-separated.")]


class GraphFormat(StrEnum):
    """What `graph expand` writes."""

    TABLE = "table"
    GEXF = "gexf"
    GRAPHML = "graphml"
    I2 = "i2"
    FTM = "ftm"


def _load(datasets: str | None) -> Network:
    from liaison.services.analysis import graph

    names = [name.strip() for name in (datasets or "").split(",") if name.strip()]
    return graph.load(engine(), caller(), dt.datetime.now(dt.UTC), names, purpose())


def _nodes(found: Network, nodes: list[str], title: str) -> None:
    table = Table("id", "kind", "schema", "label", "handling", title=title)
    for node in nodes:
        data = found.nodes[node]
        table.add_row(
            node,
            data.get("kind", ""),
            data.get("schema", ""),
            data.get("label", ""),
            data.get("handling", ""),
        )
    out.print(table)


@graph_app.command("expand")
def graph_expand(
    entity_id: Annotated[str, typer.Argument(help="The entity to start from.")],
    hops: Annotated[int, typer.Option(min=1, max=6, help="Links to follow outwards.")] = 2,
    datasets: Datasets = None,
    output_format: Annotated[
        GraphFormat,
        typer.Option("--format", help="table, gexf, graphml, i2 or ftm (the records, as JSON lines)."),
    ] = GraphFormat.TABLE,
    output: Annotated[
        Path | None, typer.Option("-o", help="File to write (standard output by default).")
    ] = None,
) -> None:
    """The neighbourhood of an entity, as a table, for Gephi (GEXF), GraphML, i2 (CSV) or as FtM records.

    Every format but the table is recorded in the audit trail as an export.

    Example: liaison --as alice --purpose "case 118" graph expand p1 --hops 2 --format gexf -o p1.gexf
    """
    from liaison.services.analysis import graph

    with reported():
        names = [name.strip() for name in (datasets or "").split(",") if name.strip()]
        who, now = caller(), dt.datetime.now(dt.UTC)
        found = graph.neighbourhood(engine(), who, now, entity_id, hops, names, purpose=purpose())
        if output_format is GraphFormat.TABLE:
            drawn = found.graph
            _nodes(
                drawn,
                sorted(drawn.nodes),
                f"{drawn.number_of_nodes()} nodes, {drawn.number_of_edges()} links",
            )
            return
        if output is None:
            graph.export(engine(), who, now, found, output_format.value, sys.stdout.buffer, purpose())
            sys.stdout.buffer.flush()
            return
        with output.open("wb") as handle:
            graph.export(engine(), who, now, found, output_format.value, handle, purpose())


@graph_app.command("path")
def graph_path(
    source: Annotated[str, typer.Argument(help="One entity.")],
    target: Annotated[str, typer.Argument(help="The other.")],
    datasets: Datasets = None,
) -> None:
    """A shortest chain of links between two entities, through what you may read.

    Example: liaison --as alice graph path p1 p7
    """
    from liaison.analysis import network

    with reported():
        found = _load(datasets)
        path = network.shortest_path(found, source, target)
        if not path:
            raise NotFound(f"nothing you may read links {source!r} and {target!r}")
        _nodes(found, path, f"{len(path) - 1} links")


@graph_app.command("central")
def graph_central(
    top: Annotated[int, typer.Option(min=1, max=1_000, help="How many to list.")] = 10,
    datasets: Datasets = None,
) -> None:
    """The most central entities: through whom most paths run (betweenness), and their links (degree).

    Betweenness is counted exactly, component by component, while that fits a budget of link
    visits; on larger graphs it is estimated from a sample of sources (fixed seed, so the same
    graph gives the same ranking), and the table's caption says so.

    Example: liaison --as alice graph central --datasets fr_cases --top 5
    """
    from liaison.analysis import network

    with reported():
        found = _load(datasets)
        ranking = network.centrality(found, top)
        if ranking.sampled:
            caption = f"betweenness sampled: from {ranking.sources:,} of {ranking.walkable:,} sources"
        else:
            caption = "betweenness exact"
        table = Table("id", "label", "degree", "betweenness", caption=caption)
        for node, degree, between in ranking.ranked:
            table.add_row(node, found.nodes[node].get("label", ""), str(degree), f"{between:.3g}")
        out.print(table)


@graph_app.command("connectors")
def graph_connectors(
    first: Annotated[str, typer.Option(help="One group's entity ids, comma-separated.")],
    second: Annotated[str, typer.Option(help="The other group's, comma-separated.")],
    datasets: Datasets = None,
) -> None:
    """Who connects two groups: the entities on the shortest paths between them.

    Example: liaison --as alice graph connectors --first p1,p2 --second p7,p8
    """
    from liaison.analysis import network

    with reported():
        a = [item.strip() for item in first.split(",") if item.strip()]
        b = [item.strip() for item in second.split(",") if item.strip()]
        if not a or not b:
            raise BadInput("--first and --second: name at least one entity each")
        found = _load(datasets)
        _nodes(found, network.connectors(found, a, b), "connectors")


@graph_app.command("routes")
def graph_routes(datasets: Datasets = None) -> None:
    """Flows between countries from the trips you may read, and hotspots ranked by records.

    Example: liaison --as carmen --purpose "case 118" graph routes
    """
    from liaison.services.analysis import routes

    with reported():
        names = [name.strip() for name in (datasets or "").split(",") if name.strip()]
        found = routes.flows(engine(), caller(), dt.datetime.now(dt.UTC), names, purpose())
        table = Table("origin", "transit", "destination", "trips", title="flows")
        for flow in found.flows:
            table.add_row(
                flow.origin.upper(),
                " → ".join(c.upper() for c in flow.transit),
                flow.destination.upper(),
                str(flow.count),
            )
        out.print(table)
        table = Table("rank", "country", "records", "incidents", "from", "through", "to", title="hotspots")
        for rank, spot in enumerate(found.hotspots, start=1):
            counts = (spot.count, spot.incidents, spot.origins, spot.transits, spot.destinations)
            table.add_row(str(rank), spot.country.upper(), *map(str, counts))
        out.print(table)
