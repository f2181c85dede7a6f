"""Hit/no-hit over HTTP on both backends: match and search give references, the access-request
endpoints complete the exchange, alerts reach the right agency, and scopes are enforced.

Strategy: NCB-FR owns an AMBER record released to no one; bob of NCB-ES matches and searches it
with his token. Every response is checked for what it must say and for what it must not (the
record's name or id), then the exchange is driven through the endpoints as a client would.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from liaison import ingest
from liaison.api.app import create_app
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.services.sharing.imports import import_records
from liaison.settings import Settings

NOW = dt.datetime.now(dt.UTC)
SECRET_NAME = "Zoltan Kristof Varga"
QUERY = {"q": {"schema": "Person", "properties": {"name": [SECRET_NAME], "birthDate": ["1971-04-02"]}}}


def token(engine: Engine, user: str, *scopes: str) -> dict[str, str]:
    made, _ = access.create_token(engine, Identity.operator(), user, NOW, scopes=scopes or ("read", "write"))
    return {"Authorization": f"ApiKey {made.text}"}


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency, tmp_path: Path) -> Iterator[TestClient]:
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    for user, agency_code, role in (
        ("alice", "NCB-FR", Role.ANALYST),
        ("bob", "NCB-ES", Role.ANALYST),
        ("carol", "NCB-ES", Role.ANALYST),
    ):
        access.add_user(engine, Identity.operator(), user, agency_code, role, NOW)
    path = tmp_path / "secret.ftm.json"
    entity = {
        "id": "fr-secret-1",
        "schema": "Person",
        "properties": {"name": [SECRET_NAME], "birthDate": ["1971-04-02"]},
    }
    path.write_bytes(orjson.dumps(entity))
    envelope = Envelope("NCB-FR", "fr_cases", Handling.AMBER, "investigation", dt.date(2031, 1, 1))
    import_records(
        engine,
        ingest.read("ftm", path),
        envelope=envelope,
        title="cases",
        kind="ftm",
        source=str(path),
        now=NOW,
    )
    with TestClient(create_app(Settings(database_url=database_url))) as test_client:
        yield test_client


def test_match_and_search_give_a_reference_and_nothing_of_the_record(
    client: TestClient, engine: Engine
) -> None:
    bob = token(engine, "bob")
    matched = client.post("/api/v1/match/default", json={"queries": QUERY}, headers=bob)
    answer = matched.json()["responses"]["q"]
    assert answer["results"] == [] and answer["total"]["value"] == 0
    [reference] = answer["references"]
    assert reference["owner_agency"] == "NCB-FR" and reference["score"] >= 0.7
    body = matched.text.replace(SECRET_NAME, "", 1)  # the query is echoed back; nothing else may name it
    assert SECRET_NAME not in body and "fr-secret-1" not in body and "fr_cases" not in body

    searched = client.get(
        "/api/v1/search/default", params={"q": SECRET_NAME, "purpose": "case 9"}, headers=bob
    )
    assert searched.json()["results"] == []
    assert [ref["reference"] for ref in searched.json()["references"]] == [reference["reference"]]
    assert "fr-secret-1" not in searched.text

    # The public learns nothing of hidden records; the owner sees its record, not a reference.
    public = client.post("/api/v1/match/default", json={"queries": QUERY}).json()["responses"]["q"]
    assert public["results"] == [] and public["references"] == []
    own = client.post("/api/v1/match/default", json={"queries": QUERY}, headers=token(engine, "alice"))
    assert [r["id"] for r in own.json()["responses"]["q"]["results"]] == ["fr-secret-1"]
    assert own.json()["responses"]["q"]["references"] == []


def test_the_exchange_runs_through_the_endpoints(client: TestClient, engine: Engine) -> None:
    bob, alice, carol = token(engine, "bob"), token(engine, "alice"), token(engine, "carol")
    matched = client.post("/api/v1/match/default", json={"queries": QUERY}, headers=bob).json()
    ref = matched["responses"]["q"]["references"][0]["reference"]
    [hit] = client.get("/api/v1/alerts", headers=alice).json()["results"]
    assert hit["kind"] == "hit" and hit["detail"]["seeker_agency"] == "NCB-ES"
    assert client.get("/api/v1/alerts", headers=bob).json() == {"results": [], "next_after": 0}

    read_only = token(engine, "bob", "read")
    refused = client.post(
        "/api/v1/access-requests", json={"reference": ref, "reason": "x"}, headers=read_only
    )
    assert refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
    assert (
        client.post(
            "/api/v1/access-requests", json={"reference": ref, "reason": "x"}, headers=carol
        ).status_code
        == 404
    )
    assert (
        client.post("/api/v1/access-requests", json={"reference": ref, "reason": ""}, headers=bob).status_code
        == 422
    )
    made = client.post("/api/v1/access-requests", json={"reference": ref, "reason": "same man"}, headers=bob)
    assert made.status_code == 201
    request = made.json()
    assert request["status"] == "pending" and request["entity_id"] is None
    again = client.post("/api/v1/access-requests", json={"reference": ref, "reason": "again"}, headers=bob)
    assert again.status_code == 409

    listed = client.get("/api/v1/access-requests", params={"status": "pending"}, headers=alice).json()
    assert listed["total"] == 1 and listed["results"][0]["entity_id"] == "fr-secret-1"
    assert client.get("/api/v1/access-requests", params={"status": "bogus"}, headers=alice).status_code == 422
    grant = f"/api/v1/access-requests/{request['request']}/grant"
    # The requester reads the request but may not grant it: refused, not told it is absent.
    assert client.post(grant, json={}, headers=bob).status_code == 403
    assert client.get("/api/v1/entities/fr-secret-1", headers=bob).status_code == 404
    granted = client.post(grant, json={"note": "AMBER"}, headers=alice).json()
    assert granted["status"] == "granted" and granted["release_entry"] == "agency:NCB-ES"
    assert client.post(grant, json={}, headers=alice).status_code == 409
    assert client.get("/api/v1/entities/fr-secret-1", headers=bob).json()["caption"] == SECRET_NAME
    kinds = [alert["kind"] for alert in client.get("/api/v1/alerts", headers=bob).json()["results"]]
    assert kinds == ["access.granted"]
    page = client.get("/api/v1/alerts", params={"after": 0, "limit": 1}, headers=alice).json()
    assert len(page["results"]) == 1
    rest = client.get("/api/v1/alerts", params={"after": page["next_after"]}, headers=alice).json()
    assert [alert["kind"] for alert in rest["results"]] == ["access.request"]
