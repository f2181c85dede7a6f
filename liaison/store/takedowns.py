"""Takedowns as stored: one row per operation and target, and the share ended per country."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.model.takedown import Stage, Target
from liaison.store.tables import TakedownRow

__all__ = ["CountryShare", "Takedown", "add_takedown", "country_shares", "get_takedown", "list_takedowns"]


@dataclass(frozen=True, slots=True)
class Takedown:
    """A target of an operation and where its takedown stands."""

    takedown_id: int
    operation_id: str
    kind: Target
    value: str
    country: str
    provider: str
    stage: Stage
    agency: str
    notified_to: str
    identified_on: dt.date
    notified_on: dt.date | None
    ended_on: dt.date | None
    note: str
    created_by: str
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class CountryShare:
    """A country's targets in an operation, by stage, and the share taken down or seized."""

    country: str
    identified: int
    notified: int
    taken_down: int
    seized: int

    @property
    def targets(self) -> int:
        """Targets in all stages."""
        return self.identified + self.notified + self.taken_down + self.seized

    @property
    def share(self) -> float:
        """The share of targets taken down or seized."""
        return (self.taken_down + self.seized) / self.targets if self.targets else 0.0


def _takedown(row: TakedownRow) -> Takedown:
    return Takedown(
        row.id,
        row.operation,
        Target(row.kind),
        row.value,
        row.country,
        row.provider,
        Stage(row.stage),
        row.agency,
        row.notified_to,
        row.identified_on,
        row.notified_on,
        row.ended_on,
        row.note,
        row.created_by,
        row.updated_at,
    )


def add_takedown(session: Session, row: TakedownRow) -> Takedown:
    """Store a new target; the caller has checked it is not held yet."""
    session.add(row)
    session.flush()
    return _takedown(row)


def get_takedown(session: Session, takedown_id: int, *, lock: bool = False) -> TakedownRow | None:
    """The row of a takedown, locked for an update when asked."""
    query = select(TakedownRow).where(TakedownRow.id == takedown_id)
    return session.scalar(query.with_for_update() if lock else query)


def list_takedowns(session: Session, operation_id: str, stage: Stage | None = None) -> list[Takedown]:
    """An operation's targets, by country then value."""
    query = select(TakedownRow).where(TakedownRow.operation == operation_id)
    if stage is not None:
        query = query.where(TakedownRow.stage == stage.value)
    return [_takedown(row) for row in session.scalars(query.order_by(TakedownRow.country, TakedownRow.value))]


def country_shares(session: Session, operation_id: str) -> list[CountryShare]:
    """Per country, the targets at each stage; counted in the database, one row per country and stage."""
    query = (
        select(TakedownRow.country, TakedownRow.stage, func.count())
        .where(TakedownRow.operation == operation_id)
        .group_by(TakedownRow.country, TakedownRow.stage)
    )
    counts: dict[str, dict[str, int]] = {}
    for country, stage, count in session.execute(query):
        counts.setdefault(country, {})[stage] = count
    return [
        CountryShare(country, *(counts[country].get(stage.value, 0) for stage in Stage))
        for country in sorted(counts)
    ]
