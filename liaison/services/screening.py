"""Screening: queries against the store's entities through the one matching engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.errors import NotFound
from liaison.ingest.screening_csv import MATCHABLE, ScreeningRow
from liaison.matching.index import CandidateIndex
from liaison.matching.model import PRIORS, MatchScore, Weights, score_pair
from liaison.matching.record import MatchRecord, record_from_entity
from liaison.matching.shortlist import candidates_for
from liaison.model import Identity
from liaison.services import audit

__all__ = ["Hit", "Screened", "build_index", "match_record", "record_screening", "screen_rows"]


@dataclass(frozen=True, slots=True)
class Hit:
    """One match at or above the threshold, with its explained score."""

    entity_id: str
    dataset: str
    schema: str
    caption: str
    score: MatchScore


@dataclass(frozen=True, slots=True)
class Screened:
    """The outcome of one screening row: its hits, best first, or the error that stopped it."""

    row: int
    query: dict[str, str]
    hits: tuple[Hit, ...]
    error: str | None = None


def build_index(
    engine: Engine,
    identity: Identity,
    datasets: Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> CandidateIndex:
    """An index of the matchable entities of the given datasets (all when None) that the caller may read."""
    with Session(engine) as session:
        known = [summary.name for summary in store.list_datasets(session, identity)]
        names = list(datasets) if datasets else known
        missing = [name for name in names if name not in known]
        if missing:
            raise NotFound(f"no dataset named {', '.join(map(repr, missing))}; `liaison datasets` lists them")
        return CandidateIndex.build(_records(session, names, identity, progress))


def _records(
    session: Session, datasets: list[str], identity: Identity, progress: Callable[[int], None] | None
) -> Iterator[MatchRecord]:
    for dataset in datasets:
        for count, stored in enumerate(store.iter_dataset(session, dataset, identity), start=1):
            if stored.proxy.schema.name in MATCHABLE:
                yield record_from_entity(stored.proxy, dataset)
            if progress is not None and count % 1_000 == 0:
                progress(1_000)


def match_record(
    index: CandidateIndex,
    query: MatchRecord,
    *,
    threshold: float,
    limit: int,
    candidates: int,
    weights: Weights,
) -> tuple[Hit, ...]:
    """Score the shortlisted candidates for one query; keep those at or above the threshold, best first."""
    hits = []
    for record in candidates_for(index, query, max(candidates, limit)):
        result = score_pair(query, record, weights)
        if result.score >= threshold:
            hits.append(Hit(record.entity_id, record.dataset, record.schema, record.caption, result))
    hits.sort(key=lambda hit: (-hit.score.score, hit.dataset, hit.entity_id))
    return tuple(hits[:limit])


def screen_rows(
    index: CandidateIndex,
    rows: Iterable[ScreeningRow],
    *,
    threshold: float,
    limit: int,
    candidates: int = 25,
    weights: Weights = PRIORS,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Screened]:
    """Screen each row in order; a row that could not be read comes back with its error."""
    for row in rows:
        if row.query is None:
            yield Screened(row.row, row.values, (), row.error)
        else:
            query = record_from_entity(row.query, "query")
            hits = match_record(
                index, query, threshold=threshold, limit=limit, candidates=candidates, weights=weights
            )
            yield Screened(row.row, row.values, hits)
        if progress is not None:
            progress(1)


def record_screening(
    engine: Engine,
    identity: Identity,
    source: str,
    results: Sequence[Screened],
    now: dt.datetime,
    purpose: str = "",
) -> None:
    """Audit a screening run: who screened which file, how many rows, and which entities were hit."""
    hits = sorted({f"{hit.dataset}/{hit.entity_id}" for result in results for hit in result.hits})
    detail = {"rows": len(results), "errors": sum(1 for r in results if r.error), "hits": hits[:1_000]}
    with Session(engine) as session, session.begin():
        audit.record(session, identity, "screen", f"file:{source}", now=now, purpose=purpose, detail=detail)
