"""RED threads in the web application on both backends: the form refuses a RED thread that names
no one (the form again, filled in, with the reason), and a RED thread's subject reaches no page
of the users of its agencies it does not name; its page answers them as absent (404)."""

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
SUBJECT = "Informant inside the Zirka agency"


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency) -> Iterator[TestClient]:
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    for user, code in (("alice", "NCB-FR"), ("carmen", "NCB-ES"), ("bea", "NCB-ES")):
        access.add_user(engine, Identity.operator(), user, code, Role.ANALYST, NOW, password=PASSWORD)
    with TestClient(create_app(Settings(database_url=database_url, cookie_secure=False))) as test_client:
        yield test_client


def _sent(client: TestClient, **fields: str) -> dict[str, str]:
    form = client.get("/app/messages/new")
    return {
        "csrf": csrf_of(form.text),
        "to": "NCB-ES",
        "subject": SUBJECT,
        "priority": "urgent",
        "handling": "RED",
        "body": "She meets the recruiter on Friday.",
        **fields,
    }


def test_a_red_thread_reaches_only_the_users_it_names(client: TestClient) -> None:
    assert log_in(client, "alice") == 303
    opened = client.post("/app/messages", data=_sent(client, to_users="carmen"))
    assert opened.status_code == 200
    thread_path = str(opened.url.path)

    assert log_in(client, "bea") == 303  # of NCB-ES, but not named
    for path in ("/app/messages", "/app"):
        assert SUBJECT not in client.get(path).text, path
    absent = client.get(thread_path)
    assert absent.status_code == 404 and SUBJECT not in absent.text

    assert log_in(client, "carmen") == 303
    assert SUBJECT in client.get("/app/messages").text and SUBJECT in client.get("/app").text
    page = client.get(thread_path)
    assert "She meets the recruiter" in page.text and "For alice, carmen only" in text_of(page.text)


def test_a_red_thread_naming_no_one_comes_back_as_the_form_with_the_reason(client: TestClient) -> None:
    assert log_in(client, "alice") == 303
    refused = client.post("/app/messages", data=_sent(client))
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert "a RED thread names the users it is for" in text_of(refused.text)
    assert f'value="{SUBJECT}"' in refused.text and "She meets the recruiter on Friday." in refused.text
    assert '<option value="NCB-ES" selected>' in refused.text
    assert "No threads yet." in client.get("/app/messages").text
