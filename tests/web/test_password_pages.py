"""Passwords on the web, on both backends, through the real app and its forms: a user changes
their own on the Password page (this browser stays logged in, their others are logged out), and
an admin sets one of their agency's users' on the administration page.

Strategy: NCB-FR with ada (admin) and alice (analyst), NCB-ES with bob (admin), one password for
all; a second TestClient is alice's other browser.
"""

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
from tests.web.pages import PASSWORD, csrf_of, log_in, text_of

NOW = dt.datetime.now(dt.UTC)
NEW = "a new and longer passphrase"


@pytest.fixture
def client(engine: Engine, database_url: str) -> Iterator[TestClient]:
    operator = Identity.operator()
    agencies.register(engine, Agency("NCB-FR", "NCB Paris", "FR", AgencyKind.NCB), operator)
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB), operator)
    for name, agency, role in (
        ("ada", "NCB-FR", Role.ADMIN),
        ("alice", "NCB-FR", Role.ANALYST),
        ("bob", "NCB-ES", Role.ADMIN),
    ):
        access.add_user(engine, operator, name, agency, role, NOW, password=PASSWORD)
    settings = Settings(database_url=database_url, cookie_secure=False, login_failures_per_account=3)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def logged_out(browser: TestClient) -> bool:
    return browser.get("/app", follow_redirects=False).headers.get("location", "").startswith("/app/login")


def test_a_user_changes_their_own_password_and_only_this_browser_stays_logged_in(client: TestClient) -> None:
    other = TestClient(client.app)
    assert log_in(other, "alice") == 303
    assert log_in(client, "alice") == 303
    form = client.get("/app/password")
    assert form.status_code == 200 and 'href="/app/password"' in form.text  # in every page's header
    csrf = csrf_of(form.text)

    def send(current: str, new: str, repeat: str) -> tuple[int, str]:
        answer = client.post(
            "/app/password", data={"csrf": csrf, "current": current, "new": new, "repeat": repeat}
        )
        return answer.status_code, text_of(answer.text)

    status, words = send(PASSWORD, NEW, NEW + "!")
    assert status == 422 and "The two new passwords are not the same." in words
    status, words = send(PASSWORD, "too short", "too short")
    assert status == 422 and "Password: at least 12 characters." in words
    status, words = send("a wrong guess", NEW, NEW)
    assert status == 403 and "The current password is not right." in words
    assert not logged_out(other)

    status, words = send(PASSWORD, NEW, NEW)
    assert status == 200 and "Your password is changed; 1 other web session logged out." in words
    assert logged_out(other) and not logged_out(client)
    assert log_in(other, "alice", PASSWORD) == 401 and log_in(other, "alice", NEW) == 303


def test_wrong_current_passwords_lock_the_page_like_the_login(client: TestClient) -> None:
    assert log_in(client, "alice") == 303
    csrf = csrf_of(client.get("/app/password").text)
    sent = {"csrf": csrf, "current": "a wrong guess", "new": NEW, "repeat": NEW}
    assert [client.post("/app/password", data=sent).status_code for _ in range(3)] == [403] * 3
    refused = client.post("/app/password", data={**sent, "current": PASSWORD})
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 900
    assert "wait 15 minutes, then try again" in text_of(refused.text)


def test_an_admin_sets_a_password_of_their_agency_s_user_whose_sessions_end(client: TestClient) -> None:
    alice = TestClient(client.app)
    assert log_in(alice, "alice") == 303
    assert log_in(client, "ada") == 303
    page = client.get("/app/admin").text
    setting = page.split('id="h-set-password"')[1].split("</section>")[0]
    assert (
        '<option value="alice">' in setting and '<option value="ada">' not in setting
    )  # her own: /app/password
    done = client.post("/app/admin/password", data={"csrf": csrf_of(page), "user": "alice", "password": NEW})
    assert done.status_code == 200 and "Password of alice set: their web sessions are logged out." in text_of(
        done.text
    )
    assert logged_out(alice) and not logged_out(client)
    assert log_in(alice, "alice", NEW) == 303

    short = client.post(
        "/app/admin/password", data={"csrf": csrf_of(page), "user": "alice", "password": "short"}
    )
    assert short.status_code == 422 and "password: at least 12 characters" in text_of(short.text)
    assert log_in(client, "bob") == 303
    other = client.post(
        "/app/admin/password",
        data={"csrf": csrf_of(client.get("/app/admin").text), "user": "alice", "password": PASSWORD},
    )
    assert other.status_code == 403
    assert log_in(alice, "alice", NEW) == 303
