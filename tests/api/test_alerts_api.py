"""Watches, webhooks and the alert stream over HTTP on both backends."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from liaison.access.sealing import new_key
from liaison.api.app import create_app
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.settings import Settings

NOW = dt.datetime.now(dt.UTC)
PERSON = {"schema": "Person", "properties": {"name": ["Ivan Petrovich Sokolov"], "birthDate": ["1975-03-02"]}}


def token(engine: Engine, user: str) -> dict[str, str]:
    made, _ = access.create_token(engine, Identity.operator(), user, NOW, scopes=("read", "write"))
    return {"Authorization": f"ApiKey {made.text}"}


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency) -> Iterator[TestClient]:
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    access.add_user(engine, Identity.operator(), "alice", "NCB-FR", Role.ANALYST, NOW)
    access.add_user(engine, Identity.operator(), "bob", "NCB-ES", Role.ANALYST, NOW)
    # PostgreSQL has no default key file: the key that seals webhook secrets is given.
    settings = Settings(database_url=database_url, secret_key=new_key())
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def events(
    client: TestClient, headers: dict[str, str], path: str = "/api/v1/alerts/stream", **params: object
) -> list[dict[str, object]]:
    """The events of a stream asked to close after `max_events`."""
    found, current = [], {}
    with client.stream("GET", path, params=params, headers=headers) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("id: "):
                current = {"id": int(line[4:])}
            elif line.startswith("event: "):
                current["event"] = line[7:]
            elif line.startswith("data: "):
                found.append({**current, "data": json.loads(line[6:])})
    return found


def test_a_write_matching_a_watch_reaches_the_stream(client: TestClient, engine: Engine) -> None:
    alice, bob = token(engine, "alice"), token(engine, "bob")
    watch = client.post("/api/v1/watches", json={"label": "case 118", **PERSON}, headers=bob)
    assert watch.status_code == 201
    assert [w["label"] for w in client.get("/api/v1/watches", headers=bob).json()] == ["case 118"]
    hook = client.post("/api/v1/webhooks", json={"url": "https://soc.example.org/in"}, headers=bob).json()
    assert (
        len(hook["secret"]) >= 40 and client.get("/api/v1/webhooks", headers=bob).json()[0]["secret"] is None
    )

    for n, handling in enumerate(("GREEN", "RED")):
        record = {"id": f"p{n}", **PERSON, "handling": handling, "purpose": "case"}
        assert (
            client.post("/api/v1/datasets/ncb_fr_cases/entities", json=record, headers=alice).status_code
            == 201
        )
    first, second = events(client, bob, max_events=2)
    assert (first["event"], first["data"]["detail"]["entity_id"]) == ("watch.hit", "p0")  # type: ignore[index]
    assert second["event"] == "watch.reference" and "p1" not in json.dumps(second)
    # Reconnecting with Last-Event-ID resumes after it.
    [resumed] = events(client, {**bob, "Last-Event-ID": str(first["id"])}, max_events=1)
    assert resumed["id"] == second["id"]
    assert client.get("/api/v1/alerts/stream").status_code == 403  # the public has no alerts
    assert client.delete(f"/api/v1/watches/{watch.json()['id']}", headers=alice).status_code == 404
    assert client.delete(f"/api/v1/watches/{watch.json()['id']}", headers=bob).status_code == 204
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=bob).status_code == 204


def test_a_webhook_inside_the_network_is_refused(client: TestClient, engine: Engine) -> None:
    bob = token(engine, "bob")
    refused = client.post(
        "/api/v1/webhooks", json={"url": "http://169.254.169.254/latest/meta-data/"}, headers=bob
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "169.254.169.254 is a cloud metadata address" in refused.json()["detail"]
    assert client.get("/api/v1/webhooks", headers=bob).json() == []
