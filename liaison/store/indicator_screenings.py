"""First responders' indicator screenings as stored: added once per form token, read by agency."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.store.tables import IndicatorScreeningRow

__all__ = ["add_screening", "agency_screenings", "screening_by_token", "screening_row"]


def screening_by_token(session: Session, token: str) -> str | None:
    """The id of the screening recorded from this form token, if any."""
    return session.scalar(select(IndicatorScreeningRow.id).where(IndicatorScreeningRow.form_token == token))


def add_screening(session: Session, row: IndicatorScreeningRow) -> None:
    """Store a screening; a second row of the same form token fails on the unique key."""
    session.add(row)
    session.flush()


def screening_row(session: Session, screening_id: str) -> IndicatorScreeningRow | None:
    """One screening by id."""
    return session.get(IndicatorScreeningRow, screening_id)


def agency_screenings(session: Session, agency: str | None, limit: int) -> list[IndicatorScreeningRow]:
    """An agency's screenings (every agency's with None), newest first."""
    query = select(IndicatorScreeningRow).order_by(IndicatorScreeningRow.created.desc()).limit(limit)
    if agency is not None:
        query = query.where(IndicatorScreeningRow.agency == agency)
    return list(session.scalars(query))
