"""The matching service: an index of the store's entities, kept in memory for match, search and fetch.

It holds one index (`live_index.LiveIndex`), built once in full and then kept current from the
store's change feed: what any process commits is applied within a poll (`follow`), and `lag`
says how far behind it is. The index holds every record (it is built as the installation
itself, `INDEXED_AS`), so that it scores the same for everyone; what a caller receives is
fetched through the store's access-filtered queries with the caller's identity, and every
match, search and read is audited.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.errors import BadInput, NotFound, Unavailable
from liaison.ingest.base import add_readable, add_value
from liaison.matching.index import Candidates, compatible_schemata
from liaison.matching.model import FEATURES, PRIORS, MatchScore, Weights
from liaison.matching.record import MATCHABLE, record_from_entity
from liaison.matching.relevance import Relevance
from liaison.matching.scoring import Item, Passed, score_items
from liaison.matching.search import SearchHit, floor, search_hits
from liaison.model import Envelope, Identity
from liaison.services.accounts import audit
from liaison.services.screening import live_index
from liaison.services.screening.live_index import LiveIndex
from liaison.services.screening.scoring_pool import ScoringPool
from liaison.services.sharing import catalog, hits
from liaison.services.sharing.hits import Reference
from liaison.store import StoredEntity
from liaison.store import hits as hit_store
from liaison.store.hits import HiddenCopy

__all__ = [
    "DEFAULT_SCOPE",
    "INDEXED_AS",
    "MAX_BATCH",
    "DatasetState",
    "Found",
    "Matches",
    "MatchingService",
    "Page",
    "Relevant",
    "Scope",
    "Scored",
    "Scoring",
    "parse_example",
    "score_standing",
    "settle",
]

logger = logging.getLogger(__name__)

INDEXED_AS = Identity.operator()
"""The index is built from every record; callers receive only what the access filter returns."""
DEFAULT_SCOPE = "default"
"""The dataset name that stands for all datasets, as in yente."""
MAX_BATCH = 100
"""Queries in one match request at most; a larger batch is refused rather than left to time out."""
POOL_FROM = 32
"""Batches from this size are scored across worker processes: below it, sending them costs more."""
AUDITED_HITS = 1_000
"""Hits named in a screening's audit event at most; the rest are counted in its references and queries."""
PROGRESS_EVERY = 200
"""Queries scored between two reports to a `progress` callback."""


@dataclass(frozen=True, slots=True)
class Scope:
    """The datasets a request names: `default` for all, or one plus `include`; `exclude` is taken out."""

    dataset: str = DEFAULT_SCOPE
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Found:
    """An entity merged from its copies in several datasets, with when it was first and last seen."""

    proxy: EntityProxy
    datasets: tuple[str, ...]
    first_seen: dt.datetime
    last_seen: dt.datetime
    envelopes: tuple[Envelope, ...] = ()
    """The envelope of each copy merged, in the order of `datasets`: owners and handling codes."""


@dataclass(frozen=True, slots=True)
class Scored:
    """A match candidate with its explained score and whether it reaches the threshold."""

    found: Found
    score: MatchScore
    match: bool


@dataclass(frozen=True, slots=True)
class Matches:
    """The answer to one query of a batch: the cleaned query, its results best first, and how many passed.

    `notes` say what of the query could not be read and was left out; a query that cannot be
    run at all (an unknown schema) has `status` 400, no `query`, and why in `notes`.
    """

    key: str
    query: EntityProxy | None
    results: tuple[Scored, ...]
    total: int
    references: tuple[Reference, ...] = ()
    status: int = 200
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scoring:
    """A batch scored and not yet settled (`MatchingService.score`, then `settle`).

    `examples` are the queries that could be run, `notes` what was left out of each query (or
    why it could not be run); `passed` holds each query's candidates in `datasets`, `hinted`
    those of the whole store, of which the hidden ones become references.
    """

    scope: Scope
    examples: dict[str, EntityProxy]
    notes: dict[str, tuple[str, ...]]
    datasets: frozenset[str]
    passed: dict[str, Passed]
    hinted: dict[str, Passed]


