"""Notices over HTTP on both backends: the lifecycle's moves and refusals, and a published
notice reaching the matching API once the index has caught up."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from liaison.api.app import create_app
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.settings import Settings

NOW = dt.datetime.now(dt.UTC)
QUERY = {"q": {"schema": "Person", "properties": {"name": ["Ivan Sokolov"], "birthDate": ["1975-03-02"]}}}


def token(engine: Engine, user: str) -> dict[str, str]:
    made, _ = access.create_token(engine, Identity.operator(), user, NOW, scopes=("read", "write"))
    return {"Authorization": f"ApiKey {made.text}"}


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency) -> Iterator[TestClient]:
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    agencies.register(engine, Agency("IPSG", "General Secretariat", "FR", AgencyKind.SECRETARIAT))
    for user, code, role in (
        ("alice", "NCB-FR", Role.ANALYST),
        ("bob", "NCB-ES", Role.ANALYST),
        ("rita", "IPSG", Role.REVIEWER),
    ):
        access.add_user(engine, Identity.operator(), user, code, role, NOW)
    with TestClient(create_app(Settings(database_url=database_url))) as test_client:
        yield test_client


def test_a_notice_over_http(client: TestClient, engine: Engine) -> None:
    alice, bob, rita = token(engine, "alice"), token(engine, "bob"), token(engine, "rita")
    body = {
        "kind": "red",
        "title": "Wanted",
        "subject": {"schema": "Person", "properties": QUERY["q"]["properties"]},
    }
    created = client.post("/api/v1/notices", json=body, headers=alice)
    assert created.status_code == 201 and created.json()["status"] == "draft"
    notice = created.json()["id"]
    assert client.post(f"/api/v1/notices/{notice}/publish", json={}, headers=alice).status_code == 409
    assert (
        client.post(f"/api/v1/notices/{notice}/submit", json={}, headers=alice).json()["status"]
        == "submitted"
    )
    assert [
        n["id"]
        for n in client.get("/api/v1/notices", params={"status": "submitted"}, headers=rita).json()["results"]
    ] == [notice]
    assert client.post(f"/api/v1/notices/{notice}/publish", json={}, headers=bob).status_code == 404
    published = client.post(f"/api/v1/notices/{notice}/publish", json={"note": "ok"}, headers=rita).json()
    assert (published["status"], published["reviewed_by"]) == ("published", "rita")
    assert client.get(f"/api/v1/notices/{notice}", headers=bob).json()["title"] == "Wanted"
    for _ in range(100):  # the index is refreshed in the background after publication
        results = client.post("/api/v1/match/default", json={"queries": QUERY}, headers=bob).json()
        if results["responses"]["q"]["results"]:
            break
        time.sleep(0.1)
    assert results["responses"]["q"]["results"][0]["id"] == f"notice-{notice}"
    assert client.post("/api/v1/notices/{notice}/explode", json={}, headers=alice).status_code == 422
