"""Alerts: reading the caller's alerts (to their agency or to them), oldest first, after a cursor."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind, rule
from liaison.errors import BadInput, Forbidden
from liaison.model import Identity
from liaison.store import alerts as alert_store
from liaison.store.alerts import Alert

__all__ = ["MAX_PAGE", "list_alerts", "view"]

MAX_PAGE = 500


def list_alerts(
    engine: Engine, identity: Identity, after: int = 0, limit: int = 100, newest_first: bool = False
) -> list[Alert]:
    """The caller's alerts with ids above `after`, oldest first unless asked; the operator sees all."""
    if not rule(identity, Action.READ, Kind.ALERT):
        raise Forbidden("sign in to see alerts")
    if after < 0 or not 1 <= limit <= MAX_PAGE:
        raise BadInput(f"'after' must be 0 or more and 'limit' 1 to {MAX_PAGE}")
    with Session(engine) as session:
        return alert_store.alerts_for(session, identity, after, limit, newest_first)


def view(alert: Alert) -> dict[str, Any]:
    """An alert as the CLI, the API and the event stream show it."""
    return {
        "id": alert.alert_id,
        "kind": alert.kind,
        "subject": alert.subject,
        "detail": alert.detail,
        "created_at": alert.created_at,
    }
