"""Match decisions: the xref review queue and reviewers' verdicts, which no later run overwrites.

An xref run refreshes its pairs: new ones join the queue as pending, confirmed and dismissed
ones keep their status, a dismissed pair whose data changed returns to pending (keeping who
dismissed it and when), and pending pairs the run no longer finds leave the queue; a re-raised
one the run no longer finds is dismissed again, as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, insert, or_, select, update
from sqlalchemy.orm import Session, aliased

from liaison.errors import BadInput, NotFound
from liaison.store.tables import EntityRow, MatchPairRow

__all__ = [
    "CONFIRMED",
    "DISMISSED",
    "PENDING",
    "STATUSES",
    "FoundPair",
    "MatchPair",
    "SavedCounts",
    "decisions",
    "get_pair",
    "list_pairs",
    "save_found_pairs",
    "set_decision",
]

PENDING, CONFIRMED, DISMISSED = "pending", "confirmed", "dismissed"
STATUSES = (PENDING, CONFIRMED, DISMISSED)
# Ids per IN list when deleting withdrawn pairs: well under SQLite's and PostgreSQL's limits.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class FoundPair:
    """A pair as an xref run found it: its stable id, its two entities, score, features and fingerprint."""

    pair_id: str
    left_dataset: str
    left_id: str
    right_dataset: str
    right_id: str
    score: float
    features: dict[str, dict[str, float | str]]
    fingerprint: str


@dataclass(frozen=True, slots=True)
class MatchPair:
    """A stored pair with its decision, and the current captions of its entities (None once deleted).

    On a pending pair, `decided_by` and `decided_at` record a dismissal that changed data re-raised.
    """

    pair_id: str
    left_dataset: str
    left_id: str
    left_caption: str | None
    right_dataset: str
    right_id: str
    right_caption: str | None
    score: float
    features: dict[str, dict[str, float | str]]
    fingerprint: str
    status: str
    decided_by: str | None
    decided_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class SavedCounts:
    """What storing a run did: pairs new, still pending, decided and kept, re-raised, and withdrawn."""

    new: int
    pending: int
    kept: int
    reraised: int
    withdrawn: int


def _in_scope(datasets: frozenset[str]) -> ColumnElement[bool]:
    """Pairs within one dataset, or between two: the pairs one xref run is responsible for."""
    if len(datasets) == 1:
        (name,) = datasets
        return and_(MatchPairRow.left_dataset == name, MatchPairRow.right_dataset == name)
    return and_(
        MatchPairRow.left_dataset.in_(datasets),
        MatchPairRow.right_dataset.in_(datasets),
        MatchPairRow.left_dataset != MatchPairRow.right_dataset,
    )


def save_found_pairs(
    session: Session, found: Sequence[FoundPair], datasets: frozenset[str], now: dt.datetime
) -> SavedCounts:
    """Store an xref run's pairs over `datasets` (one: duplicates, two: links); no decision is undone."""
    columns = (MatchPairRow.id, MatchPairRow.status, MatchPairRow.fingerprint, MatchPairRow.decided_by)
    existing = {
        pair_id: (status, fingerprint, decided_by)
        for pair_id, status, fingerprint, decided_by in session.execute(
            select(*columns).where(_in_scope(datasets))
        )
    }
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    pending = kept = reraised = 0
    for pair in found:
        values: dict[str, Any] = {
            "id": pair.pair_id,
            "score": pair.score,
            "features": pair.features,
            "fingerprint": pair.fingerprint,
            "updated_at": now,
        }
        stored = existing.get(pair.pair_id)
        if stored is None:
            inserts.append(_new_row(pair, now))
            continue
        status, fingerprint, _ = stored
        if status == DISMISSED and fingerprint != pair.fingerprint:
            status, reraised = PENDING, reraised + 1
        elif status == PENDING:
            pending += 1
        else:
            kept += 1
        updates.append({**values, "status": status})
    if inserts:
        session.execute(insert(MatchPairRow), inserts)
    if updates:
        session.execute(update(MatchPairRow), updates)
    seen = {pair.pair_id for pair in found}
    stale = [
        pair_id for pair_id, (status, _, _) in existing.items() if status == PENDING and pair_id not in seen
    ]
    # A re-raised pair that no longer matches goes back to its dismissal rather than away with it.
    redismissed = [
        {"id": pair_id, "status": DISMISSED, "updated_at": now} for pair_id in stale if existing[pair_id][2]
    ]
    if redismissed:
        session.execute(update(MatchPairRow), redismissed)
    unreviewed = [pair_id for pair_id in stale if not existing[pair_id][2]]
    for start in range(0, len(unreviewed), _CHUNK):
        chunk = unreviewed[start : start + _CHUNK]
        session.execute(delete(MatchPairRow).where(MatchPairRow.id.in_(chunk)))
    return SavedCounts(len(inserts), pending, kept, reraised, len(stale))


