"""Webhooks: alerts posted to a user's own endpoint, signed with HMAC-SHA256, retried until received.

Each alert is queued for its recipients' webhooks in the transaction that raises it, so an alert
is never lost when a receiver is down: `deliver_due` posts what is due, and a failed post is
retried later with exponential backoff (1 s, 2 s, 4 s, … up to an hour), without end. The body
is the alert as JSON; `X-Liaison-Signature: sha256=<hex>` is the HMAC-SHA256 of the body under
the webhook's secret, which Liaison shows once when the webhook is added.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import threading
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import orjson
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.errors import BadInput, Forbidden, NotFound
from liaison.model import Identity, IdentityKind
from liaison.services import audit
from liaison.store import watches as watch_store
from liaison.store.watches import Delivery, Webhook

__all__ = ["MAX_BACKOFF", "add", "deliver_due", "deliver_until", "list_webhooks", "remove", "sign"]

logger = logging.getLogger(__name__)

MAX_BACKOFF = 3_600.0
"""Seconds between attempts at most, however long a receiver stays down."""
TIMEOUT = 5.0
BATCH = 50


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the HMAC-SHA256 of the body, in hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _member(identity: Identity) -> None:
    if identity.kind is not IdentityKind.MEMBER:
        raise Forbidden("webhooks belong to member agencies' users")


def add(engine: Engine, identity: Identity, url: str, now: dt.datetime) -> Webhook:
    """Register a webhook for the caller's alerts; its secret is in the result, shown only now."""
    _member(identity)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2_000:
        raise BadInput(f"field 'url': {url[:100]!r} is not an http(s) URL")
    with Session(engine) as session, session.begin():
        hook = watch_store.add_webhook(session, identity.actor, url, secrets.token_urlsafe(32), now)
        audit.record(
            session, identity, "webhook.add", f"webhook:{hook.webhook_id}", now=now, detail={"url": url}
        )
        return hook


def list_webhooks(engine: Engine, identity: Identity) -> list[Webhook]:
    """The caller's webhooks."""
    _member(identity)
    with Session(engine) as session:
        return watch_store.list_webhooks(session, identity.actor)


def remove(engine: Engine, identity: Identity, webhook_id: str, now: dt.datetime) -> None:
    """Remove a webhook of the caller's, and what it still had to deliver."""
    _member(identity)
    with Session(engine) as session, session.begin():
        if not watch_store.remove_webhook(session, webhook_id, identity.actor):
            raise NotFound(f"no webhook {webhook_id!r} of yours")
        audit.record(session, identity, "webhook.remove", f"webhook:{webhook_id}", now=now)


def _post(delivery: Delivery) -> str | None:
    """Post one delivery; None when the receiver took it (2xx), else what went wrong."""
    body = orjson.dumps(delivery.alert)
    request = urllib.request.Request(
        delivery.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Liaison-Signature": sign(delivery.secret, body),
            "X-Liaison-Delivery": str(delivery.delivery_id),
            "User-Agent": "Liaison-Webhook",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None if 200 <= status < 300 else f"HTTP {status}"


def deliver_due(engine: Engine, now: dt.datetime) -> tuple[int, int]:
    """Post every delivery that is due; (delivered, failed). Failures are retried later, never dropped."""
    with Session(engine) as session:
        due = watch_store.deliveries_due(session, now, BATCH)
    outcomes = [(delivery, _post(delivery)) for delivery in due]
    with Session(engine) as session, session.begin():
        for delivery, error in outcomes:
            backoff = min(MAX_BACKOFF, 2.0**delivery.attempts)
            watch_store.mark_delivery(
                session,
                delivery.delivery_id,
                delivered=dt.datetime.now(dt.UTC) if error is None else None,
                retry_at=None if error is None else now + dt.timedelta(seconds=backoff),
                error=error or "",
            )
    failed = sum(1 for _delivery, error in outcomes if error is not None)
    return len(outcomes) - failed, failed


def deliver_until(engine: Engine, stop: threading.Event, every: float = 0.5) -> None:
    """Deliver what is due every `every` seconds until `stop` is set (the server's delivery thread)."""
    while not stop.wait(every):
        try:
            deliver_due(engine, dt.datetime.now(dt.UTC))
        except Exception:  # the thread must outlive a database hiccup; the deliveries wait in the store
            logger.exception("webhook delivery round failed")
