"""One server's matching index, kept current from the store's change feed.

A full build reads every matchable record (about 10 s for the demo world's 22,000), so a
server builds once and then follows the feed (`store.changes`): it reads the changes numbered
above the last it applied, one indexed query that finds nothing most of the time, and applies
each in order: the records an import run wrote replace their earlier versions, a deletion
removes one. What a change names is read as the store holds it now, so applying a change late,
or twice, ends where the store is once every later change is applied too.

Requests look candidates up while the follower changes the index: each lookup holds a shared
lock, the follower holds it alone for a slice of changes at a time. Removed and replaced
records keep their places until the index is built afresh, which `worn` tells the service.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.matching.index import CandidateIndex
from liaison.matching.record import MATCHABLE, MatchRecord, record_from_entity
from liaison.model import Identity
from liaison.store import changes, registry
from liaison.store.db import reading

__all__ = [
    "SLICE",
    "IndexLag",
    "LiveIndex",
    "ReadWriteLock",
    "Removal",
    "Step",
    "build",
    "catch_up",
    "lag",
    "steps_of",
]

SLICE = 2_000
"""Steps applied under one hold of the lock: requests wait at most for one slice, never a whole import."""
PAGE = 1_000
"""Changes read per query while catching up."""
WORN_FLOOR = 50_000
"""Removed records the index may keep before it is worth building afresh, however small it is."""
_WHOLE = Identity.operator()


@dataclass(frozen=True, slots=True)
class Removal:
    """One dataset's copy of an entity to take out of the index."""

    dataset: str
    entity_id: str


Step = MatchRecord | Removal
"""What a change does to the index: a record to add (replacing its earlier version), or a removal."""


