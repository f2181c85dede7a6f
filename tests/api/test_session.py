"""Web login on both backends: cookies that scripts and other sites cannot use, CSRF on changes,
logout that ends the session, and attempts audited and rate-limited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.api.app import create_app
from liaison.model import Agency, Identity, Role
from liaison.services.accounts import access
from liaison.settings import Settings

NOW = dt.datetime.now(dt.UTC)
PASSWORD = "correct horse battery"
WATCH = {"label": "x", "schema": "Person", "properties": {"name": ["Ivan Sokolov"]}}


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency) -> Iterator[TestClient]:
    access.add_user(engine, Identity.operator(), "alice", "NCB-FR", Role.ANALYST, NOW, password=PASSWORD)
    settings = Settings(database_url=database_url, rate_burst=5, rate_per_second=1)
    # https: the session cookies are Secure, so a client sends them over TLS only.
    with TestClient(create_app(settings), base_url="https://testserver") as test_client:
        yield test_client


def test_login_cookies_csrf_and_logout(client: TestClient, engine: Engine) -> None:
    assert client.post("/api/v1/session", json={"user": "alice", "password": "wrong"}).status_code == 401
    assert client.get("/api/v1/session").status_code == 403
    logged = client.post("/api/v1/session", json={"user": "alice", "password": PASSWORD})
    assert logged.status_code == 200
    cookies = logged.headers.get_list("set-cookie")
    session = next(cookie for cookie in cookies if cookie.startswith("liaison_session="))
    csrf_cookie = next(cookie for cookie in cookies if cookie.startswith("liaison_csrf="))
    for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/"):
        assert flag.lower() in session.lower()
    assert "httponly" not in csrf_cookie.lower() and "secure" in csrf_cookie.lower()
    csrf = logged.json()["csrf_token"]
    assert client.get("/api/v1/session").json()["user"] == "alice"

    assert client.post("/api/v1/watches", json=WATCH).status_code == 403  # no CSRF header
    assert client.post("/api/v1/watches", json=WATCH, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/api/v1/watches", json=WATCH, headers={"X-CSRF-Token": csrf}).status_code == 201

    assert client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    client.cookies.set("liaison_session", session.split(";")[0].split("=", 1)[1], domain="testserver.local")
    assert client.get("/api/v1/alerts").status_code == 401  # the revoked session identifies no one
    with Session(engine) as db:
        actions = [chained.event.action for chained in store.iter_events(db)]
    assert "login.refused" in actions and "login" in actions and "session.start" in actions


def test_login_attempts_are_rate_limited(client: TestClient) -> None:
    codes = [
        client.post("/api/v1/session", json={"user": "alice", "password": "guess"}).status_code
        for _ in range(7)
    ]
    assert codes[:5] == [401] * 5 and codes[-1] == 429