@dataclass(frozen=True, slots=True)
class Relevant:
    """A search result: the entity as the caller may read it, its relevance (the share of the
    name typed that its names hold, in [0, 1], and which name holds it) and its match score."""

    found: Found
    relevance: Relevance
    score: MatchScore


@dataclass(frozen=True, slots=True)
class Page:
    """One page of search results; `total` counts every hit the caller may read, `exact` says
    none was cut off (when false, `total` is a lower bound)."""

    results: tuple[Relevant, ...]
    total: int
    exact: bool
    references: tuple[Reference, ...] = ()


@dataclass(frozen=True, slots=True)
class DatasetState:
    """A dataset as the catalog shows it: its version in the store beside the version indexed."""

    name: str
    title: str
    entities: int
    version: str
    indexed_version: str | None


class MatchingService:
    """Match, search, fetch and list datasets against an in-memory index of the store.

    With `datasets`, only those are indexed: a screening against a few named lists (an
    operation's watchlists) need not wait for every list in the store to be read.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        candidates: int,
        weights: Weights = PRIORS,
        workers: int = 1,
        datasets: Sequence[str] | None = None,
    ) -> None:
        self.engine = engine
        self.candidates = candidates
        self.weights = weights
        self.workers = workers
        self.datasets = tuple(datasets) if datasets else None
        self._pooling = threading.Lock()
        self._pool: tuple[LiveIndex, int, ScoringPool] | None = None
        # Requests read `_snapshot` without a lock: rebinding an attribute is atomic, and the
        # index guards its own changes. `_building` only keeps the first requests from building
        # the same index side by side; `_following` lets one thread at a time apply changes.
        self._snapshot: LiveIndex | None = None
        self._building = threading.Lock()
        self._following = threading.Lock()
        self._rebuilding = threading.Lock()
        self._scheduling = threading.Lock()
        self._refresh_wanted = False
        self._refresher: threading.Thread | None = None
        self._stop = threading.Event()
        self._follower: threading.Thread | None = None

    def prepare(self, progress: Callable[[int], None] | None = None) -> None:
        """Build the index unless it is built; Unavailable while the store is not initialised.
        `progress` hears of every thousand entities indexed."""
        self._current(progress)

    def refresh(self) -> None:
        """Build a fresh index from the store and swap it in; requests keep the old one meanwhile.

        Changes committed during the build are applied to the fresh index before it is swapped in.
        """
        fresh = self._build()
        with self._following:
            live_index.catch_up(fresh, self.engine, self.datasets)
            self._snapshot = fresh

    def catch_up(self) -> int:
        """Apply to the index what the store committed since it last looked; how many changes.

        Nothing to do before the index is built (the build reads the store as it is). An index
        worn by many removals is built afresh in the background.
        """
        with self._following:
            snapshot = self._snapshot
            if snapshot is None:
                return 0
            applied = live_index.catch_up(snapshot, self.engine, self.datasets)
        if snapshot.worn and self._rebuilding.acquire(blocking=False):
            threading.Thread(target=self._rebuild, daemon=True).start()
        return applied

    def _rebuild(self) -> None:
        try:
            self.refresh()
        except Exception:  # the worn index still answers; the next change tries again
            logger.exception("rebuilding the matching index failed")
        finally:
            self._rebuilding.release()

    def follow(self, every: float) -> None:
        """Catch up every `every` seconds in a background thread, until `close`.

        An idle poll is one indexed query. A failed one (the database away) is logged and tried
        again at the next.
        """
        if self._follower is not None:
            return
        self._stop.clear()
        self._follower = threading.Thread(target=self._follow, args=(every,), daemon=True)
        self._follower.start()

    def _follow(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                self.catch_up()
            except Exception:
                logger.exception("following the store's changes failed")

    def lag(self, now: dt.datetime) -> live_index.IndexLag:
        """How far the index is behind the store: changes not yet applied and the oldest one's age."""
        return live_index.lag(self._snapshot, self.engine, now)

    def refresh_soon(self) -> None:
        """Catch up in the background after a write, not waiting for the next poll; writes during
        a catch-up are taken by one more."""
        with self._scheduling:
            self._refresh_wanted = True
            if self._refresher is None:
                self._refresher = threading.Thread(target=self._refresh_while_wanted, daemon=True)
                self._refresher.start()

    def _refresh_while_wanted(self) -> None:
        while True:
            with self._scheduling:
                if not self._refresh_wanted:
                    self._refresher = None
                    return
                self._refresh_wanted = False
            try:
                self.catch_up()
            except Exception:  # the index stays as it was; the next poll or write retries
                logger.exception("catching up the matching index failed")

    def match(
        self,
        queries: Mapping[str, Mapping[str, Any]],
        *,
        scope: Scope,
        threshold: float,
        cutoff: float,
        limit: int,
        identity: Identity,
        now: dt.datetime,
        weights: Mapping[str, float] | None = None,
        exclude_schemata: Sequence[str] = (),
        purpose: str = "",
        most: int = MAX_BATCH,
    ) -> list[Matches]:
        """Score each query of a batch; results at or above `cutoff`, marked as matches from `threshold`.

        `score` and then `settle` in a transaction of their own; the request is audited. A batch
        holds at most `most` queries: the API's limit, unless a service screening a whole file
        says otherwise.
        """
        scoring = self.score(
            queries,
            scope=scope,
            cutoff=cutoff,
            identity=identity,
            weights=weights,
            exclude_schemata=exclude_schemata,
            most=most,
        )
        with Session(self.engine) as session, session.begin():
            return settle(
                session,
                identity,
                scoring,
                threshold=threshold,
                limit=limit,
                via="match",
                now=now,
                audited=("match", f"scope:{scoring.scope.dataset}"),
                purpose=purpose,
            )

    def score(
        self,
        queries: Mapping[str, Mapping[str, Any]],
        *,
        scope: Scope,
        cutoff: float,
        identity: Identity,
        weights: Mapping[str, float] | None = None,
        exclude_schemata: Sequence[str] = (),
        most: int = MAX_BATCH,
        progress: Callable[[int], None] | None = None,
    ) -> Scoring:
        """The first half of a screening: shortlist and score each query, writing nothing.

        Each query is answered on its own, as yente does: one that cannot be run spoils no
        other. Scoring happens outside any transaction, as it must: a transaction holds the
        store's write lock on SQLite. Pass the result to `settle`.
        """
        if not queries:
            raise BadInput("field 'queries': no queries given")
        if len(queries) > most:
            raise BadInput(f"field 'queries': {len(queries)} queries exceed the limit of {most}")
        tuned = self._tuned(weights or {})
        examples: dict[str, EntityProxy] = {}
        notes: dict[str, list[str]] = {key: [] for key in queries}
        for key, example in queries.items():
            try:
                examples[key] = parse_example(key, example, notes=notes[key])
            except BadInput as exc:
                notes[key].append(str(exc))
        snapshot = self._current()
        datasets = _datasets(self.engine, snapshot, scope, identity)
        items = []
        for key, proxy in examples.items():
            query = record_from_entity(proxy, "query")
            items.append((key, query, datasets, compatible_schemata(query.schema) - set(exclude_schemata)))
        passed = dict(self._score(snapshot, items, tuned, cutoff, progress))
        # Hit/no-hit answers for the whole store, whatever the scope and filters: were references
        # drawn from the scope, a seeker could narrow it until one told where a hidden record is.
        everywhere = frozenset(snapshot.versions)
        unscoped = [(key, query, everywhere, compatible_schemata(query.schema)) for key, query, *_ in items]
        hinted = passed if unscoped == items else dict(self._score(snapshot, unscoped, tuned, cutoff))
        return Scoring(
            scope, examples, {key: tuple(noted) for key, noted in notes.items()}, datasets, passed, hinted
        )

    def search(
        self,
        text: str,
        *,
        scope: Scope,
        schema: str,
        limit: int,
        offset: int,
        identity: Identity,
        now: dt.datetime,
        purpose: str = "",
        threshold: float = 1.0,
        country: str = "",
        agency: str = "",
        handling: str = "",
    ) -> Page:
        """Entities whose names hold what was typed, the most relevant first, one page of them.

        Relevance is the share of the typed name that an entity's names hold (see
        `liaison.matching.relevance`); hits under the floor of `liaison.matching.search` are not
        shown. Every filter applies before ranking: datasets and schema in the index, `country`
        on each copy, owner `agency` and `handling` in the store's access-filtered query with
        the caller's identity. So `total` counts every hit the caller may read (at least, when
        `exact` is false). An entity ranks by its best copy that the caller may read and that
        passes the filters. Hidden copies scoring a match at `threshold` or above come back as
        hit/no-hit references (of `agency` only, when given), drawn from the whole store whatever
        the other filters. The search is audited.
        """
        base = model.get(schema)
        if base is None:
            raise BadInput(f"field 'schema': unknown schema {schema!r}")
        schemata = frozenset(name for name in MATCHABLE if model.schemata[name].is_a(base))
        snapshot = self._current()
        datasets = _datasets(self.engine, snapshot, scope, identity)
        probe = model.make_entity("Person" if schemata == {"Person"} else "LegalEntity")
        if not add_value(probe, "name", text, "search", "q") or not schemata:
            return Page((), 0, exact=True)
        query = record_from_entity(probe, "query")
        wanted = country.strip().lower()
        # A copy's own countries decide, so a hidden copy's never lets another copy through.
        keep = (lambda record: wanted in record.countries) if wanted else None
        # Names are compared before the transaction opens: it holds the store's write lock on SQLite.
        shortlisted = search_hits(
            snapshot.index, query, datasets=datasets, schemata=schemata, weights=self.weights, keep=keep
        )
        # References come from the whole store, unfiltered, as in `match`: a filter must not tell
        # a seeker a hidden record's dataset, schema or country.
        everywhere, every_schema = frozenset(snapshot.versions), frozenset(MATCHABLE)
        unfiltered = datasets == everywhere and schemata == every_schema and keep is None
        hinted = (
            shortlisted
            if unfiltered
            else search_hits(
                snapshot.index, query, datasets=everywhere, schemata=every_schema, weights=self.weights
            )
        )
        by_copy = {(hit.record.dataset, hit.record.entity_id): hit for hit in shortlisted.hits}
        with Session(self.engine) as session, session.begin():
            shown = hit_store.readable_keys(session, by_copy, identity, agency=agency, handling=handling)
            ranked = _ranked(by_copy[key] for key in shown)
            on_page = ranked[offset : offset + limit]
            readable = _fetch_many(session, [hit.record.entity_id for hit in on_page], datasets, identity)[0]
            matched = {
                (hit.record.dataset, hit.record.entity_id): hit.score.score
                for hit in hinted.hits
                if hit.score.score >= threshold
            }
            concealed = [
                copy
                for copy in hit_store.hidden_copies(session, sorted({key[1] for key in matched}), identity)
                if (copy.dataset, copy.entity_id) in matched and (not agency or copy.owner_agency == agency)
            ]
            scored = [(copy.entity_id, matched[(copy.dataset, copy.entity_id)]) for copy in concealed]
            hidden = hits.note_hits(session, identity, scored, "search", now, copies=concealed)
            audit.record(
                session,
                identity,
                "search",
                f"scope:{scope.dataset}",
                now=now,
                purpose=purpose,
                detail={"q": text[:200], "results": len(ranked), "references": len(hidden)},
            )
        results = tuple(
            Relevant(readable[hit.record.entity_id], hit.relevance, hit.score)
            for hit in on_page
            if hit.record.entity_id in readable
        )
        return Page(results, len(ranked), shortlisted.exact, tuple(hidden[:limit]))

    def fetch(self, entity_id: str, identity: Identity, now: dt.datetime) -> Found:
        """One entity merged from every copy the caller may read, or NotFound naming the id. Audited."""
        with Session(self.engine) as session, session.begin():
            found = _fetch_many(session, [entity_id], None, identity)[0].get(entity_id)
            audit.record(session, identity, "read", f"entity:{entity_id}", now=now)
        if found is None:
            raise NotFound(f"no entity with id {entity_id!r}")
        return found

    def catalog(self, identity: Identity) -> list[DatasetState]:
        """The datasets the caller may know of, with the entities they may read, and versions."""
        snapshot = self._snapshot
        indexed = snapshot.versions if snapshot is not None else {}
        return [
            DatasetState(
                state.name, state.title, state.entities, _version(state.updated_at), indexed.get(state.name)
            )
            for state in catalog.datasets(self.engine, identity)
        ]

    def _build(self, progress: Callable[[int], None] | None = None) -> LiveIndex:
        if not store.is_current(self.engine):
            raise Unavailable("the database is not initialised; run `liaison init`")
        # Versions and the last change are read before the build: what lands during it is
        # applied again by the next catch-up.
        snapshot = live_index.build(self.engine, self.datasets, progress)
        # The index is millions of long-lived objects: a full collection walked them all (103 ms
        # on the demo world, seconds at a million entities) and stalled every request meanwhile.
        # Frozen, the collector leaves them alone; they are still freed when the index is replaced.
        gc.freeze()
        return snapshot

    def _current(self, progress: Callable[[int], None] | None = None) -> LiveIndex:
        snapshot = self._snapshot
        if snapshot is None:
            with self._building:
                snapshot = self._snapshot or self._build(progress)
                self._snapshot = snapshot
        return snapshot

    def _score(
        self,
        snapshot: LiveIndex,
        items: list[Item],
        weights: Weights,
        cutoff: float,
        progress: Callable[[int], None] | None = None,
    ) -> list[tuple[str, Passed]]:
        """Score a batch here, or across the worker processes when it is large enough to gain;
        `progress` hears of each part scored."""
        if self.workers > 1 and len(items) >= POOL_FROM:
            scored = self._pool_for(snapshot).score(items, self.candidates, weights, cutoff)
            if progress is not None:
                progress(len(items))
            return scored
        if progress is None:
            return score_items(snapshot.index, items, self.candidates, weights, cutoff)
        answers = []
        for start in range(0, len(items), PROGRESS_EVERY):
            part = items[start : start + PROGRESS_EVERY]
            answers.extend(score_items(snapshot.index, part, self.candidates, weights, cutoff))
            progress(len(part))
        return answers

    def _pool_for(self, snapshot: LiveIndex) -> ScoringPool:
        # The workers copy the index as it is when they are forked: once it has changed, the
        # next large batch forks fresh ones (tens of milliseconds) rather than score stale data.
        with self._pooling:
            if self._pool is None or self._pool[:2] != (snapshot, snapshot.generation):
                if self._pool is not None:
                    self._pool[2].close()
                with snapshot.held() as index:
                    self._pool = (snapshot, snapshot.generation, ScoringPool(index, self.workers))
            return self._pool[2]

    def close(self) -> None:
        """Stop following the store and the scoring workers, if any were started."""
        self._stop.set()
        if self._follower is not None:
            self._follower.join(timeout=10)
            self._follower = None
        with self._pooling:
            if self._pool is not None:
                self._pool[2].close()
                self._pool = None

    def _tuned(self, overrides: Mapping[str, float]) -> Weights:
        unknown = sorted(set(overrides) - set(FEATURES))
        if unknown:
            raise BadInput(
                f"field 'weights': unknown features {', '.join(map(repr, unknown))}; "
                f"use any of {', '.join(FEATURES)}"
            )
        return Weights(self.weights.bias, {**self.weights.features, **overrides})


