"""Administration and audit pages on both backends, through the real app and its login form.

Strategy: two agencies, NCB-FR (ada, admin; alice, analyst) and NCB-ES (audrey, auditor; bob,
admin), each user with a password; one client logs in as one user after another.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from liaison import store
from liaison.api.app import create_app
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.settings import Settings
from tests.web.pages import PASSWORD, csrf_of, log_in

NOW = dt.datetime.now(dt.UTC)


@pytest.fixture
def client(engine: Engine, database_url: str) -> Iterator[TestClient]:
    operator = Identity.operator()
    agencies.register(engine, Agency("NCB-FR", "NCB Paris", "FR", AgencyKind.NCB), operator)
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB), operator)
    for name, agency, role in (
        ("ada", "NCB-FR", Role.ADMIN),
        ("alice", "NCB-FR", Role.ANALYST),
        ("audrey", "NCB-ES", Role.AUDITOR),
        ("bob", "NCB-ES", Role.ADMIN),
    ):
        access.add_user(engine, operator, name, agency, role, NOW, password=PASSWORD)
    settings = Settings(database_url=database_url, cookie_secure=False)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_an_admin_adds_a_user_who_can_then_log_in(client: TestClient) -> None:
    assert log_in(client, "ada") == 303
    shown = client.get("/app/admin")
    assert shown.status_code == 200
    assert "<td>alice</td>" in shown.text and "<td>bob</td>" not in shown.text  # NCB-ES is not ada's
    csrf = csrf_of(shown.text)

    short = {"csrf": csrf, "name": "nina", "role": "officer", "password": "too short"}
    refused = client.post("/app/admin/users", data=short)
    assert refused.status_code == 422 and "at least 12 characters" in refused.text
    assert 'value="nina"' in refused.text  # the form keeps what was typed
    taken = client.post("/app/admin/users", data={"csrf": csrf, "name": "alice", "role": "analyst"})
    assert taken.status_code == 409 and "exists already" in taken.text

    made = {"csrf": csrf, "name": "nina", "role": "officer", "password": "a long enough secret"}
    added = client.post("/app/admin/users", data=made, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"] == "/app/admin?done=added&name=nina"
    listed = client.get(added.headers["location"])
    assert "User nina added." in listed.text and "<td>nina</td><td>officer</td>" in re.sub(
        r"\s+", "", listed.text
    )

    assert log_in(client, "nina", "a long enough secret") == 303
    assert "nina · NCB-FR · officer" in client.get("/app").text
    assert client.get("/app/admin").status_code == 403


def test_an_admin_disables_users_and_makes_and_revokes_tokens_of_their_agency_only(
    client: TestClient,
) -> None:
    log_in(client, "ada")
    csrf = csrf_of(client.get("/app/admin").text)
    assert client.post("/app/admin/users/alice/disable", data={"csrf": csrf}).status_code == 200
    assert client.post("/app/admin/users/bob/disable", data={"csrf": csrf}).status_code == 403
    created = client.post(
        "/app/admin/tokens", data={"csrf": csrf, "user": "alice", "days": "30", "scope": ["read"]}
    )
    assert created.status_code == 422 and "disabled" in created.text  # no token for a disabled user
    assert log_in(client, "alice") == 401
    log_in(client, "ada")
    csrf = csrf_of(client.get("/app/admin").text)
    assert (
        "User alice enabled again." in client.post("/app/admin/users/alice/enable", data={"csrf": csrf}).text
    )

    created = client.post(
        "/app/admin/tokens", data={"csrf": csrf, "user": "alice", "days": "30", "scope": ["read", "write"]}
    )
    assert created.status_code == 201 and "shown only once" in created.text
    token = re.search(r'value="(lsn_([0-9a-f]{16})_[^"]+)"', created.text)
    assert token is not None
    bearer = {"Authorization": f"ApiKey {token.group(1)}"}
    assert client.get("/api/v1/alerts", headers=bearer).status_code == 200
    page = client.get("/app/admin").text
    assert token.group(2) in page and token.group(1) not in page  # the id is listed, never the secret again
    revoked = client.post(f"/app/admin/tokens/{token.group(2)}/revoke", data={"csrf": csrf})
    assert f"Token {token.group(2)} revoked." in revoked.text
    assert client.get("/api/v1/alerts", headers=bearer).status_code == 401


def test_a_non_admin_is_refused_the_administration(client: TestClient, engine: Engine) -> None:
    log_in(client, "alice")
    assert client.get("/app/admin").status_code == 403
    csrf = csrf_of(client.get("/app").text)
    sent = {"csrf": csrf, "name": "mallory", "role": "admin", "password": "a long enough secret"}
    assert client.post("/app/admin/users", data=sent).status_code == 403
    assert "mallory" not in {user.name for user in access.list_users(engine, Identity.operator())}


def test_a_form_without_its_csrf_field_is_refused(client: TestClient, engine: Engine) -> None:
    log_in(client, "ada")
    csrf = csrf_of(client.get("/app/admin").text)
    sent = {"name": "nina", "role": "officer", "password": "a long enough secret"}
    missing = client.post("/app/admin/users", data=sent)
    assert missing.status_code == 403 and "did not come from Liaison" in missing.text
    assert client.post("/app/admin/users", data={**sent, "csrf": csrf[::-1]}).status_code == 403
    assert "nina" not in {user.name for user in access.list_users(engine, Identity.operator())}


def test_an_auditor_verifies_the_trail_and_sees_where_it_breaks(client: TestClient, engine: Engine) -> None:
    log_in(client, "audrey")
    shown = client.get("/app/audit")
    assert shown.status_code == 200
    assert "<td>audrey</td>" in shown.text and "<td>session.start</td>" in shown.text
    with Session(engine) as session:
        count = sum(1 for _ in store.iter_events(session))
    verified = client.post("/app/audit/verify", data={"csrf": csrf_of(shown.text)})
    assert verified.status_code == 200
    assert f"The audit trail is intact: {count} events verified." in verified.text

    exported = client.get("/app/audit/export", params={"since": NOW.date().isoformat(), "until": ""})
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in exported.text.splitlines()]
    # An agency's auditor exports what the agency's people did, in chain order; the node's is longer.
    seqs = [line["seq"] for line in lines]
    assert seqs == sorted(seqs) and 0 < len(lines) < count
    assert {line["agency"] for line in lines} == {lines[0]["agency"]} and lines[0]["agency"] is not None
    assert {"audit.read", "audit.verify"} <= {line["action"] for line in lines}
    assert client.get("/app/audit/export", params={"since": "2000-01-01", "until": "2000-01-02"}).text == ""

    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET actor = 'someone-else' WHERE seq = 3"))
    broken = client.post("/app/audit/verify", data={"csrf": csrf_of(shown.text)})
    assert "The chain is broken at event 3" in broken.text and "intact" not in broken.text


def test_a_non_auditor_is_refused_the_audit_trail(client: TestClient) -> None:
    log_in(client, "ada")
    csrf = csrf_of(client.get("/app").text)
    assert client.get("/app/audit").status_code == 403
    assert client.get("/app/audit/export").status_code == 403
    assert client.post("/app/audit/verify", data={"csrf": csrf}).status_code == 403


def _section(html: str, heading_id: str) -> str:
    """The markup of the page's section under the heading of this id."""
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


