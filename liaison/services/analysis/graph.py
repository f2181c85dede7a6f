"""Networks of what a caller may read, through the one access path, for analysts to explore.

The entities come from the store's access-filtered queries with the caller's identity; a record
they may read that points to one they may not (an ownership of a hidden company, say) shows the
hidden end as a placeholder naming only its owner agency, for members; the public sees no trace.
Building a graph is audited as a read; writing one out is audited again, as an export.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

from followthemoney.proxy import EntityProxy
from followthemoney.types import registry
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.analysis import network
from liaison.analysis.network import Hidden, Network, build_graph
from liaison.errors import BadInput, NotFound
from liaison.ingest.ftm import write_ftm
from liaison.model import Identity
from liaison.services.accounts import audit
from liaison.store import DatasetSummary, StoredEntity
from liaison.store import hits as hit_store

__all__ = ["FORMATS", "NEARBY", "REACH", "Neighbourhood", "export", "load", "neighbourhood"]

NEARBY = 2_000
"""Records read at most from datasets beside the start's own when drawing a neighbourhood.

On the demo world this takes in every agency's file (about 150 records) and leaves out the UN
list (2,454): with it a neighbourhood took 460 ms instead of 65 ms, over the pages' 300 ms budget.
"""
REACH = 2_000
"""Ids a walk through the reference index sees at most: a hub (a sanctions programme naming
thousands) must not turn one look into a read of a whole list."""
FORMATS = ("gexf", "graphml", "i2", "ftm")
"""What a neighbourhood can be exported as: Gephi, GraphML, i2 Analyst's Notebook CSV, FtM JSON lines."""


@dataclass(frozen=True, slots=True)
class _Read:
    """What one caller may read of some datasets: entities, their handling, hidden ends."""

    proxies: list[EntityProxy]
    handling: dict[str, str]
    hidden: list[Hidden]
    scope: str

    def graph(self) -> Network:
        """The graph of what was read."""
        return build_graph(self.proxies, self.handling, self.hidden)


def _read(
    session: Session,
    identity: Identity,
    datasets: Sequence[str],
    summaries: Sequence[DatasetSummary] = (),
    extra: Sequence[StoredEntity] = (),
) -> _Read:
    """The datasets (all the caller may know of when none and no `extra` records are given),
    those records, and the records their entities point to.

    A pointed-to record outside the datasets comes along when the caller may read it (without
    its own links), or as a placeholder when they may not; either way the link is drawn.
    """
    known = [summary.name for summary in summaries or store.list_datasets(session, identity)]
    missing = sorted(set(datasets) - set(known))
    if missing:
        raise NotFound(f"no dataset named {', '.join(map(repr, missing))}; `liaison datasets` lists them")
    proxies: list[EntityProxy] = []
    handling: dict[str, str] = {}
    for name in datasets or ([] if extra else known):
        for stored in store.iter_dataset(session, name, identity):
            proxies.append(stored.proxy)
            handling[str(stored.proxy.id)] = stored.envelope.handling.value
    for stored in extra:
        if str(stored.proxy.id) not in handling:
            proxies.append(stored.proxy)
            handling[str(stored.proxy.id)] = stored.envelope.handling.value
    referenced = sorted(
        {value for proxy in proxies for prop, value in proxy.itervalues() if prop.type == registry.entity}
        - set(handling)
    )
    readable, concealed = hit_store.split_copies(session, referenced, identity)
    for entity_id, copies in readable.items():
        proxies.append(copies[0].proxy)
        handling[entity_id] = copies[0].envelope.handling.value
    hidden = {copy.entity_id: Hidden(copy.entity_id, copy.owner_agency) for copy in concealed}
    return _Read(proxies, handling, list(hidden.values()), ",".join(datasets) or "all")


def load(
    engine: Engine, identity: Identity, now: dt.datetime, datasets: Sequence[str] = (), purpose: str = ""
) -> Network:
    """The graph of the given datasets (all the caller may know of when none), as the caller may see it."""
    with Session(engine) as session, session.begin():
        read = _read(session, identity, datasets)
        detail = {"entities": len(read.proxies), "hidden": len(read.hidden)}
        audit.record(
            session, identity, "graph", f"scope:{read.scope}", now=now, purpose=purpose, detail=detail
        )
    return read.graph()


def _around(own: Sequence[str], summaries: Sequence[DatasetSummary], budget: int = NEARBY) -> list[str]:
    """The datasets holding the start, then the smallest others while their records fit the budget.

    Links into an entity from other agencies' files (a victim's file pointing at a recruiter,
    the same phone in three agencies' records) are what the view is for, and those files are
    small; the large public lists are read only when the start is in one of them.
    """
    scope = list(dict.fromkeys(own))
    spent = 0
    for summary in sorted(summaries, key=lambda summary: (summary.entities, summary.name)):
        if summary.name in scope:
            continue
        if spent + summary.entities > budget:
            break
        scope.append(summary.name)
        spent += summary.entities
    return scope


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """The links around one entity as the caller may see them, cut to the nodes nearest it."""

    start: str
    hops: int
    graph: Network
    within: dict[str, int]
    """Every node within `hops` of the start (before the cut), with its distance in links."""
    entities: list[EntityProxy] = field(default_factory=list)
    """The readable records behind the drawn nodes and links, for an FtM export."""
    datasets: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        """Nodes within reach before the cut."""
        return len(self.within)

    @property
    def cut(self) -> bool:
        """Whether nodes within reach were left out to keep the drawing readable."""
        return self.graph.number_of_nodes() < self.total


