"""Threads over HTTP on both backends: open, list with unread counts, read (receipts), reply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from liaison.api.app import create_app
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.settings import Settings

NOW = dt.datetime.now(dt.UTC)


def token(engine: Engine, user: str) -> dict[str, str]:
    made, _ = access.create_token(engine, Identity.operator(), user, NOW, scopes=("read", "write"))
    return {"Authorization": f"Bearer {made.text}"}


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency) -> Iterator[TestClient]:
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    access.add_user(engine, Identity.operator(), "alice", "NCB-FR", Role.ANALYST, NOW)
    access.add_user(engine, Identity.operator(), "bob", "NCB-ES", Role.ANALYST, NOW)
    with TestClient(create_app(Settings(database_url=database_url))) as test_client:
        yield test_client


def test_a_thread_over_http(client: TestClient, engine: Engine) -> None:
    alice, bob = token(engine, "alice"), token(engine, "bob")
    opened = client.post(
        "/api/v1/threads",
        json={"subject": "Aurora", "to": ["NCB-ES"], "body": "ETA 04:00", "priority": "flash"},
        headers=alice,
    )
    assert opened.status_code == 201
    thread = opened.json()["id"]
    listed = client.get("/api/v1/threads", headers=bob).json()
    assert (listed["total"], listed["results"][0]["unread"]) == (1, 1)
    assert [a["kind"] for a in client.get("/api/v1/alerts", headers=bob).json()["results"]] == [
        "message.flash"
    ]
    read = client.get(f"/api/v1/threads/{thread}", headers=bob).json()
    assert [m["body"] for m in read["messages"]] == ["ETA 04:00"]
    assert client.get("/api/v1/threads", headers=bob).json()["results"][0]["unread"] == 0
    first = read["messages"][0]["id"]
    answered = client.post(
        f"/api/v1/threads/{thread}/messages", json={"body": "Team ready", "reply_to": first}, headers=bob
    )
    assert answered.status_code == 201 and answered.json()["reply_to"] == first
    assert client.get("/api/v1/threads", headers=alice).json()["results"][0]["unread"] == 1
    receipts = client.get(f"/api/v1/threads/{thread}/messages/{first}/receipts", headers=alice).json()
    assert [r["user"] for r in receipts] == ["alice", "bob"]
    asap = {"subject": "x", "to": ["NCB-ES"], "body": "b", "priority": "asap"}
    bad = client.post("/api/v1/threads", json=asap, headers=alice)
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/threads").status_code == 403  # the public has no threads