def parse_example(key: str, example: Mapping[str, Any], *, notes: list[str] | None = None) -> EntityProxy:
    """A yente query example (`schema`, `properties`) as a clean FtM entity; BadInput names key and field.

    With `notes`, a value that cannot be read is left out and said there (a screening goes on
    with what it can read, see `add_readable`); without, it is refused. A schema that is unknown
    or cannot be matched is always refused.
    """
    name = example.get("schema")
    schema = model.get(name) if isinstance(name, str) else None
    if schema is None:
        raise BadInput.at("queries", key, "schema", f"unknown schema {name!r}")
    if schema.name not in MATCHABLE:
        allowed = ", ".join(sorted(MATCHABLE))
        raise BadInput.at("queries", key, "schema", f"{schema.name} cannot be matched; use one of {allowed}")
    properties = example.get("properties") or {}
    if not isinstance(properties, Mapping):
        raise BadInput.at("queries", key, "properties", "expected an object of property names to values")
    proxy = model.make_entity(schema)
    proxy.id = str(example.get("id") or key)
    for prop, values in properties.items():
        if notes is None and schema.get(prop) is None:
            raise BadInput.at("queries", key, prop, f"{schema.name} has no property {prop!r}")
        for value in _values(values):
            if not isinstance(value, str | int | float):
                if notes is None:
                    raise BadInput.at("queries", key, prop, f"expected text, got {value!r:.80}")
                notes.append(f"field '{prop}': expected text, got {value!r:.40}; screened without it")
            elif notes is None:
                add_value(proxy, prop, value, "queries", key)
            elif (note := add_readable(proxy, str(prop), value)) is not None:
                notes.append(note)
    return proxy


