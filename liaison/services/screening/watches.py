"""Watches: "tell me if this person appears anywhere", checked against every import as it lands.

After an import (or an entity written through the API, or a notice published) commits, the
records it wrote are indexed on their own and every watch is matched against them through the
one matching engine. A hit the watcher may read raises a `watch.hit` alert naming the record;
a hit they may not read raises a `watch.reference` alert with a hit/no-hit reference, and its
owner is told, as for any hidden hit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from followthemoney.types import registry
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.decision import Action, Kind, OwnedFacts, may
from liaison.errors import BadInput, Forbidden, NotFound
from liaison.matching.record import MATCHABLE
from liaison.model import Identity
from liaison.services.accounts import access, audit
from liaison.services.screening.matching_service import Scoring, parse_example, score_standing, settle
from liaison.store import alerts as alert_store
from liaison.store import watches as watch_store
from liaison.store.watches import Watch

if TYPE_CHECKING:
    from liaison.services.sharing.landed import Written

__all__ = ["MAX_WATCHES", "add", "check", "list_watches", "remove", "watch_entity"]

MAX_WATCHES = 500
"""Watches per user at most: each is matched against every import."""
_CANDIDATES = 25
_HITS_PER_WATCH = 20
# The property types a watch on an entity keeps: what the matching engine compares.
_MATCHED_TYPES = frozenset(
    {registry.name, registry.date, registry.country, registry.identifier, registry.gender}
)


def _member(identity: Identity) -> None:
    decision = may(identity, Action.WRITE, OwnedFacts(Kind.WATCH, identity.user))
    if not decision:
        raise Forbidden(decision.reason)


def add(
    engine: Engine,
    identity: Identity,
    label: str,
    query: Mapping[str, Any],
    threshold: float,
    now: dt.datetime,
) -> Watch:
    """Watch for records matching an FtM query example (`schema`, `properties`) at `threshold` or above."""
    _member(identity)
    if not 0.5 <= threshold <= 1.0:
        raise BadInput("field 'threshold': between 0.5 and 1.0")
    label = label.strip()
    if not 0 < len(label) <= 300:
        raise BadInput("field 'label': 1 to 300 characters")
    proxy = parse_example("watch", query)
    if not proxy.get("name"):
        raise BadInput("watch: field 'name': a watch needs at least one name")
    example = {"schema": proxy.schema.name, "properties": proxy.properties}
    with Session(engine) as session, session.begin():
        if len(watch_store.list_watches(session, identity)) >= MAX_WATCHES:
            raise BadInput(f"you have {MAX_WATCHES} watches already; remove some first")
        watch = watch_store.add_watch(session, identity.actor, label, example, threshold, now)
        audit.record(
            session, identity, "watch.add", f"watch:{watch.watch_id}", now=now, detail={"label": label}
        )
        return watch


def watch_entity(
    engine: Engine, identity: Identity, dataset: str, entity_id: str, threshold: float, now: dt.datetime
) -> Watch:
    """Watch for other records of an entity the caller may read: its names, dates, countries, identifiers."""
    _member(identity)
    with Session(engine) as session:
        stored = store.entity_in_dataset(session, dataset, entity_id, identity)
    if stored is None or stored.proxy.schema.name not in MATCHABLE:
        raise NotFound(f"no person, organisation or vessel {entity_id!r} in dataset {dataset!r}")
    properties = {
        prop.name: values
        for prop, values in (
            (stored.proxy.schema.get(name), values) for name, values in stored.proxy.properties.items()
        )
        if prop is not None and prop.type in _MATCHED_TYPES
    }
    query = {"schema": stored.proxy.schema.name, "properties": properties}
    return add(engine, identity, f"{stored.proxy.caption} ({dataset})", query, threshold, now)


def list_watches(engine: Engine, identity: Identity) -> list[Watch]:
    """The caller's watches."""
    _member(identity)
    with Session(engine) as session:
        return watch_store.list_watches(session, identity)


def remove(engine: Engine, identity: Identity, watch_id: str, now: dt.datetime) -> Watch:
    """Stop a watch of the caller's; the watch stopped, so that the caller can say which."""
    _member(identity)
    with Session(engine) as session, session.begin():
        mine = {watch.watch_id: watch for watch in watch_store.list_watches(session, identity)}
        if watch_id not in mine or not watch_store.remove_watch(session, watch_id, identity):
            raise NotFound(f"no watch {watch_id!r} of yours")
        audit.record(session, identity, "watch.remove", f"watch:{watch_id}", now=now)
        return mine[watch_id]


def check(engine: Engine, written: Written, now: dt.datetime) -> int:
    """Match every watch against what one write put in a dataset; alert the watchers. The alerts raised."""
    with Session(engine) as session:
        watches = watch_store.all_watches(session)
    found = []
    for watch in watches:
        scoring = score_standing(
            written.index,
            written.dataset,
            {watch.watch_id: parse_example(watch.watch_id, watch.query)},
            cutoff=watch.threshold,
            candidates=_CANDIDATES,
        )
        if scoring.passed[watch.watch_id]:
            found.append((watch, scoring))
    raised = 0
    with Session(engine) as session, session.begin():
        for watch, scoring in found:
            watcher = access.identity_in(session, watch.user)
            if watcher is not None:
                raised += _alert(session, watcher, watch, scoring, written.dataset, now)
    return raised


def _alert(
    session: Session, watcher: Identity, watch: Watch, scoring: Scoring, dataset: str, now: dt.datetime
) -> int:
    """Alert the watcher of the hits they may read in full, and of the others by reference."""
    subject = f"watch:{watch.watch_id}"
    (answer,) = settle(
        session,
        watcher,
        scoring,
        threshold=watch.threshold,
        limit=_HITS_PER_WATCH,
        via="watch",
        now=now,
        audited=("watch.alert", subject),
        detail={"dataset": dataset},
    )
    base = {"watch": watch.watch_id, "label": watch.label}
    for scored in answer.results:
        detail = {
            **base,
            "dataset": dataset,
            "entity_id": scored.found.proxy.id,
            "caption": scored.found.proxy.caption,
            "score": round(scored.score.score, 4),
        }
        alert_store.add_alert(
            session, user=watch.user, kind="watch.hit", subject=subject, detail=detail, now=now
        )
    for reference in answer.references:
        referred = {**base, **reference.to_dict()}
        alert_store.add_alert(
            session, user=watch.user, kind="watch.reference", subject=subject, detail=referred, now=now
        )
    return len(answer.results) + len(answer.references)
