"""Alerts: rows addressed to an agency or a user, read in id order so a stream can resume."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind
from liaison.model import Identity
from liaison.store.access import where
from liaison.store.tables import AlertRow
from liaison.store.watches import enqueue_deliveries

__all__ = ["Alert", "add_alert", "alerts_for"]


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert: to whom, what kind, about what, and when."""

    alert_id: int
    agency: str | None
    user: str | None
    kind: str
    subject: str
    detail: dict[str, Any]
    created_at: dt.datetime


def add_alert(
    session: Session,
    *,
    kind: str,
    subject: str,
    detail: dict[str, Any],
    now: dt.datetime,
    agency: str | None = None,
    user: str | None = None,
) -> int:
    """Raise an alert to an agency's users or to one user, in the session's transaction; its id.

    The recipients' webhooks get a delivery each, queued in the same transaction.
    """
    if agency is None and user is None:
        raise ValueError("an alert is addressed to an agency or a user")
    row = AlertRow(agency=agency, user=user, kind=kind, subject=subject, detail=detail, created_at=now)
    session.add(row)
    session.flush()
    # Queued with the alert, in its transaction: a webhook that is down misses nothing.
    enqueue_deliveries(session, row.id, agency, user, now)
    return row.id


def alerts_for(
    session: Session, identity: Identity, after: int = 0, limit: int = 100, newest_first: bool = False
) -> list[Alert]:
    """The caller's alerts (to their agency or to them) with ids above `after`, oldest first unless asked."""
    order = AlertRow.id.desc() if newest_first else AlertRow.id
    readable = where(identity, Action.READ, Kind.ALERT)
    query = select(AlertRow).where(AlertRow.id > after, readable).order_by(order).limit(limit)
    return [
        Alert(row.id, row.agency, row.user, row.kind, row.subject, row.detail, row.created_at)
        for row in session.scalars(query)
    ]
