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
    fred = {"name": "fred", "agency": "NCB-FR", "role": "officer"}
    unscoped = token_for(client, "ada", "read", "write")  # an admin's token without the admin scope
    assert client.post("/api/v1/users", json=fred, headers=unscoped).status_code == 403
    ada = token_for(client, "ada", "read", "write", "admin")
    assert client.post("/api/v1/users", json=fred, headers=ada).status_code == 201
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
    # NCB-ES's auditor reads what NCB-ES's people did; the node's auditor, whom only the
    # operator appoints, reads everything the operator and every agency did.
    own = [json.loads(line) for line in client.get("/api/v1/audit/events", headers=audrey).text.splitlines()]
    assert {event["agency"] for event in own} == {"NCB-ES"} and "audit.verify" in [e["action"] for e in own]
    nadia = {"name": "nadia", "agency": "NCB-FR", "role": "node_auditor"}
    assert client.post("/api/v1/users", json=nadia, headers=ada).status_code == 403
    assert client.post("/api/v1/users", json=nadia, headers=OPERATOR).status_code == 201
    lines = client.get("/api/v1/audit/events", headers=token_for(client, "nadia", "read")).text.splitlines()
    actions = [json.loads(line)["action"] for line in lines]
    assert (
        "agency.save" in actions
        and "user.add" in actions
        and "token.revoke" in actions
        and "group.join" in actions
    )


def test_enabling_a_user_again_does_not_revive_their_old_tokens_or_sessions(client: TestClient) -> None:
    agency = {"code": "NCB-FR", "name": "NCB Paris", "country": "FR", "kind": "ncb"}
    assert client.put("/api/v1/agencies", json=agency, headers=OPERATOR).status_code == 200
    alice = {"name": "alice", "agency": "NCB-FR", "role": "analyst", "password": "correct horse battery"}
    assert client.post("/api/v1/users", json=alice, headers=OPERATOR).status_code == 201
    old = token_for(client, "alice", "read")
    logged = client.post("/api/v1/session", json={"user": "alice", "password": alice["password"]})
    session = {"Cookie": f"liaison_session={logged.cookies['liaison_session']}"}
    client.cookies.clear()  # each request below names its own credentials
    for credentials in (old, session):
        assert client.get("/api/v1/alerts", headers=credentials).status_code == 200

    assert client.post("/api/v1/users/alice/disable", headers=OPERATOR).status_code == 200
    assert client.post("/api/v1/users/alice/enable", headers=OPERATOR).json()["disabled"] is False
    for credentials in (old, session):
        assert client.get("/api/v1/alerts", headers=credentials).status_code == 401
    listed = client.get("/api/v1/tokens", params={"user": "alice"}, headers=OPERATOR).json()
    assert all(token["revoked_at"] for token in listed) and len(listed) == 2
    assert client.get("/api/v1/alerts", headers=token_for(client, "alice", "read")).status_code == 200


def test_passwords_are_changed_with_the_current_one_or_set_by_an_admin(client: TestClient) -> None:
    for code in ("NCB-FR", "NCB-ES"):
        agency = {"code": code, "name": code, "country": code[-2:], "kind": "ncb"}
        assert client.put("/api/v1/agencies", json=agency, headers=OPERATOR).status_code == 200
    old, new = "correct horse battery", "a new and longer passphrase"
    for name, agency, role in (
        ("ada", "NCB-FR", "admin"),
        ("alice", "NCB-FR", "analyst"),
        ("bob", "NCB-ES", "admin"),
    ):
        user = {"name": name, "agency": agency, "role": role, "password": old}
        assert client.post("/api/v1/users", json=user, headers=OPERATOR).status_code == 201
    browser = client.post("/api/v1/session", json={"user": "alice", "password": old})
    session = {"Cookie": f"liaison_session={browser.cookies['liaison_session']}"}
    client.cookies.clear()
    alice = token_for(client, "alice", "read", "write")

    own = "/api/v1/users/alice/password"
    assert client.put(own, json={"password": new}, headers=alice).status_code == 422  # no current one
    wrong = client.put(own, json={"password": new, "current_password": "a wrong guess"}, headers=alice)
    assert wrong.status_code == 403 and wrong.json()["detail"] == "the current password is not right"
    assert (
        client.put(own, json={"password": "short", "current_password": old}, headers=alice).status_code == 422
    )
    changed = client.put(own, json={"password": new, "current_password": old}, headers=alice)
    assert changed.status_code == 200 and len(changed.json()["ended_sessions"]) == 1
    assert client.get("/api/v1/alerts", headers=session).status_code == 401
    assert client.get("/api/v1/alerts", headers=alice).status_code == 200  # API tokens stay
    assert client.post("/api/v1/session", json={"user": "alice", "password": new}).status_code == 200
    client.cookies.clear()

    ada, bob = (
        token_for(client, "ada", "read", "write", "admin"),
        token_for(client, "bob", "read", "write", "admin"),
    )
    assert client.put(own, json={"password": old}, headers=bob).status_code == 403
    assert client.put("/api/v1/users/ada/password", json={"password": old}, headers=alice).status_code == 403
    reset = client.put(own, json={"password": old}, headers=ada).json()
    assert reset["user"] == "alice" and len(reset["ended_sessions"]) == 1  # the login just above
    assert (
        client.put("/api/v1/users/bob/password", json={"password": new}, headers=OPERATOR).status_code == 200
    )
    assert client.post("/api/v1/session", json={"user": "alice", "password": old}).status_code == 200
    assert client.post("/api/v1/session", json={"user": "bob", "password": new}).status_code == 200


def test_an_agency_code_sharing_another_s_dataset_namespace_is_a_409_naming_it(client: TestClient) -> None:
    agency = {"code": "NCB-FR", "name": "NCB Paris", "country": "FR", "kind": "ncb"}
    assert client.put("/api/v1/agencies", json=agency, headers=OPERATOR).status_code == 200
    clash = client.put("/api/v1/agencies", json={**agency, "code": "ncb_fr"}, headers=OPERATOR)
    assert clash.status_code == 409 and clash.headers["content-type"] == "application/problem+json"
    assert "'NCB-FR'" in clash.json()["detail"] and "'ncb_fr_'" in clash.json()["detail"]
    assert [found["code"] for found in client.get("/api/v1/agencies", headers=OPERATOR).json()] == ["NCB-FR"]