class ReadWriteLock:
    """Many readers at once, or one writer; a waiting writer lets no new reader in, so it never starves."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._readers = 0
        self._writing = False
        self._waiting = 0

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Hold the lock shared for the block."""
        with self._changed:
            while self._writing or self._waiting:
                self._changed.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._changed:
                self._readers -= 1
                if not self._readers:
                    self._changed.notify_all()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the lock alone for the block."""
        with self._changed:
            self._waiting += 1
            while self._writing or self._readers:
                self._changed.wait()
            self._waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            with self._changed:
                self._writing = False
                self._changed.notify_all()


class _Guarded:
    """The index as requests read it: each lookup under the shared lock."""

    __slots__ = ("_index", "_lock")

    def __init__(self, index: CandidateIndex, lock: ReadWriteLock) -> None:
        self._index, self._lock = index, lock

    def candidates(
        self,
        query: MatchRecord,
        limit: int = 50,
        datasets: frozenset[str] | None = None,
        schemata: frozenset[str] | None = None,
    ) -> list[tuple[MatchRecord, float]]:
        """`CandidateIndex.candidates`, never seeing a change half made."""
        with self._lock.reading():
            return self._index.candidates(query, limit, datasets, schemata)


class LiveIndex:
    """A candidate index with the dataset versions it holds and the last change it applied.

    `index` is what requests look candidates up in; `versions` (dataset name to the time it was
    last written, as the catalog shows it) is replaced, never changed, so a request may keep it.
    `generation` counts the times the index changed, so that a copy of it (a scoring pool's)
    knows it is stale.
    """

    def __init__(self, index: CandidateIndex, versions: dict[str, str], applied: int) -> None:
        self._index = index
        self._lock = ReadWriteLock()
        self.index = _Guarded(index, self._lock)
        self.versions = versions
        self.applied = applied
        self.generation = 0

    def __len__(self) -> int:
        return len(self._index)

    @property
    def worn(self) -> bool:
        """Whether removed records outnumber the live ones (and the floor): time to build afresh."""
        return self._index.removed > max(WORN_FLOOR, len(self._index))

    @contextmanager
    def held(self) -> Iterator[CandidateIndex]:
        """The index itself, unchanging for the block (to fork scoring workers that copy it)."""
        with self._lock.reading():
            yield self._index

    def apply(
        self,
        steps: Sequence[Step],
        applied: int,
        versions: dict[str, str] | None = None,
        *,
        per_hold: int = SLICE,
    ) -> None:
        """Apply steps in order, `per_hold` per hold of the lock; then record the change applied last."""
        for start in range(0, len(steps), per_hold):
            with self._lock.writing():
                _apply(self._index, steps[start : start + per_hold])
                self.generation += 1
        if versions is not None:
            self.versions = versions
        self.applied = max(self.applied, applied)


def _apply(index: CandidateIndex, steps: Iterable[Step]) -> None:
    """Runs of additions in one call each, runs of removals likewise: order between runs is kept."""
    added: list[MatchRecord] = []
    removed: dict[str, list[str]] = {}

    def flush() -> None:
        if added:
            index.add(added)
            added.clear()
        for dataset, entity_ids in removed.items():
            index.remove(entity_ids, dataset)
        removed.clear()

    for step in steps:
        if isinstance(step, Removal):
            if added:
                flush()
            removed.setdefault(step.dataset, []).append(step.entity_id)
        else:
            if removed:
                flush()
            added.append(step)
    flush()


def build(
    engine: Engine, datasets: Sequence[str] | None, progress: Callable[[int], None] | None = None
) -> LiveIndex:
    """A full build of the index from the store, with the change it holds up to; `progress`
    hears of every thousand entities read.

    The change number is read first: a change committed during the build is applied again
    afterwards, which changes nothing, and none can be missed.
    """
    snapshot = reading(engine)
    with Session(snapshot) as session:
        applied = changes.latest_change(session)
        versions = _versions(session, datasets)
        names = (
            list(datasets) if datasets else [summary.name for summary in store.list_datasets(session, _WHOLE)]
        )
    with Session(snapshot) as session:
        index = CandidateIndex.build(_records(session, names, progress))
    return LiveIndex(index, versions, applied)


def _records(
    session: Session, datasets: list[str], progress: Callable[[int], None] | None
) -> Iterator[MatchRecord]:
    for dataset in datasets:
        for count, stored in enumerate(store.iter_dataset(session, dataset, _WHOLE), start=1):
            if stored.proxy.schema.name in MATCHABLE:
                yield record_from_entity(stored.proxy, dataset)
            if progress is not None and count % 1_000 == 0:
                progress(1_000)


def catch_up(live: LiveIndex, engine: Engine, datasets: Sequence[str] | None) -> int:
    """Apply every change committed since the last one applied; how many changes there were.

    All is read from one snapshot of the store, so the dataset versions recorded at the end are
    those of the changes applied.
    """
    count = 0
    with Session(reading(engine)) as session:
        while True:
            found = changes.changes_after(session, live.applied, PAGE)
            if not found:
                break
            count += len(found)
            live.apply(steps_of(session, found, datasets), found[-1].seq)
            if len(found) < PAGE:
                break
        if count:
            live.apply([], live.applied, _versions(session, datasets))
    return count


def steps_of(session: Session, found: Iterable[changes.Change], datasets: Sequence[str] | None) -> list[Step]:
    """What the changes do to an index of `datasets` (all when None), in the order they committed."""
    steps: list[Step] = []
    for change in found:
        if datasets is not None and change.dataset not in datasets:
            continue
        if change.entity_id is not None:
            steps.append(Removal(change.dataset, change.entity_id))
        elif change.import_run is not None:
            written = changes.written_by_run(session, change.dataset, change.import_run, MATCHABLE)
            for entity_id, proxy in written:
                # An entity rewritten under a schema no one matches leaves the index.
                steps.append(
                    Removal(change.dataset, entity_id)
                    if proxy is None
                    else record_from_entity(proxy, change.dataset)
                )
    return steps


def _versions(session: Session, datasets: Sequence[str] | None) -> dict[str, str]:
    return {
        name: updated.isoformat()
        for name, updated in registry.updated_datasets(session).items()
        if datasets is None or name in datasets
    }


@dataclass(frozen=True, slots=True)
class IndexLag:
    """How far an index is behind the store: the last change applied (None before a build), the
    changes committed since, and the age in seconds of the oldest of them (0 when caught up)."""

    version: int | None
    behind: int
    lag_seconds: float


def lag(live: LiveIndex | None, engine: Engine, now: dt.datetime) -> IndexLag:
    """The lag of `live` behind the store, as of `now` (two indexed reads of the feed)."""
    applied = live.applied if live is not None else 0
    with Session(reading(engine)) as session:
        behind, oldest = changes.pending(session, applied)
    seconds = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return IndexLag(live.applied if live is not None else None, behind, round(seconds, 3))
