"""Webhooks: alerts posted to a user's own endpoint, signed with HMAC-SHA256, retried until received.

Each alert is queued for its recipients' webhooks in the transaction that raises it, so an alert
is never lost when a receiver is down: `deliver_due` posts what is due, and a failed post is
retried later with exponential backoff (1 s, 2 s, 4 s, … up to an hour), without end. The body
is the alert as JSON; `X-Liaison-Signature: sha256=<hex>` is the HMAC-SHA256 of the body under
the webhook's secret, which Liaison shows once when the webhook is added and keeps sealed
(liaison.access.sealing) under a key outside the database. Posts go only to public addresses
or networks the installation allows (liaison.services.messaging.webhook_targets), checked when a webhook
is added and again before each post, which goes to the address checked and follows no redirect.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import http.client
import logging
import secrets
import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

import orjson
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind, OwnedFacts, may
from liaison.access.sealing import Sealer, key_file, read_key
from liaison.errors import BadInput, Forbidden, LiaisonError, NotFound, Unavailable
from liaison.model import Identity
from liaison.services.accounts import audit
from liaison.services.accounts.node_secret import beside_store
from liaison.services.messaging import webhook_targets as targets
from liaison.settings import Settings
from liaison.store import watches as watch_store
from liaison.store.watches import Delivery, Webhook

__all__ = [
    "MAX_BACKOFF",
    "NewWebhook",
    "WebhookConfig",
    "add",
    "config",
    "deliver_due",
    "deliver_until",
    "list_webhooks",
    "remove",
    "seal_plaintext",
    "sign",
]

logger = logging.getLogger(__name__)

MAX_BACKOFF = 3_600.0
"""Seconds between attempts at most, however long a receiver stays down."""
TIMEOUT = 5.0
BATCH = 50
_TLS = ssl.create_default_context()


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    """The installation's webhook configuration: the networks allowed besides the public internet,
    where the key sealing secrets comes from, and the resolver (the system's, but in tests)."""

    allow: tuple[targets.Network, ...]
    secret_key: str | None
    key_file: Path | None
    resolve: targets.Resolve = targets.resolve_name

    def sealer(self, create: bool) -> Sealer:
        """The sealer of the configured key; a missing key file is made only when `create` is set."""
        if self.secret_key is not None:
            return read_key(self.secret_key, "LIAISON_SECRET_KEY")
        if self.key_file is None:
            raise Unavailable(
                "webhook secrets are sealed under a key kept outside the database: set LIAISON_SECRET_KEY "
                "(e.g. `openssl rand -base64 32`) or LIAISON_SECRET_KEY_FILE"
            )
        return key_file(self.key_file, create)


def config(settings: Settings, resolve: targets.Resolve = targets.resolve_name) -> WebhookConfig:
    """The webhook configuration of these settings."""
    key = settings.secret_key.get_secret_value() if settings.secret_key else None
    key_path = settings.secret_key_file or beside_store(settings.database_url)
    return WebhookConfig(settings.webhook_allow, key, key_path, resolve)


@dataclass(frozen=True, slots=True)
class NewWebhook:
    """A webhook as added, with its signing secret: the only time Liaison shows it."""

    webhook: Webhook
    secret: str


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the HMAC-SHA256 of the body, in hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _context(webhook_id: str) -> str:
    # What a sealed secret is bound to: copied onto another webhook's row, it does not open.
    return f"webhook:{webhook_id}"


def _member(identity: Identity) -> None:
    decision = may(identity, Action.WRITE, OwnedFacts(Kind.WEBHOOK, identity.user))
    if not decision:
        raise Forbidden(decision.reason)


def add(engine: Engine, identity: Identity, url: str, now: dt.datetime, setup: WebhookConfig) -> NewWebhook:
    """Register a webhook for the caller's alerts; its secret is in the result, shown only now."""
    _member(identity)
    try:
        # A name that does not resolve yet may be added: each delivery checks it again.
        with contextlib.suppress(Unavailable):
            targets.check(url, setup.allow, setup.resolve)
    except BadInput as exc:
        raise BadInput(f"field 'url': {exc}") from exc
    webhook_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    sealed = setup.sealer(create=True).seal(secret, _context(webhook_id))
    with Session(engine) as session, session.begin():
        hook = watch_store.add_webhook(session, webhook_id, identity.actor, url, sealed, now)
        audit.record(
            session, identity, "webhook.add", f"webhook:{hook.webhook_id}", now=now, detail={"url": url}
        )
        return NewWebhook(hook, secret)


def list_webhooks(engine: Engine, identity: Identity) -> list[Webhook]:
    """The caller's webhooks."""
    _member(identity)
    with Session(engine) as session:
        return watch_store.list_webhooks(session, identity)


def remove(engine: Engine, identity: Identity, webhook_id: str, now: dt.datetime) -> None:
    """Remove a webhook of the caller's, and what it still had to deliver."""
    _member(identity)
    with Session(engine) as session, session.begin():
        if not watch_store.remove_webhook(session, webhook_id, identity):
            raise NotFound(f"no webhook {webhook_id!r} of yours")
        audit.record(session, identity, "webhook.remove", f"webhook:{webhook_id}", now=now)


class _Pinned(http.client.HTTPConnection):
    """A connection to the address that was checked, whatever the name resolves to by now.

    The request still names the host (Host header, TLS server name and certificate check).
    """

    def __init__(self, target: targets.Target) -> None:
        super().__init__(target.host, target.port, timeout=TIMEOUT)
        self.default_port = 443 if target.scheme == "https" else 80
        self._target = target

    def connect(self) -> None:
        sock = socket.create_connection((str(self._target.addresses[0]), self.port), self.timeout)
        self.sock = (
            _TLS.wrap_socket(sock, server_hostname=self.host) if self._target.scheme == "https" else sock
        )


def _post(delivery: Delivery, setup: WebhookConfig) -> str | None:
    """Post one delivery; None when the receiver took it (2xx), else what went wrong.

    Redirects are not followed: one could point anywhere, past the check.
    """
    try:
        target = targets.check(delivery.url, setup.allow, setup.resolve)
        secret = setup.sealer(create=False).open(delivery.sealed_secret, _context(delivery.webhook_id))
    except LiaisonError as exc:
        return str(exc)
    body = orjson.dumps(delivery.alert)
    headers = {
        "Content-Type": "application/json",
        "X-Liaison-Signature": sign(secret, body),
        "X-Liaison-Delivery": str(delivery.delivery_id),
        "User-Agent": "Liaison-Webhook",
    }
    connection = _Pinned(target)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        status = connection.getresponse().status
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
    if 300 <= status < 400:
        return f"HTTP {status} (redirects are not followed)"
    return None if 200 <= status < 300 else f"HTTP {status}"


def deliver_due(engine: Engine, now: dt.datetime, setup: WebhookConfig) -> tuple[int, int]:
    """Post every delivery that is due; (delivered, failed). Failures are retried later, never dropped."""
    with Session(engine) as session:
        due = watch_store.deliveries_due(session, now, BATCH)
    outcomes = [(delivery, _post(delivery, setup)) for delivery in due]
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


def seal_plaintext(engine: Engine, setup: WebhookConfig) -> int:
    """Seal the secrets an older Liaison kept in plain text; how many (`liaison init` and `serve` call it)."""
    with Session(engine) as session, session.begin():
        plain = [
            (hook, value) for hook, value in watch_store.webhook_secrets(session) if not Sealer.holds(value)
        ]
        if plain:
            sealer = setup.sealer(create=True)
            for webhook_id, secret in plain:
                watch_store.set_webhook_secret(session, webhook_id, sealer.seal(secret, _context(webhook_id)))
        return len(plain)


def deliver_until(engine: Engine, setup: WebhookConfig, stop: threading.Event, every: float = 0.5) -> None:
    """Deliver what is due every `every` seconds until `stop` is set (the server's delivery thread)."""
    while not stop.wait(every):
        try:
            deliver_due(engine, dt.datetime.now(dt.UTC), setup)
        except Exception:  # the thread must outlive a database hiccup; the deliveries wait in the store
            logger.exception("webhook delivery round failed")