def neighbourhood(
    engine: Engine,
    identity: Identity,
    now: dt.datetime,
    entity_id: str,
    hops: int,
    datasets: Sequence[str] | None = None,
    limit: int | None = None,
    purpose: str = "",
) -> Neighbourhood:
    """The entity's neighbourhood within `hops` links, kept to the `limit` nodes nearest it.

    With no `datasets` (None) it is drawn from the datasets holding the entity, which the caller
    must be able to read (NotFound otherwise, the same for absent and unreadable), and from the
    smaller datasets up to NEARBY records in all: a look around an agency's record stays quick
    however large the public lists are. Named datasets (empty: all the caller may know of) may
    start from a placeholder, whose readable neighbours the caller may see anyway. Audited as a
    graph read naming the entity, found or not.
    """
    subject = f"entity:{entity_id}"
    try:
        with Session(engine) as session, session.begin():
            found = _walk(session, identity, entity_id, hops, datasets, limit)
            drawn = found.graph.number_of_nodes()
            detail = {
                "scope": ",".join(found.datasets) or "all",
                "hops": hops,
                "nodes": drawn,
                "within": found.total,
            }
            audit.record(session, identity, "graph", subject, now=now, purpose=purpose, detail=detail)
    except NotFound:
        # A look for what is not there (or not readable) is recorded too, as a read of an entity is.
        with Session(engine) as session, session.begin():
            missing = {"found": False}
            audit.record(session, identity, "graph", subject, now=now, purpose=purpose, detail=missing)
        raise
    return found


def _walk(
    session: Session,
    identity: Identity,
    entity_id: str,
    hops: int,
    datasets: Sequence[str] | None,
    limit: int | None,
) -> Neighbourhood:
    """The neighbourhood, read in the caller's session; NotFound or BadInput for a start that will not do."""
    summaries = store.list_datasets(session, identity)
    reached: list[StoredEntity] = []
    if datasets is None:
        copies = store.entities_by_id(session, entity_id, identity)
        if not copies:
            raise NotFound(f"no entity with id {entity_id!r} among the records you may read")
        own = {stored.envelope.dataset for stored in copies}
        sizes = {summary.name: summary.entities for summary in summaries}
        # A large list (tens of thousands of sanctions entries) is not read whole for one of its
        # entries: the reference index walks out from the start instead.
        large = {name for name in own if sizes.get(name, 0) > NEARBY}
        if large:
            reached = _reach(session, identity, entity_id, hops)
        datasets = [name for name in _around(sorted(own), summaries) if name not in large]
    read = _read(session, identity, datasets, summaries, reached)
    built = read.graph()
    try:
        within = network.distances(built, entity_id, hops)
    except KeyError as exc:
        relation = next((p for p in read.proxies if p.id == entity_id and p.schema.edge), None)
        if relation is not None:
            message = f"{entity_id!r} is a link ({relation.schema.label}), not a node: start from an end"
            raise BadInput(message) from exc
        raise NotFound(f"no entity {entity_id!r} among the records you may read") from exc
    drawn = network.nearest(built, within, limit)
    entities = network.neighbourhood_entities(drawn, read.proxies)
    return Neighbourhood(entity_id, hops, drawn, within, entities, tuple(datasets))


def _reach(session: Session, identity: Identity, start: str, hops: int) -> list[StoredEntity]:
    """The records the caller may read within reach of the start, through the reference index,
    both ways (what the start names, what names it), until REACH ids are seen.
    """
    found: dict[tuple[str, str], StoredEntity] = {}
    seen, frontier = {start}, {start}
    # A relation (an ownership, a trip) is a record between its two ends: a hop is two steps,
    # and the ring after the last step is read too, so its links to the drawn nodes show.
    for _step in range(2 * hops + 1):
        ahead = store.pointing_at(session, frontier)
        for copies in store.entities_by_ids(session, sorted(frontier), identity).values():
            for stored in copies:
                found[(stored.envelope.dataset, str(stored.proxy.id))] = stored
                ahead.update(
                    value for prop, value in stored.proxy.itervalues() if prop.type == registry.entity
                )
        frontier = ahead - seen
        seen |= frontier
        if not frontier or len(seen) > REACH:
            break
    return list(found.values())


def export(
    engine: Engine,
    identity: Identity,
    now: dt.datetime,
    found: Neighbourhood,
    output_format: str,
    handle: IO[bytes],
    purpose: str = "",
) -> int:
    """Write a neighbourhood as one of FORMATS, audited as an export; return the nodes (FtM: records)."""
    if output_format not in FORMATS:
        raise BadInput(f"format: {output_format!r} is not one of {', '.join(FORMATS)}")
    if output_format == "ftm":
        count = write_ftm(found.entities, handle)
    elif output_format == "i2":
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        network.write_i2_csv(found.graph, text)
        text.flush()
        text.detach()  # the caller owns the handle and closes it
        count = found.graph.number_of_nodes()
    else:
        write = network.write_gexf if output_format == "gexf" else network.write_graphml
        write(found.graph, handle)
        count = found.graph.number_of_nodes()
    with Session(engine) as session, session.begin():
        detail = {
            "format": output_format,
            "hops": found.hops,
            "written": count,
            "datasets": list(found.datasets),
        }
        audit.record(
            session, identity, "export", f"entity:{found.start}", now=now, purpose=purpose, detail=detail
        )
    return count
