"""First responders' indicator screenings as stored: added once per form token, read as the access
decision allows (by the agency that recorded them)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind
from liaison.model import Identity
from liaison.store.access import where
from liaison.store.tables import IndicatorScreeningRow

__all__ = ["add_screening", "screening_by_token", "screening_row", "screenings_for"]


def screening_by_token(session: Session, token: str) -> str | None:
    """The id of the screening recorded from this form token, if any."""
    return session.scalar(select(IndicatorScreeningRow.id).where(IndicatorScreeningRow.form_token == token))


def add_screening(session: Session, row: IndicatorScreeningRow) -> None:
    """Store a screening; a second row of the same form token fails on the unique key."""
    session.add(row)
    session.flush()


def screening_row(session: Session, screening_id: str, identity: Identity) -> IndicatorScreeningRow | None:
    """One screening by id, if the caller may read it."""
    query = select(IndicatorScreeningRow).where(
        IndicatorScreeningRow.id == screening_id, where(identity, Action.READ, Kind.INDICATOR_SCREENING)
    )
    return session.scalar(query)


def screenings_for(session: Session, identity: Identity, limit: int) -> list[IndicatorScreeningRow]:
    """The screenings the caller may read, newest first."""
    query = (
        select(IndicatorScreeningRow)
        .where(where(identity, Action.READ, Kind.INDICATOR_SCREENING))
        .order_by(IndicatorScreeningRow.created.desc(), IndicatorScreeningRow.id)
        .limit(limit)
    )
    return list(session.scalars(query))