def _values(values: Any) -> Iterable[Any]:
    return values if isinstance(values, list) else [values]


def _datasets(engine: Engine, snapshot: LiveIndex, scope: Scope, identity: Identity) -> frozenset[str]:
    """The datasets a request searches; NotFound, as for an absent one, for a dataset the caller
    may not know of (a hidden dataset must not answer differently from a missing one)."""
    known = snapshot.versions
    named = [name for name in (scope.dataset, *scope.include, *scope.exclude) if name != DEFAULT_SCOPE]
    visible: set[str] = set()
    if named:
        with Session(engine) as session:
            visible = store.known_datasets(session, identity, named) & set(known)
    missing = sorted(set(named) - visible)
    if missing:
        listed = ", ".join(map(repr, missing))
        raise NotFound(
            f"no dataset named {listed}; the catalog lists them (GET /catalog, `liaison datasets`)"
        )
    if scope.dataset == DEFAULT_SCOPE:
        wanted = set(scope.include or known)
    else:
        wanted = {scope.dataset, *scope.include}
    return frozenset(wanted - set(scope.exclude))


def score_standing(
    index: Candidates,
    dataset: str,
    queries: Mapping[str, EntityProxy],
    *,
    cutoff: float,
    candidates: int,
    weights: Weights = PRIORS,
) -> Scoring:
    """Standing queries (watches, cleared subjects) scored against what one write put in a
    dataset, indexed on its own: the first half of their screening, as `score` is for a request's."""
    datasets = frozenset({dataset})
    items = []
    for key, proxy in queries.items():
        query = record_from_entity(proxy, "query")
        items.append((key, query, datasets, compatible_schemata(query.schema)))
    passed = dict(score_items(index, items, candidates, weights, cutoff))
    notes: dict[str, tuple[str, ...]] = {key: () for key in queries}
    return Scoring(Scope(dataset), dict(queries), notes, datasets, passed, passed)


