"""The entity page: every property with its sources, names in every script, relations, matches, readers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from followthemoney.types import registry
from normality import latinize_text
from rigour.text.scripts import text_scripts

from liaison.analysis import network
from liaison.errors import BadInput, Forbidden
from liaison.http.deps import EngineDep
from liaison.matching.record import MATCHABLE
from liaison.model.observables import observables_of
from liaison.model.provenance import Provenance
from liaison.services.analysis import graph
from liaison.services.cyber import correlation
from liaison.services.cyber.correlation import Correlated
from liaison.services.screening.matching_service import MatchingService, Scope, Scored
from liaison.services.sharing import catalog
from liaison.services.sharing.hits import Reference
from liaison.store import StoredEntity
from liaison.web.render import page
from liaison.web.session import ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
_MATCHES = 10


@dataclass(frozen=True, slots=True)
class Value:
    """One value of a property and where it comes from: dataset, owner agency, file name and line."""

    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Name:
    """A name as written, its scripts, and its Latin form when written in another script."""

    text: str
    scripts: str
    latin: str


@dataclass(frozen=True, slots=True)
class Relation:
    """A link between this entity and another node of its network; `outgoing` when the label
    reads from this entity to the other ("belongs to Petrenko network"), not back to it."""

    label: str
    other: str
    caption: str
    kind: str
    outgoing: bool = True


@router.get("/entities/{entity_id}", response_class=HTMLResponse)
def entity(
    request: Request, engine: EngineDep, viewer: ViewerDep, entity_id: str, purpose: str = ""
) -> HTMLResponse:
    """Everything the user may read of one entity; NotFound alike for absent and unreadable."""
    identity = viewer.identity
    now = dt.datetime.now(dt.UTC)
    copies = catalog.show(engine, entity_id[:200], identity, now, purpose[:500])
    merged = copies[0].proxy.clone()
    for stored in copies[1:]:
        if stored.proxy.schema == merged.schema:
            merged.merge(stored.proxy)
    strictest = max((stored.envelope.handling for stored in copies), key=lambda code: code.rank)
    try:
        readers = catalog.readers(engine, identity, merged.id or entity_id)
    except Forbidden:
        readers = None
    return page(
        request,
        viewer,
        "entity.html",
        entity=merged,
        copies=copies,
        handling=strictest,
        properties=_properties(copies),
        names=_names(copies),
        relations=_relations(request, viewer, copies, now, purpose),
        matches=_matches(request, viewer, copies[0], now),  # (results, references)
        correlations=_correlations(request, viewer, copies[0], now, purpose),
        readers=readers,
        purpose=purpose,
    )


def _properties(copies: list[StoredEntity]) -> dict[str, list[Value]]:
    """Each property's values, each with the copies that hold it (the file's name, never its path)."""
    sources: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for stored in copies:
        envelope = stored.envelope
        where = f"{envelope.dataset} ({envelope.owner_agency}), {Provenance.parse(stored.provenance)}"
        for prop, value in stored.proxy.itervalues():
            if prop.type != registry.entity:
                shown = registry.country.caption(value) if prop.type == registry.country else value
                sources[prop.label][shown or value].append(where)
    return {
        label: [Value(text, tuple(found)) for text, found in values.items()]
        for label, values in sorted(sources.items())
    }


def _names(copies: list[StoredEntity]) -> list[Name]:
    """Every name, alias and former name, with its scripts and Latin form."""
    seen: dict[str, Name] = {}
    for stored in copies:
        for prop, value in stored.proxy.itervalues():
            if prop.type == registry.name and value not in seen:
                scripts = text_scripts(value)
                latin = "" if scripts <= {"Latin"} else (latinize_text(value) or "")
                seen[value] = Name(value, ", ".join(sorted(scripts)), latin)
    return list(seen.values())


def _relations(
    request: Request, viewer: ViewerDep, copies: list[StoredEntity], now: dt.datetime, purpose: str
) -> list[Relation]:
    """The entity's direct links, as the user may see them (hidden ends as placeholders)."""
    entity_id = str(copies[0].proxy.id)
    try:
        near = graph.neighbourhood(
            request.app.state.engine, viewer.identity, now, entity_id, 1, purpose=purpose
        ).graph
    except BadInput:  # a relation record (an ownership) is a link, not a node with links
        return []
    found = []
    for one, other, key, data in near.edges(entity_id, keys=True, data=True):
        node = near.nodes[other]
        source, _target = network.ends(near, one, other, key)
        found.append(
            Relation(
                str(data.get("label", "")),
                other,
                str(node.get("label", other)),
                node["kind"],
                outgoing=source == entity_id,
            )
        )
    return sorted(found, key=lambda relation: (not relation.outgoing, relation.label, relation.caption))


def _correlations(
    request: Request, viewer: ViewerDep, stored: StoredEntity, now: dt.datetime, purpose: str
) -> list[Correlated]:
    """The record's IPs, e-mails, phones, URLs and wallets, each with the other records holding it."""
    observables = sorted(observables_of(stored.proxy))
    if not observables:
        return []
    record = (stored.envelope.dataset, str(stored.proxy.id))
    return correlation.correlate(
        request.app.state.engine,
        viewer.identity,
        observables,
        purpose=purpose or f"reading record {record[1]}",
        now=now,
        exclude=record,
    )


def _matches(
    request: Request, viewer: ViewerDep, stored: StoredEntity, now: dt.datetime
) -> tuple[list[Scored], tuple[Reference, ...]]:
    """Entities of other datasets that may be the same, each score explained feature by feature,
    and references to matching records the user may not read.
    """
    matching: MatchingService = request.app.state.matching
    # FtM calls more schemata matchable than the matching engine indexes (a UserAccount).
    if stored.proxy.schema.name not in MATCHABLE:
        return [], ()
    threshold = request.app.state.settings.match_threshold
    query = {"schema": stored.proxy.schema.name, "properties": stored.proxy.properties}
    answers = matching.match(
        {"entity": query},
        scope=Scope(),
        threshold=threshold,
        cutoff=threshold * 0.7,
        limit=_MATCHES + 1,
        identity=viewer.identity,
        now=now,
    )
    others = [scored for scored in answers[0].results if scored.found.proxy.id != stored.proxy.id]
    return others[:_MATCHES], answers[0].references
