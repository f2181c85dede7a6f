"""Watches and webhooks end to end on both backends.

Strategy: bob of NCB-ES watches a person; NCB-FR then imports records of that person under
different handling codes. Each import must alert bob as his access allows (the record, or only
a hit/no-hit reference) and tell the owner of a hidden hit. Webhook deliveries go to a real
HTTP receiver on 127.0.0.1 that is first down, then up: nothing may be lost, and what arrives
must carry a valid signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.services.accounts import access
from liaison.services.messaging import webhooks
from liaison.settings import Settings
from liaison.store import open_engine
from liaison.store.tables import WebhookRow
from liaison.store.watches import add_webhook
from tests.test_access_cli import two_agencies
from tests.test_cli import Cli

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)

SOKOLOV = {
    "id": "",
    "schema": "Person",
    "properties": {"name": ["Ivan Petrovich Sokolov"], "birthDate": ["1975-03-02"]},
}


@pytest.fixture
def cli(database_url: str) -> Cli:
    runner = two_agencies(database_url)
    runner("agency", "add", "NCB-IT", "--name", "NCB Rome", "--country", "IT", "--kind", "ncb")
    runner("user", "add", "carla", "--agency", "NCB-IT", "--role", "analyst")
    return runner


def load(cli: Cli, tmp_path: Path, entity_id: str, handling: str, dataset: str) -> None:
    path = tmp_path / f"{entity_id}.ftm.json"
    path.write_text(json.dumps({**SOKOLOV, "id": entity_id}))
    cli("import", "ftm", str(path), "--dataset", dataset, "--agency", "NCB-FR", "--handling", handling)


def alerts(cli: Cli, user: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in cli("--as", user, "alerts", "list", "--json").splitlines() if line]


def test_a_watch_alerts_within_its_watchers_access(cli: Cli, tmp_path: Path) -> None:
    cli(
        "--as", "bob", "watch", "add", "--name", "Ivan Sokolov", "--birth-date", "1975", "--label", "case 118"
    )
    load(cli, tmp_path, "fr-amber-1", "AMBER", "fr_cases")
    [reference] = alerts(cli, "bob")
    detail = reference["detail"]
    assert reference["kind"] == "watch.reference" and detail["owner_agency"] == "NCB-FR"  # type: ignore[index]
    assert "fr-amber-1" not in json.dumps(reference) and "Sokolov" not in json.dumps(reference)
    assert [a["kind"] for a in alerts(cli, "alice")] == ["hit"]  # the owner learns who hit it

    load(cli, tmp_path, "fr-green-1", "GREEN", "fr_shared")
    hit = alerts(cli, "bob")[-1]
    assert hit["kind"] == "watch.hit"
    assert (hit["detail"]["entity_id"], hit["detail"]["label"]) == ("fr-green-1", "case 118")  # type: ignore[index]
    assert alerts(cli, "carla") == []

    # A watch on an entity bob may read finds its other records; a removed watch is silent.
    listed = cli("--as", "bob", "watch", "list")
    watch_id = listed.split("\n")[3].split()[1]
    cli("--as", "bob", "watch", "remove", watch_id)
    cli("--as", "bob", "watch", "entity", "fr_shared", "fr-green-1")
    load(cli, tmp_path, "fr-green-2", "GREEN", "fr_more")
    assert alerts(cli, "bob")[-1]["detail"]["entity_id"] == "fr-green-2"  # type: ignore[index]
    cli("--as", "bob", "watch", "entity", "fr_cases", "fr-amber-1", code=4)  # not his to read


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("--as", "bob", "watch", "add", "--name", "X", "--schema", "Sanction"), 3, "Sanction"),
        (("--as", "bob", "watch", "add", "--name", "X", "--birth-date", "someday"), 3, "birthDate"),
        (("watch", "add", "--name", "X"), 5, "member"),
        (("--as", "bob", "webhook", "add", "ftp://example.org/x"), 3, "http"),
        (
            ("--as", "bob", "webhook", "add", "http://127.0.0.1:8199/internal-admin"),
            3,
            "127.0.0.1 is a loopback address",
        ),
    ],
)
def test_bad_watches_and_webhooks_are_refused(cli: Cli, args: tuple[str, ...], code: int, says: str) -> None:
    assert says in cli(*args, code=code)


class Receiver(http.server.BaseHTTPRequestHandler):
    """Records what it is sent; answers 503 while `down` is set."""

    received: ClassVar[list[tuple[bytes, str]]] = []
    down = threading.Event()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.down.is_set():
            self.send_response(503)
        else:
            Receiver.received.append((body, self.headers["X-Liaison-Signature"]))
            self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def receiver() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    Receiver.received.clear()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/alerts"
    server.shutdown()


def test_webhooks_are_signed_and_retried_until_received(
    cli: Cli, tmp_path: Path, database_url: str, receiver: str
) -> None:
    # The receiver listens on loopback, which webhooks may reach only when the installation allows
    # it; PostgreSQL has no default key file, so the key that seals secrets is named.
    key = tmp_path / "secret.key"
    cli.env.update(LIAISON_WEBHOOK_ALLOW="127.0.0.1", LIAISON_SECRET_KEY_FILE=str(key))
    settings = Settings(database_url=database_url, webhook_allow=("127.0.0.1",), secret_key_file=key)
    setup = webhooks.config(settings)
    added = cli("--as", "bob", "webhook", "add", receiver)
    secret = added.rsplit(" ", 1)[1].strip()
    cli("--as", "bob", "watch", "add", "--name", "Ivan Sokolov", "--birth-date", "1975")
    engine = open_engine(database_url)
    Receiver.down.set()
    load(cli, tmp_path, "fr-green-1", "GREEN", "fr_shared")
    now = dt.datetime.now(dt.UTC)
    assert webhooks.deliver_due(engine, now, setup) == (0, 1)  # the receiver is down: kept for later
    assert webhooks.deliver_due(engine, now, setup) == (0, 0)  # and not retried before its backoff
    Receiver.down.clear()
    assert webhooks.deliver_due(engine, now + dt.timedelta(seconds=2), setup) == (1, 0)
    assert webhooks.deliver_due(engine, now + dt.timedelta(hours=2), setup) == (0, 0)  # delivered once
    [(body, signature)] = Receiver.received
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
    delivered = json.loads(body)
    assert delivered["kind"] == "watch.hit" and delivered["detail"]["entity_id"] == "fr-green-1"
    # A receiver that is not listening at all is retried just the same.
    access_identity = access.identity_of(engine, "bob")
    webhooks.add(engine, access_identity, "http://127.0.0.1:9/nothing-listens", now, setup)
    load(cli, tmp_path, "fr-green-2", "GREEN", "fr_more")
    later = now + dt.timedelta(hours=3)
    assert webhooks.deliver_due(engine, later, setup) == (1, 1)
    engine.dispose()


def test_init_and_serve_seal_the_plaintext_secrets_of_an_older_store(
    cli: Cli, tmp_path: Path, database_url: str
) -> None:
    cli.env["LIAISON_SECRET_KEY_FILE"] = str(tmp_path / "secret.key")
    engine = open_engine(database_url)

    def kept_plain(webhook_id: str) -> None:
        with Session(engine) as session, session.begin():  # as Liaison kept them before sealing
            add_webhook(session, webhook_id, "bob", "https://soc.example.org/in", f"plain-{webhook_id}", NOW)

    kept_plain("00000000000000a1")
    assert "1 webhook secret sealed" in cli("init")
    kept_plain("00000000000000a2")
    with socket.socket() as taken:  # serve seals before it listens, so a port in use stops it after
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert "in use" in cli("serve", "--port", str(taken.getsockname()[1]), code=7)
    with Session(engine) as session:
        stored = list(session.scalars(select(WebhookRow.secret)))
    assert len(stored) == 2 and not any("plain-" in value for value in stored)
    engine.dispose()