def test_web_sessions_are_listed_apart_from_api_tokens_and_can_be_ended(client: TestClient) -> None:
    analyst = TestClient(client.app)
    assert log_in(analyst, "alice") == 303
    log_in(client, "ada")
    csrf = csrf_of(client.get("/app/admin").text)
    created = client.post(
        "/app/admin/tokens", data={"csrf": csrf, "user": "alice", "days": "30", "scope": ["read"]}
    )
    token = re.search(r'value="lsn_([0-9a-f]{16})_', created.text)
    assert token is not None
    page = client.get("/app/admin").text
    users, sessions = _section(page, "h-users"), _section(page, "h-sessions")

    alice_row = next(row for row in users.split("<tr>") if "<td>alice</td>" in row)
    assert re.findall(r"<code>([0-9a-f]{16})</code>", alice_row) == [token.group(1)]  # her API token only
    assert token.group(1) not in sessions
    # alice's and ada's own logins are sessions, and only there; ada's is marked as this browser's.
    listed = re.findall(
        r'<td data-label="User">(\w+)</td>\s*<td data-label="Session"><code>(\w+)</code>', sessions
    )
    assert sorted(user for user, _id in listed) == ["ada", "alice"]
    assert all(session_id not in users for _user, session_id in listed)
    assert sessions.count("this browser") == 1
    assert "other browser" not in sessions

    [alice_session] = [session_id for user, session_id in listed if user == "alice"]
    ended = client.post(f"/app/admin/tokens/{alice_session}/revoke", data={"csrf": csrf})
    assert f"Web session {alice_session} ended" in ended.text
    assert alice_session not in _section(ended.text, "h-sessions")
    assert analyst.get("/app", follow_redirects=False).headers["location"].startswith("/app/login")


def test_the_api_says_which_tokens_are_web_sessions(client: TestClient, engine: Engine) -> None:
    log_in(client, "alice")
    made, _stored = access.create_token(
        engine, Identity.operator(), "ada", NOW, NOW + dt.timedelta(days=1), ("read", "admin")
    )
    listed = client.get("/api/v1/tokens", headers={"Authorization": f"ApiKey {made.text}"}).json()
    kinds = {(token["user"], token["kind"]) for token in listed}
    assert kinds == {("alice", "session"), ("ada", "api")}