def _new_row(pair: FoundPair, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": pair.pair_id,
        "left_dataset": pair.left_dataset,
        "left_id": pair.left_id,
        "right_dataset": pair.right_dataset,
        "right_id": pair.right_id,
        "score": pair.score,
        "features": pair.features,
        "fingerprint": pair.fingerprint,
        "status": PENDING,
        "decided_by": None,
        "decided_at": None,
        "created_at": now,
        "updated_at": now,
    }


def _with_captions() -> Select[MatchPairRow, str, str]:
    left, right = aliased(EntityRow), aliased(EntityRow)
    return (
        select(MatchPairRow, left.caption, right.caption)
        .outerjoin(left, and_(left.dataset == MatchPairRow.left_dataset, left.id == MatchPairRow.left_id))
        .outerjoin(
            right, and_(right.dataset == MatchPairRow.right_dataset, right.id == MatchPairRow.right_id)
        )
    )


def _pairs(session: Session, query: Select[MatchPairRow, str, str]) -> list[MatchPair]:
    return [_pair(row, left, right) for row, left, right in session.execute(query)]


def _pair(row: MatchPairRow, left_caption: str | None, right_caption: str | None) -> MatchPair:
    return MatchPair(
        pair_id=row.id,
        left_dataset=row.left_dataset,
        left_id=row.left_id,
        left_caption=left_caption,
        right_dataset=row.right_dataset,
        right_id=row.right_id,
        right_caption=right_caption,
        score=row.score,
        features=row.features,
        fingerprint=row.fingerprint,
        status=row.status,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _touching(dataset: str) -> ColumnElement[bool]:
    return or_(MatchPairRow.left_dataset == dataset, MatchPairRow.right_dataset == dataset)


def get_pair(session: Session, pair_id: str) -> MatchPair:
    """The pair with this id, or NotFound naming it."""
    found = _pairs(session, _with_captions().where(MatchPairRow.id == pair_id))
    if not found:
        raise NotFound(f"no match pair with id {pair_id!r}; `liaison review list` shows the queue")
    return found[0]


def list_pairs(
    session: Session,
    status: str | None = PENDING,
    dataset: str | None = None,
    min_score: float | None = None,
    limit: int | None = None,
) -> list[MatchPair]:
    """Pairs by status (all when None), touching a dataset if given, best score first."""
    query = _with_captions()
    if status is not None:
        query = query.where(MatchPairRow.status == status)
    if dataset is not None:
        query = query.where(_touching(dataset))
    if min_score is not None:
        query = query.where(MatchPairRow.score >= min_score)
    query = query.order_by(MatchPairRow.score.desc(), MatchPairRow.id).limit(limit)
    return _pairs(session, query)


def decisions(session: Session) -> list[MatchPair]:
    """Confirmed and dismissed pairs of every dataset, in the order they were decided.

    Clusters need them all: a confirmed link from dataset A to B and one from B to C make one cluster.
    """
    query = _with_captions().where(MatchPairRow.status.in_((CONFIRMED, DISMISSED)))
    return _pairs(session, query.order_by(MatchPairRow.decided_at, MatchPairRow.id))


def set_decision(session: Session, pair_id: str, status: str, by: str, now: dt.datetime) -> None:
    """Record a reviewer's decision on a pair; NotFound for an unknown id."""
    if status not in STATUSES:
        raise BadInput(f"unknown decision {status!r}; use one of {', '.join(STATUSES)}")
    row = session.get(MatchPairRow, pair_id)
    if row is None:
        raise NotFound(f"no match pair with id {pair_id!r}; `liaison review list` shows the queue")
    row.status, row.decided_by, row.decided_at, row.updated_at = status, by, now, now
