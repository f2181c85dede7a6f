"""Screening: queries against the store's entities through the one matching engine.

The index holds every record of the datasets screened, so it scores the same for everyone;
`settle` then keeps the hits the caller may read and turns the others into hit/no-hit
references, in the transaction that audits the run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from followthemoney.proxy import EntityProxy
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.errors import NotFound
from liaison.ingest.screening_csv import ScreeningRow
from liaison.matching.index import CandidateIndex
from liaison.matching.model import PRIORS, MatchScore, Weights, score_pair
from liaison.matching.record import MATCHABLE, MatchRecord, record_from_entity
from liaison.matching.shortlist import candidates_for
from liaison.model import Identity
from liaison.services import audit, hits
from liaison.services.hits import Reference

__all__ = ["Hit", "Screened", "Written", "build_index", "match_record", "screen_rows", "settle"]

_WHOLE = Identity.operator()
"""Whom the index is built as: every record, so hidden ones can still be hit."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One match at or above the threshold, with its explained score."""

    entity_id: str
    dataset: str
    schema: str
    caption: str
    score: MatchScore


@dataclass(frozen=True, slots=True)
class Written:
    """What one committed write put in a dataset, indexed on its own for the standing queries."""

    dataset: str
    proxies: dict[str, EntityProxy]
    index: CandidateIndex


@dataclass(frozen=True, slots=True)
class Screened:
    """The outcome of one screening row: its hits, best first, or the error that stopped it;
    `notes` say which of its values it was screened without."""

    row: int
    query: dict[str, str]
    hits: tuple[Hit, ...]
    error: str | None = None
    references: tuple[Reference, ...] = ()
    notes: tuple[str, ...] = ()


def build_index(
    engine: Engine,
    identity: Identity,
    datasets: Sequence[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> CandidateIndex:
    """An index of every matchable entity of the given datasets, or of all datasets when None.

    Named datasets must be ones the caller may know of. The index is not what the caller
    receives: pass the results through `settle`.
    """
    with Session(engine) as session:
        known = [summary.name for summary in store.list_datasets(session, identity)]
        missing = [name for name in datasets or () if name not in known]
        if missing:
            raise NotFound(f"no dataset named {', '.join(map(repr, missing))}; `liaison datasets` lists them")
        names = (
            list(datasets) if datasets else [summary.name for summary in store.list_datasets(session, _WHOLE)]
        )
        return CandidateIndex.build(_records(session, names, progress))


def _records(
    session: Session, datasets: list[str], progress: Callable[[int], None] | None
) -> Iterator[MatchRecord]:
    for dataset in datasets:
        for count, stored in enumerate(store.iter_dataset(session, dataset, _WHOLE), start=1):
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
            yield Screened(row.row, row.values, hits, notes=row.notes)
        if progress is not None:
            progress(1)


def settle(
    engine: Engine,
    identity: Identity,
    source: str,
    results: Sequence[Screened],
    now: dt.datetime,
    purpose: str = "",
) -> list[Screened]:
    """What the caller receives of a screening run, audited: the hits they may read, in full, and
    a hit/no-hit reference (owner alerted) for each hit they may not.
    """
    wanted = {(hit.dataset, hit.entity_id) for result in results for hit in result.hits}
    settled = []
    with Session(engine) as session, session.begin():
        open_to = store.readable_copies(session, wanted, identity)
        for result in results:
            shown = tuple(hit for hit in result.hits if (hit.dataset, hit.entity_id) in open_to)
            closed = [hit for hit in result.hits if (hit.dataset, hit.entity_id) not in open_to]
            hidden = [(hit.entity_id, hit.score.score) for hit in closed]
            datasets = frozenset(hit.dataset for hit in closed)
            references = hits.note_hits(session, identity, hidden, "screen", now, datasets) if hidden else []
            settled.append(replace(result, hits=shown, references=tuple(references)))
        seen = sorted({f"{hit.dataset}/{hit.entity_id}" for result in settled for hit in result.hits})
        detail = {
            "rows": len(results),
            "errors": sum(1 for result in results if result.error),
            "hits": seen[:1_000],
            "references": sum(len(result.references) for result in settled),
        }
        audit.record(session, identity, "screen", f"file:{source}", now=now, purpose=purpose, detail=detail)
    return settled
