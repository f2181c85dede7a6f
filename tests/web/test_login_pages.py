"""The login throttle as the faces show it, on both backends: the web login page and the API's
session both answer 429 with Retry-After once an account has failed too often, right password or not.

Strategy: alice with a password, a limit of 3 failures per account; the clock is the real one,
so a wait is asserted in minutes (the window's 15), never to the second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from liaison.api.app import create_app
from liaison.model import Agency, Identity, Role
from liaison.services.accounts import access
from liaison.settings import Settings
from tests.web.pages import PASSWORD, csrf_of, log_in, text_of

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency) -> Iterator[TestClient]:
    access.add_user(engine, Identity.operator(), "alice", agency.code, Role.ANALYST, NOW, password=PASSWORD)
    settings = Settings(database_url=database_url, cookie_secure=False, login_failures_per_account=3)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_login_page_says_to_wait_and_for_how_long(client: TestClient) -> None:
    assert [log_in(client, "alice", "a wrong guess") for _ in range(3)] == [401] * 3
    form = client.get("/app/login")
    sent = {"csrf": csrf_of(form.text), "user": "alice", "password": PASSWORD, "next": "/app"}
    refused = client.post("/app/login", data=sent, follow_redirects=False)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 900
    words = text_of(refused.text)
    assert "Too many failed logins for this account or from this address" in words
    assert "wait 15 minutes, then try again" in words
    assert "liaison_session" not in refused.headers.get("set-cookie", "")
    assert 'value="alice"' in refused.text  # the form is shown again, ready for later


def test_the_api_session_is_refused_alike(client: TestClient) -> None:
    for _ in range(3):
        assert client.post("/api/v1/session", json={"user": "alice", "password": "guess"}).status_code == 401
    refused = client.post("/api/v1/session", json={"user": "alice", "password": PASSWORD})
    assert refused.status_code == 429 and refused.headers["content-type"] == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 900
    assert "wait 15 minutes" in refused.json()["detail"]
    assert "liaison_session" not in refused.headers.get("set-cookie", "")
