"""Administration over HTTP on both backends: the operator's key registers agencies, users,
tokens and groups; an agency's admin only their own; auditors verify and export the trail."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from liaison.api.app import create_app
from liaison.settings import Settings

OPERATOR = {"Authorization": "ApiKey operator-key-for-tests"}


@pytest.fixture
def client(database_url: str, engine: object) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, api_key="operator-key-for-tests")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def token_for(client: TestClient, user: str, *scopes: str) -> dict[str, str]:
    made = client.post("/api/v1/tokens", json={"user": user, "scopes": list(scopes)}, headers=OPERATOR)
    assert made.status_code == 201, made.text
    return {"Authorization": f"ApiKey {made.json()['token']}"}


def test_administration_follows_the_same_rules_as_the_cli(client: TestClient) -> None:
    for code, country in (("NCB-FR", "FR"), ("NCB-ES", "es")):
        saved = client.put(
            "/api/v1/agencies",
            json={"code": code, "name": code, "country": country, "kind": "ncb"},
            headers=OPERATOR,
        )
        assert saved.status_code == 200 and saved.json()["country"] == country.upper()
    bad = client.put(
        "/api/v1/agencies", json={"code": "X", "name": "x", "country": "ZZ", "kind": "ncb"}, headers=OPERATOR
    )
    assert bad.status_code == 422 and "ISO 3166" in bad.json()["detail"]
    for name, agency, role in (
        ("ada", "NCB-FR", "admin"),
        ("alice", "NCB-FR", "analyst"),
        ("audrey", "NCB-ES", "auditor"),
    ):
        assert (
            client.post(
                "/api/v1/users", json={"name": name, "agency": agency, "role": role}, headers=OPERATOR
            ).status_code
            == 201
        )
    ada = token_for(client, "ada", "read", "write")
    assert (
        client.post(
            "/api/v1/users", json={"name": "fred", "agency": "NCB-FR", "role": "officer"}, headers=ada
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/api/v1/users", json={"name": "eve", "agency": "NCB-ES", "role": "admin"}, headers=ada
        ).status_code
        == 403
    )
    assert [u["name"] for u in client.get("/api/v1/users", headers=ada).json()] == ["ada", "alice", "fred"]
    assert (
        client.put(
            "/api/v1/agencies",
            json={"code": "NCB-IT", "name": "x", "country": "IT", "kind": "ncb"},
            headers=ada,
        ).status_code
        == 403
    )

    alice = token_for(client, "alice", "read")
    listed = client.get("/api/v1/tokens", params={"user": "alice"}, headers=OPERATOR).json()
    assert len(listed) == 1 and listed[0]["token"] is None
    assert client.get("/api/v1/alerts", headers=alice).status_code == 200
    assert client.delete(f"/api/v1/tokens/{listed[0]['id']}", headers=ada).json()["revoked_at"]
    assert client.get("/api/v1/alerts", headers=alice).status_code == 401
    fred = token_for(client, "fred", "read")
    assert client.post("/api/v1/users/fred/disable", headers=ada).json()["disabled"] is True
    assert client.get("/api/v1/alerts", headers=fred).status_code == 401

    assert client.post("/api/v1/groups", json={"name": "balkans"}, headers=OPERATOR).status_code == 201
    assert (
        client.post("/api/v1/groups/balkans/members", json={"agency": "NCB-ES"}, headers=OPERATOR).status_code
        == 204
    )
    assert client.get("/api/v1/groups", headers=ada).json() == [
        {"name": "balkans", "description": "", "agencies": ["NCB-ES"]}
    ]
    assert client.post("/api/v1/groups", json={"name": "other"}, headers=ada).status_code == 403

    audrey = token_for(client, "audrey", "read")
    assert client.get("/api/v1/audit/verify", headers=ada).status_code == 403
    verified = client.get("/api/v1/audit/verify", headers=audrey).json()
    assert verified["intact"] is True and verified["events"] > 10
    lines = client.get("/api/v1/audit/events", headers=audrey).text.splitlines()
    actions = [json.loads(line)["action"] for line in lines]
    assert (
        "agency.save" in actions
        and "user.add" in actions
        and "token.revoke" in actions
        and "group.join" in actions
    )