def settle(
    session: Session,
    identity: Identity,
    scoring: Scoring,
    *,
    threshold: float,
    limit: int,
    via: str,
    now: dt.datetime,
    audited: tuple[str, str] | None = None,
    purpose: str = "",
    detail: Mapping[str, Any] | None = None,
) -> list[Matches]:
    """The second half of a screening, in the caller's transaction: what the caller receives.

    Only the entities the caller may read are returned and counted, each merged from its
    readable copies in scope; a match on a copy they may not read becomes a hit/no-hit
    reference (its owner alerted), drawn from the whole store whatever the scope. With
    `audited` (action, subject), the screening is audited as that: what it found and what
    the caller received, beside `detail`.
    """
    wanted = [entity_id for passed in scoring.passed.values() for entity_id, _score in passed]
    readable, concealed = _fetch_many(session, wanted, scoring.datasets, identity)
    if scoring.hinted is not scoring.passed:
        hinted_ids = [entity_id for passed in scoring.hinted.values() for entity_id, _score in passed]
        concealed = _fetch_many(session, hinted_ids, None, identity)[1]
    references = {
        key: _hidden(session, identity, scoring.hinted[key], concealed, threshold, via, now)
        for key in scoring.examples
    }
    answers = {
        key: Matches(key, None, (), 0, status=400, notes=notes) for key, notes in scoring.notes.items()
    }
    for key, proxy in scoring.examples.items():
        shown = [
            (readable[entity_id], score) for entity_id, score in scoring.passed[key] if entity_id in readable
        ]
        results = tuple(Scored(entity, score, score.score >= threshold) for entity, score in shown[:limit])
        answers[key] = Matches(
            key, proxy, results, len(shown), tuple(references[key][:limit]), notes=scoring.notes[key]
        )
    if audited is not None:
        action, subject = audited
        received = sorted(
            {
                f"{dataset}/{scored.found.proxy.id}"
                for answer in answers.values()
                for scored in answer.results
                for dataset in scored.found.datasets
            }
        )
        counts = {
            "queries": len(scoring.examples),
            "hits": received[:AUDITED_HITS],
            "references": sum(len(answer.references) for answer in answers.values()),
        }
        audit.record(
            session, identity, action, subject, now=now, purpose=purpose, detail={**(detail or {}), **counts}
        )
    return list(answers.values())


