"""Entities through `/api/v1` on both backends: create, read, update, list and search, with their
handling enforced, their writes audited and indexed, and bad or hostile input refused.

Strategy: NCB-FR and NCB-ES each have a writer; each test drives the endpoints as a client
would and checks what each agency may then read, what the trail says, and that a refused
request changed nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.api.app import create_app
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.settings import Settings

NOW = dt.datetime.now(dt.UTC)


def token(engine: Engine, user: str, *scopes: str) -> dict[str, str]:
    made, _ = access.create_token(engine, Identity.operator(), user, NOW, scopes=scopes or ("read", "write"))
    return {"Authorization": f"ApiKey {made.text}"}


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency) -> Iterator[TestClient]:
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    access.add_user(engine, Identity.operator(), "alice", "NCB-FR", Role.ANALYST, NOW)
    access.add_user(engine, Identity.operator(), "bob", "NCB-ES", Role.ANALYST, NOW)
    access.add_user(engine, Identity.operator(), "audrey", "NCB-FR", Role.AUDITOR, NOW)
    with TestClient(create_app(Settings(database_url=database_url))) as test_client:
        yield test_client


def new_person(entity_id: str, name: str, handling: str = "AMBER", **extra: Any) -> dict[str, Any]:
    return {
        "id": entity_id,
        "schema": "Person",
        "properties": {"name": [name], "birthDate": ["1980-05-06"]},
        "handling": handling,
        "purpose": "case 118",
        **extra,
    }


def test_create_read_update_list_and_search(client: TestClient, engine: Engine) -> None:
    alice, bob = token(engine, "alice"), token(engine, "bob")
    created = client.post(
        "/api/v1/datasets/ncb_fr_cases/entities", json=new_person("p1", "Amelie Durand"), headers=alice
    )
    assert created.status_code == 201, created.text
    record = created.json()
    assert (record["owner_agency"], record["handling"], record["provenance"]) == (
        "NCB-FR",
        "AMBER",
        "api:alice:p1",
    )
    assert (
        client.get("/api/v1/datasets/ncb_fr_cases/entities/p1", headers=alice).json()["caption"]
        == "Amelie Durand"
    )
    # bob may not read it: 404 exactly as for a record that does not exist.
    hidden = client.get("/api/v1/datasets/ncb_fr_cases/entities/p1", headers=bob)
    missing = client.get("/api/v1/datasets/ncb_fr_cases/entities/nope", headers=alice)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.headers["content-type"] == "application/problem+json"

    # Updating releasability to name NCB-ES opens it to bob; the properties are replaced.
    change = {
        "schema": "Person",
        "properties": {"name": ["Amélie Durand"], "nationality": ["fr"]},
        "releasability": ["agency:NCB-ES"],
    }
    updated = client.put("/api/v1/datasets/ncb_fr_cases/entities/p1", json=change, headers=alice).json()
    assert updated["releasability"] == ["agency:NCB-ES"] and updated["handling"] == "AMBER"
    assert "birthDate" not in updated["properties"] and updated["created_at"] == record["created_at"]
    assert (
        client.get("/api/v1/datasets/ncb_fr_cases/entities/p1", headers=bob).json()["caption"]
        == "Amélie Durand"
    )
    assert (
        client.put("/api/v1/datasets/ncb_fr_cases/entities/p1", json=change, headers=bob).status_code == 403
    )

    client.post(
        "/api/v1/datasets/ncb_fr_cases/entities", json=new_person("p2", "Bruno Marchal", "RED"), headers=alice
    )
    page = client.get("/api/v1/datasets/ncb_fr_cases/entities", params={"limit": 1}, headers=alice).json()
    assert (page["total"], [r["id"] for r in page["results"]]) == (2, ["p1"])
    assert client.get("/api/v1/datasets/ncb_fr_cases/entities", headers=bob).json()["total"] == 1

    # A write refreshes the matching index in the background: search finds the new record.
    query = {"q": "Bruno Marchal", "purpose": "case 118"}
    found = _eventually(lambda: client.get("/api/v1/entities", params=query, headers=bob).json())
    assert found["results"] == [] and found["references"][0]["owner_agency"] == "NCB-FR"
    mine = client.get("/api/v1/entities", params={"q": "Bruno Marchal", "purpose": "case 118"}, headers=alice)
    assert [r["id"] for r in mine.json()["results"]] == ["p2"]
    assert client.get("/api/v1/entities", params={"q": "Bruno"}, headers=alice).status_code == 422

    with Session(engine) as session:
        trail = [(c.event.actor, c.event.action, c.event.purpose) for c in store.iter_events(session)]
    for expected in (
        ("alice", "entity.create", ""),
        ("alice", "entity.update", ""),
        ("bob", "search", "case 118"),
    ):
        assert expected in trail


def _eventually(fetch: Any) -> Any:
    for _ in range(100):
        answer = fetch()
        if answer["results"] or answer["references"]:
            return answer
        time.sleep(0.1)
    return answer


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (new_person("p1", "X", handling="ORANGE"), "handling"),
        (new_person("p1", "X", releasability=["agency:NOWHERE"]), "agency:NOWHERE"),
        (new_person("p1", "X", releasability=["planet:mars"]), "releasability"),
        ({**new_person("p1", "X"), "schema": "Starship"}, "Starship"),
        ({**new_person("p1", "X"), "properties": {"birthDate": ["yesterday"]}}, "birthDate"),
        ({**new_person("p1", "X"), "properties": {"colour": ["red"]}}, "colour"),
        ({**new_person("p1", "X"), "properties": {"name": ["x" * 70_000]}}, "name"),
        ({k: v for k, v in new_person("p1", "X").items() if k != "handling"}, "handling"),
        (new_person("p1", "X", agency="NCB-ES"), "NCB-ES"),
    ],
)
def test_bad_writes_are_refused_and_change_nothing(
    client: TestClient, engine: Engine, body: dict[str, Any], field: str
) -> None:
    refused = client.post("/api/v1/datasets/ncb_fr_cases/entities", json=body, headers=token(engine, "alice"))
    assert 400 <= refused.status_code < 500 and refused.headers["content-type"] == "application/problem+json"
    assert field in refused.json()["detail"] and "Traceback" not in refused.text
    with Session(engine) as session:
        assert store.count_by_dataset_schema(session, Identity.operator()) == {}


def test_who_may_write_and_how_much(client: TestClient, engine: Engine) -> None:
    path = "/api/v1/datasets/ncb_fr_cases/entities"
    assert client.post(path, json=new_person("p1", "X")).status_code == 401
    assert (
        client.post(path, json=new_person("p1", "X"), headers=token(engine, "alice", "read")).status_code
        == 401
    )
    assert client.post(path, json=new_person("p1", "X"), headers=token(engine, "audrey")).status_code == 403
    alice = token(engine, "alice")
    assert client.post(path, json=new_person("p1", "X"), headers=alice).status_code == 201
    assert client.post(path, json=new_person("p1", "Y"), headers=alice).status_code == 409
    # bob cannot write into NCB-FR's dataset, nor tell it from a free name outside NCB-ES's namespace.
    bob = token(engine, "bob")
    taken = client.post(path, json=new_person("p1", "Z"), headers=bob)
    free = client.post("/api/v1/datasets/es_free/entities", json=new_person("p1", "Z"), headers=bob)
    assert taken.status_code == free.status_code == 403
    detail = taken.json()["detail"]
    assert detail.replace("ncb_fr_cases", "?") == free.json()["detail"].replace("es_free", "?")
    assert "NCB-FR" not in taken.text and "'ncb_es_'" in free.json()["detail"]
    ours = client.post("/api/v1/datasets/ncb_es_cases/entities", json=new_person("p1", "Z"), headers=bob)
    assert ours.status_code == 201 and ours.json()["owner_agency"] == "NCB-ES"
    huge = {**new_person("p2", "X"), "purpose": "x" * 3_000_000}
    too_large = client.post(path, json=huge, headers=alice)
    assert too_large.status_code == 413 and too_large.headers["content-type"] == "application/problem+json"
    injected = new_person("p3", "Robert'); DROP TABLE entity;--", purpose="<script>alert(1)</script>")
    stored = client.post(path, json=injected, headers=alice).json()
    assert stored["caption"] == "Robert'); DROP TABLE entity;--" and stored["purpose"].startswith("<script>")
    assert client.get("/api/v1/datasets/ncb_fr_cases/entities", headers=alice).json()["total"] == 2
    # NUL characters cut strings short in C and cannot be stored by PostgreSQL: refused everywhere.
    nul = client.post(path, json=new_person("p4", "Ana\u0000Ruiz"), headers=alice)
    assert nul.status_code == 422 and "NUL" in nul.json()["detail"]
    assert client.get("/api/v1/entities?q=a%00b&purpose=case", headers=alice).status_code == 422
    assert client.get("/api/v1/datasets/ncb_fr_cases/entities", headers=alice).json()["total"] == 2


def test_tokens_are_rate_limited(engine: Engine, database_url: str, agency: Agency) -> None:
    access.add_user(engine, Identity.operator(), "alice", "NCB-FR", Role.ANALYST, NOW)
    settings = Settings(database_url=database_url, rate_per_second=1, rate_burst=3)
    alice, other = token(engine, "alice"), token(engine, "alice")
    with TestClient(create_app(settings)) as client:
        codes = [client.get("/api/v1/alerts", headers=alice).status_code for _ in range(5)]
        assert codes[:3] == [200, 200, 200] and codes[-1] == 429
        limited = client.get("/api/v1/alerts", headers=alice)
        assert (
            limited.headers["content-type"] == "application/problem+json" and "Retry-After" in limited.headers
        )
        assert client.get("/api/v1/alerts", headers=other).status_code == 200  # per token


def test_retention_review_over_http(client: TestClient, engine: Engine) -> None:
    alice, bob = token(engine, "alice"), token(engine, "bob")
    path = "/api/v1/datasets/ncb_fr_cases/entities"
    past = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    for entity_id in ("p1", "p2"):
        body = new_person(entity_id, "X", "GREEN", retention_review=past)
        assert client.post(path, json=body, headers=alice).status_code == 201
    due = client.get("/api/v1/retention/due", headers=alice).json()
    assert (due["total"], [r["entity_id"] for r in due["results"]]) == (2, ["p1", "p2"])
    assert client.get("/api/v1/retention/due", headers=bob).json()["total"] == 0
    until = {"until": f"{dt.date.today().year + 1}-06-01"}
    assert client.post(f"{path}/p1/retention", json=until, headers=bob).status_code == 403
    assert client.post(f"{path}/p1/retention", json=until, headers=alice).status_code == 204
    assert client.delete(f"{path}/p2", headers=bob).status_code == 403
    assert client.delete(f"{path}/p2", headers=alice).status_code == 204
    assert client.get(f"{path}/p2", headers=alice).status_code == 404
    assert client.get("/api/v1/retention/due", headers=alice).json()["total"] == 0
    assert client.get(f"{path}/p1", headers=alice).json()["retention_review"] == until["until"]
