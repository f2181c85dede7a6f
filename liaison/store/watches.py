"""Watches, webhooks and webhook deliveries."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind
from liaison.model import Identity
from liaison.store.access import where
from liaison.store.tables import AlertRow, DeliveryRow, UserRow, WatchRow, WebhookRow

__all__ = [
    "Delivery",
    "Watch",
    "Webhook",
    "add_watch",
    "add_webhook",
    "all_watches",
    "count_watches",
    "deliveries_due",
    "enqueue_deliveries",
    "list_watches",
    "list_webhooks",
    "mark_delivery",
    "remove_watch",
    "remove_webhook",
    "set_webhook_secret",
    "webhook_secrets",
]


@dataclass(frozen=True, slots=True)
class Watch:
    """A user's watch: an FtM query example and the score from which a record is a hit."""

    watch_id: str
    user: str
    label: str
    query: dict[str, Any]
    threshold: float
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Webhook:
    """A user's webhook (its sealed secret stays in the store)."""

    webhook_id: str
    user: str
    url: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Delivery:
    """An alert due to be posted to a webhook, with what posting needs."""

    delivery_id: int
    attempts: int
    webhook_id: str
    url: str
    sealed_secret: str
    user: str
    alert: dict[str, Any]


def add_watch(
    session: Session, user: str, label: str, query: dict[str, Any], threshold: float, now: dt.datetime
) -> Watch:
    """A new watch for a user."""
    row = WatchRow(
        id=secrets.token_hex(8), user=user, label=label, query=query, threshold=threshold, created_at=now
    )
    session.add(row)
    session.flush()
    return _watch(row)


def _watch(row: WatchRow) -> Watch:
    return Watch(row.id, row.user, row.label, dict(row.query), row.threshold, row.created_at)


def list_watches(session: Session, identity: Identity) -> list[Watch]:
    """The watches the caller may read: their own."""
    visible = where(identity, Action.READ, Kind.WATCH)
    query = select(WatchRow).where(visible).order_by(WatchRow.created_at, WatchRow.id)
    return [_watch(row) for row in session.scalars(query)]


def all_watches(session: Session) -> list[Watch]:
    """Every user's watches, for checking new data against them (never shown to anyone)."""
    query = select(WatchRow).order_by(WatchRow.created_at, WatchRow.id)
    return [_watch(row) for row in session.scalars(query)]


def count_watches(session: Session) -> int:
    """How many watches there are: none means an import has nothing to check."""
    return session.scalar(select(func.count()).select_from(WatchRow)) or 0


def remove_watch(session: Session, watch_id: str, identity: Identity) -> bool:
    """Delete a watch the caller may write (their own); whether it was theirs and existed."""
    writable = where(identity, Action.WRITE, Kind.WATCH)
    deleted = session.execute(delete(WatchRow).where(WatchRow.id == watch_id, writable))
    return bool(deleted.rowcount)  # type: ignore[attr-defined]


def add_webhook(
    session: Session, webhook_id: str, user: str, url: str, sealed_secret: str, now: dt.datetime
) -> Webhook:
    """A new webhook for a user, its secret sealed for its id."""
    row = WebhookRow(id=webhook_id, user=user, url=url, secret=sealed_secret, created_at=now)
    session.add(row)
    session.flush()
    return Webhook(row.id, row.user, row.url, row.created_at)


def list_webhooks(session: Session, identity: Identity) -> list[Webhook]:
    """The webhooks the caller may read: their own."""
    visible = where(identity, Action.READ, Kind.WEBHOOK)
    query = select(WebhookRow).where(visible).order_by(WebhookRow.created_at, WebhookRow.id)
    return [Webhook(row.id, row.user, row.url, row.created_at) for row in session.scalars(query)]


def webhook_secrets(session: Session) -> list[tuple[str, str]]:
    """(id, stored secret) of every webhook, to seal those an older Liaison kept in plain text."""
    return [
        (webhook_id, stored)
        for webhook_id, stored in session.execute(select(WebhookRow.id, WebhookRow.secret))
    ]


def set_webhook_secret(session: Session, webhook_id: str, sealed_secret: str) -> None:
    """Replace a webhook's stored secret."""
    row = session.get(WebhookRow, webhook_id)
    if row is not None:
        row.secret = sealed_secret


def remove_webhook(session: Session, webhook_id: str, identity: Identity) -> bool:
    """Delete a webhook the caller may write (their own) and what it still had to deliver; whether
    it was theirs."""
    writable = where(identity, Action.WRITE, Kind.WEBHOOK)
    owned = session.scalar(select(WebhookRow.id).where(WebhookRow.id == webhook_id, writable))
    if owned is None:
        return False
    session.execute(delete(DeliveryRow).where(DeliveryRow.webhook == webhook_id))
    session.execute(delete(WebhookRow).where(WebhookRow.id == webhook_id))
    return True


def enqueue_deliveries(
    session: Session, alert_id: int, agency: str | None, user: str | None, now: dt.datetime
) -> int:
    """Queue an alert for every webhook of its recipients, in the alert's transaction; how many."""
    recipients = [UserRow.name == user] if user is not None else []
    if agency is not None:
        recipients.append(UserRow.agency == agency)
    hooks = session.scalars(
        select(WebhookRow.id)
        .join(UserRow, UserRow.name == WebhookRow.user)
        .where(or_(*recipients), ~UserRow.disabled)
    ).all()
    session.add_all(
        DeliveryRow(
            webhook=hook, alert=alert_id, attempts=0, next_attempt_at=now, delivered_at=None, last_error=""
        )
        for hook in hooks
    )
    return len(hooks)


def deliveries_due(session: Session, now: dt.datetime, limit: int) -> list[Delivery]:
    """Deliveries not yet made whose next attempt is due, oldest first."""
    query = (
        select(DeliveryRow, WebhookRow, AlertRow)
        .join(WebhookRow, WebhookRow.id == DeliveryRow.webhook)
        .join(AlertRow, AlertRow.id == DeliveryRow.alert)
        .where(DeliveryRow.delivered_at.is_(None), DeliveryRow.next_attempt_at <= now)
        .order_by(DeliveryRow.next_attempt_at, DeliveryRow.id)
        .limit(limit)
    )
    due = []
    for delivery, hook, alert in session.execute(query):
        body = {
            "id": alert.id,
            "kind": alert.kind,
            "subject": alert.subject,
            "detail": alert.detail,
            "created_at": alert.created_at.isoformat(),
            "agency": alert.agency,
            "user": alert.user,
        }
        due.append(Delivery(delivery.id, delivery.attempts, hook.id, hook.url, hook.secret, hook.user, body))
    return due


def mark_delivery(
    session: Session,
    delivery_id: int,
    *,
    delivered: dt.datetime | None,
    retry_at: dt.datetime | None,
    error: str,
) -> None:
    """Record an attempt: delivered, or failed with the time of the next attempt."""
    row = session.get(DeliveryRow, delivery_id)
    if row is None:
        return
    row.attempts += 1
    row.last_error = error[:1_000]
    if delivered is not None:
        row.delivered_at = delivered
    elif retry_at is not None:
        row.next_attempt_at = retry_at