def _fetch_many(
    session: Session, entity_ids: Sequence[str], datasets: frozenset[str] | None, identity: Identity
) -> tuple[dict[str, Found], list[HiddenCopy]]:
    """The entities the caller may read among these, each merged from its readable copies in
    scope; and, for a member, the copies in scope they may not read (where and whose only).
    """
    merged = {}
    readable, hidden = hit_store.split_copies(session, entity_ids, identity)
    for entity_id, copies in readable.items():
        kept = [stored for stored in copies if datasets is None or stored.envelope.dataset in datasets]
        if kept:
            merged[entity_id] = _merged(kept)
    return merged, [copy for copy in hidden if datasets is None or copy.dataset in datasets]


def _ranked(found: Iterable[SearchHit]) -> list[SearchHit]:
    """Each entity's best copy, best first, down to the floor that the best of them sets."""
    best: dict[str, SearchHit] = {}
    for hit in found:
        held = best.get(hit.record.entity_id)
        if held is None or hit.rank() < held.rank():
            best[hit.record.entity_id] = hit
    ranked = sorted(best.values(), key=SearchHit.rank)
    if not ranked:
        return ranked
    least = floor(ranked[0].relevance.score)
    return [hit for hit in ranked if hit.relevance.score >= least]


def _hidden(
    session: Session,
    identity: Identity,
    scored: Sequence[tuple[str, MatchScore]],
    copies: Sequence[HiddenCopy],
    threshold: float,
    via: str,
    now: dt.datetime,
) -> list[Reference]:
    """Hit/no-hit references for the hidden copies of the entities scoring a match."""
    hit = [(entity_id, score.score) for entity_id, score in scored if score.score >= threshold]
    return hits.note_hits(session, identity, hit, via, now, copies=copies)


def _merged(copies: Sequence[StoredEntity]) -> Found:
    proxy, kept = copies[0].proxy, [copies[0]]
    for stored in copies[1:]:
        try:
            proxy.merge(stored.proxy)
        except InvalidData:
            # Two agencies used one id for entities of incompatible schemata: not the same
            # entity, so the copy of the first dataset by name stands and the other is left out.
            continue
        kept.append(stored)
    return Found(
        proxy,
        tuple(stored.envelope.dataset for stored in kept),
        min(stored.created_at for stored in kept),
        max(stored.updated_at for stored in kept),
        tuple(stored.envelope for stored in kept),
    )


def _version(updated_at: dt.datetime) -> str:
    return updated_at.isoformat()
