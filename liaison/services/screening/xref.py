"""Xref and its review queue: find pairs, keep reviewers' decisions, cluster what they confirmed.

A run reads the datasets once, indexes them, queries the smaller dataset's records against the
other (or a dataset against itself) and stores the pairs without undoing a decision. A decision
that would put both ends of a dismissed pair in one cluster is refused as a Conflict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.decision import Action, Kind, PairFacts, may, unconditional
from liaison.errors import BadInput, Conflict, Forbidden, NotFound
from liaison.matching.clusters import Pair, Refusal, cluster_pairs
from liaison.matching.fellegi_sunter import FellegiSunter
from liaison.matching.index import CandidateIndex
from liaison.matching.model import PRIORS, Scorer
from liaison.matching.record import MATCHABLE, MatchRecord, record_from_entity
from liaison.matching.xref import (
    XREF_CANDIDATES,
    XREF_LEARN_CANDIDATES,
    XrefPair,
    entity_fingerprint,
    member_key,
    pair_id,
    xref,
    xref_learned,
)
from liaison.model import Identity
from liaison.services.accounts import audit
from liaison.store import CONFIRMED, DISMISSED, MatchPair, SavedCounts

__all__ = [
    "ClusterView",
    "Member",
    "XrefRun",
    "XrefWork",
    "clusters",
    "confirm",
    "dismiss",
    "prepare",
    "review",
    "run",
]


@dataclass(frozen=True, slots=True)
class XrefWork:
    """The indexed records of an xref: which records query, and which datasets they are matched against."""

    datasets: tuple[str, ...]
    index: CandidateIndex
    queries: tuple[MatchRecord, ...]
    against: frozenset[str]
    fingerprints: dict[str, str]


@dataclass(frozen=True, slots=True)
class XrefRun:
    """The outcome of a run: records queried, pairs found at or above the threshold, and what was stored.

    `learned` holds the Fellegi-Sunter model the run fitted to its own candidate pairs, if it learned.
    """

    datasets: tuple[str, ...]
    threshold: float
    records: int
    pairs: int
    saved: SavedCounts
    learned: FellegiSunter | None = None


def prepare(
    engine: Engine,
    identity: Identity,
    dataset: str,
    other: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> XrefWork:
    """Read and index what the caller may read of a dataset (for duplicates) or two (for links).

    The smaller of two does the querying.
    """
    names = (dataset,) if other is None or other == dataset else (dataset, other)
    records: dict[str, list[MatchRecord]] = {name: [] for name in names}
    fingerprints: dict[str, str] = {}
    with Session(engine) as session:
        known = {summary.name for summary in store.list_datasets(session, identity)}
        missing = [name for name in names if name not in known]
        if missing:
            raise NotFound(f"no dataset named {', '.join(map(repr, missing))}; `liaison datasets` lists them")
        for name in names:
            for count, stored in enumerate(store.iter_dataset(session, name, identity), start=1):
                proxy = stored.proxy
                if proxy.schema.name in MATCHABLE:
                    records[name].append(record_from_entity(proxy, name))
                    key = member_key(name, str(proxy.id))
                    fingerprints[key] = entity_fingerprint(proxy.schema.name, proxy.properties)
                if progress is not None and count % 1_000 == 0:
                    progress(1_000)
    index = CandidateIndex.build(record for name in names for record in records[name])
    querying = min(names, key=lambda name: (len(records[name]), names.index(name)))
    against = frozenset(names) - {querying} or frozenset(names)
    return XrefWork(names, index, tuple(records[querying]), against, fingerprints)


def run(
    engine: Engine,
    work: XrefWork,
    *,
    threshold: float,
    now: dt.datetime,
    candidates: int | None = None,
    weights: Scorer = PRIORS,
    learn: bool = False,
    progress: Callable[[int], None] | None = None,
    actor: Identity | None = None,
) -> XrefRun:
    """Score the prepared work and store its pairs in one transaction; decisions are kept.

    With `learn`, the weights are not `weights` but a Fellegi-Sunter model fitted by EM to this
    run's candidate pairs, as record-linkage tools do for each new pair of sources. Without
    `candidates`, a run scores `XREF_CANDIDATES` per record, or `XREF_LEARN_CANDIDATES` to learn.
    """
    if candidates is None:
        candidates = XREF_LEARN_CANDIDATES if learn else XREF_CANDIDATES
    if not 0.0 <= threshold <= 1.0:
        raise BadInput(f"--threshold: {threshold} is not between 0 and 1")
    learned = None
    if learn:
        pairs, learned = xref_learned(
            work.index,
            work.queries,
            work.fingerprints,
            against=work.against,
            threshold=threshold,
            candidates=candidates,
            progress=progress,
        )
    else:
        pairs = xref(
            work.index,
            work.queries,
            work.fingerprints,
            against=work.against,
            threshold=threshold,
            candidates=candidates,
            weights=weights,
            progress=progress,
        )
    with Session(engine) as session, session.begin():
        saved = store.save_found_pairs(
            session, [_found(pair) for pair in pairs], frozenset(work.datasets), now
        )
        detail = {"threshold": threshold, "pairs": len(pairs), "learned": learn}
        subject = "datasets:" + ",".join(work.datasets)
        audit.record(session, actor or Identity.operator(), "xref", subject, now=now, detail=detail)
    return XrefRun(work.datasets, threshold, len(work.queries), len(pairs), saved, learned)


def _found(pair: XrefPair) -> store.FoundPair:
    return store.FoundPair(
        pair_id=pair.pair_id,
        left_dataset=pair.left.dataset,
        left_id=pair.left.entity_id,
        right_dataset=pair.right.dataset,
        right_id=pair.right.entity_id,
        score=pair.score.score,
        features=pair.score.explain(),
        fingerprint=pair.fingerprint,
    )


def review(
    engine: Engine,
    status: str | None = store.PENDING,
    dataset: str | None = None,
    limit: int | None = None,
    identity: Identity | None = None,
) -> list[MatchPair]:
    """Pairs in the review queue by status, best score first: those whose two records the caller
    may read (a reviewer judges what they see side by side; nothing else is shown to them).
    """
    if status is not None and status not in store.STATUSES:
        raise BadInput(f"--status: unknown status {status!r}; use one of {', '.join(store.STATUSES)}")
    identity = identity or Identity.operator()
    with Session(engine) as session:
        if unconditional(identity, Action.READ, Kind.RECORD):
            return store.list_pairs(session, status, dataset, limit=limit)
        pairs = store.list_pairs(session, status, dataset)
        shown = _readable_pairs(session, pairs, identity)
    return shown[:limit] if limit is not None else shown


def _readable_pairs(session: Session, pairs: Sequence[MatchPair], identity: Identity) -> list[MatchPair]:
    copies = {(pair.left_dataset, pair.left_id) for pair in pairs}
    copies |= {(pair.right_dataset, pair.right_id) for pair in pairs}
    open_to = store.readable_copies(session, copies, identity)
    return [
        pair
        for pair in pairs
        if (pair.left_dataset, pair.left_id) in open_to and (pair.right_dataset, pair.right_id) in open_to
    ]


def _keys(pair: MatchPair) -> Pair:
    return member_key(pair.left_dataset, pair.left_id), member_key(pair.right_dataset, pair.right_id)


def _refusals(confirmed: Sequence[MatchPair], dismissed: Sequence[MatchPair]) -> set[Refusal]:
    clustering = cluster_pairs([_keys(pair) for pair in confirmed], [_keys(pair) for pair in dismissed])
    return set(clustering.refused)


def _decide(
    engine: Engine, identity: str, status: str, by: str, now: dt.datetime, actor: Identity
) -> MatchPair:
    decision = may(actor, Action.DECIDE, PairFacts())
    if not decision:
        raise Forbidden(decision.reason)
    with Session(engine) as session, session.begin():
        pair = store.get_pair(session, identity)
        if not unconditional(actor, Action.READ, Kind.RECORD) and not _readable_pairs(session, [pair], actor):
            raise NotFound(f"no match pair with id {identity!r} of records you may read")
        if pair.status == status:
            # Deciding again would move the pair in decision order, and so could move an anchor.
            return pair
        decided = store.decisions(session)
        confirmed = [other for other in decided if other.status == CONFIRMED and other.pair_id != identity]
        dismissed = [other for other in decided if other.status == DISMISSED and other.pair_id != identity]
        before = _refusals(confirmed + ([pair] if pair.status == CONFIRMED else []), dismissed)
        if status == CONFIRMED:
            after = _refusals([*confirmed, pair], dismissed)
        else:
            after = _refusals(confirmed, [*dismissed, pair])
        new = sorted(after - before, key=lambda refusal: refusal.pair)
        if new:
            raise Conflict(_conflict_message(identity, status, new[0]))
        store.set_decision(session, identity, status, by, now)
        audit.record(session, actor, f"decision.{status}", f"pair:{identity}", now=now, detail={"by": by})
        return store.get_pair(session, identity)


def _conflict_message(identity: str, status: str, refusal: Refusal) -> str:
    kept_apart = pair_id(*refusal.dismissed)
    joining = pair_id(*refusal.pair)
    a, b = refusal.dismissed
    if status == CONFIRMED:
        return (
            f"pair {identity} cannot be confirmed: it would put {a} and {b} in one cluster, "
            f"but pair {kept_apart} between them was dismissed"
        )
    return (
        f"pair {identity} cannot be dismissed: {a} and {b} would stay in one cluster through "
        f"confirmed pair {joining}; dismiss that pair first"
    )


def confirm(
    engine: Engine, identity: str, by: str, now: dt.datetime, actor: Identity | None = None
) -> MatchPair:
    """Confirm a pair: its entities are one. Conflict if that joins the ends of a dismissed pair. Audited."""
    return _decide(engine, identity, CONFIRMED, by, now, actor or Identity.operator())


def dismiss(
    engine: Engine, identity: str, by: str, now: dt.datetime, actor: Identity | None = None
) -> MatchPair:
    """Dismiss a pair: never to be put together. Conflict if confirmed pairs join them. Audited."""
    return _decide(engine, identity, DISMISSED, by, now, actor or Identity.operator())


@dataclass(frozen=True, slots=True)
class Member:
    """An entity in a cluster; its caption is None once the entity is no longer stored."""

    dataset: str
    entity_id: str
    caption: str | None


@dataclass(frozen=True, slots=True)
class ClusterView:
    """A cluster with its stable canonical id and its members, by dataset and id."""

    canonical_id: str
    members: tuple[Member, ...]


def clusters(
    engine: Engine, dataset: str, accept_above: float | None = None, identity: Identity | None = None
) -> list[ClusterView]:
    """Clusters with a member in the dataset, from confirmed pairs and pending ones scoring `accept_above`.

    Clusters are computed over every decision, since a cluster may span datasets; each shows
    only the members the caller may read.
    """
    identity = identity or Identity.operator()
    with Session(engine) as session:
        if dataset not in {summary.name for summary in store.list_datasets(session, identity)}:
            raise NotFound(f"no dataset named {dataset!r}; `liaison datasets` lists them")
        decided = store.decisions(session)
        accepted = (
            store.list_pairs(session, store.PENDING, min_score=accept_above)
            if accept_above is not None
            else []
        )
    members: dict[str, Member] = {}
    for pair in (*decided, *accepted):
        left, right = _keys(pair)
        members[left] = Member(pair.left_dataset, pair.left_id, pair.left_caption)
        members[right] = Member(pair.right_dataset, pair.right_id, pair.right_caption)
    clustering = cluster_pairs(
        [_keys(pair) for pair in decided if pair.status == CONFIRMED],
        [_keys(pair) for pair in decided if pair.status == DISMISSED],
        [_keys(pair) for pair in accepted],
    )
    copies = {(member.dataset, member.entity_id) for member in members.values()}
    if unconditional(identity, Action.READ, Kind.RECORD):
        open_to = copies  # deleted members included: the operator sees what the decisions name
    else:
        with Session(engine) as session:
            open_to = store.readable_copies(session, copies, identity)
    views = []
    for cluster in clustering.clusters:
        shown = tuple(
            members[key]
            for key in cluster.members
            if (members[key].dataset, members[key].entity_id) in open_to
        )
        if any(member.dataset == dataset for member in shown):
            views.append(ClusterView(cluster.canonical_id, shown))
    return views
