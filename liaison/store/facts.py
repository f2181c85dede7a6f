"""Facts about the store as a whole, kept by key (the demo world's loading state, for one)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from liaison.store.tables import StoreFactRow

__all__ = ["get_fact", "set_fact"]


def get_fact(session: Session, key: str) -> dict[str, str | int] | None:
    """The fact kept under `key`, or None."""
    row = session.get(StoreFactRow, key)
    return dict(row.value) if row is not None else None


def set_fact(session: Session, key: str, value: dict[str, str | int], now: dt.datetime) -> None:
    """Keep `value` under `key`, replacing what was there."""
    row = session.get(StoreFactRow, key)
    if row is None:
        session.add(StoreFactRow(key=key, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
