"""RED threads over HTTP on both backends: named users alone list and read them; to the other
users of the thread's agencies a RED thread is absent (404, never 403), and one naming no one is
refused (422, problem+json naming the field)."""

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
SUBJECT = "Informant inside the Zirka agency"


def token(engine: Engine, user: str) -> dict[str, str]:
    made, _ = access.create_token(engine, Identity.operator(), user, NOW, scopes=("read", "write"))
    return {"Authorization": f"Bearer {made.text}"}


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency) -> Iterator[TestClient]:
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    for user, code in (("alice", "NCB-FR"), ("ada", "NCB-FR"), ("carmen", "NCB-ES"), ("bea", "NCB-ES")):
        access.add_user(engine, Identity.operator(), user, code, Role.ANALYST, NOW)
    with TestClient(create_app(Settings(database_url=database_url))) as test_client:
        yield test_client


RED = {"subject": SUBJECT, "to": ["NCB-ES"], "body": "Friday.", "priority": "urgent", "handling": "RED"}


def test_a_red_thread_is_absent_to_its_agencies_other_users(client: TestClient, engine: Engine) -> None:
    opened = client.post(
        "/api/v1/threads", json={**RED, "to_users": ["carmen"]}, headers=token(engine, "alice")
    )
    assert opened.status_code == 201, opened.text
    thread = opened.json()["id"]
    for outsider in ("bea", "ada"):  # of NCB-ES and of NCB-FR, not named
        headers = token(engine, outsider)
        listed = client.get("/api/v1/threads", headers=headers)
        assert listed.json()["total"] == 0 and SUBJECT not in listed.text, outsider
        read = client.get(f"/api/v1/threads/{thread}", headers=headers)
        assert read.status_code == 404 and SUBJECT not in read.text, outsider
        posted = client.post(f"/api/v1/threads/{thread}/messages", json={"body": "?"}, headers=headers)
        assert posted.status_code == 404, outsider
        assert SUBJECT not in client.get("/api/v1/alerts", headers=headers).text

    carmen = client.get("/api/v1/threads", headers=token(engine, "carmen")).json()
    assert (carmen["total"], [t["subject"] for t in carmen["results"]]) == (1, [SUBJECT])
    read = client.get(f"/api/v1/threads/{thread}", headers=token(engine, "carmen"))
    assert read.status_code == 200 and (read.json()["handling"], read.json()["to_users"]) == (
        "RED",
        ["carmen"],
    )


def test_a_red_thread_naming_no_one_is_refused(client: TestClient, engine: Engine) -> None:
    refused = client.post("/api/v1/threads", json=RED, headers=token(engine, "alice"))
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert "to_users" in refused.json()["detail"]
    assert client.get("/api/v1/threads", headers=token(engine, "alice")).json()["total"] == 0
