"""Notice pages on both backends: a notice drafted, submitted, published by the secretariat and
listed as published, all through the forms; refusals come back as error pages.

Strategy: the smallest world with a review: NCB-FR (alice, analyst), NCB-ES (bob, analyst) and
the secretariat IPSG (rita, reviewer); one client logs in as each in turn through the login form.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from liaison.api.app import create_app
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.settings import Settings
from tests.web.pages import PASSWORD, logged_in

NOW = dt.datetime.now(dt.UTC)
DRAFT = {
    "kind": "red",
    "title": "Wanted for trafficking",
    "summary": "Arrest for extradition.",
    "name": "Ivan Sokolov",
    "birth_date": "1975-03-02",
    "nationality": "ru",
    "document": "RU1234567",
}


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency) -> Iterator[TestClient]:
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    agencies.register(engine, Agency("IPSG", "General Secretariat", "FR", AgencyKind.SECRETARIAT))
    for user, code, role in (
        ("alice", "NCB-FR", Role.ANALYST),
        ("bob", "NCB-ES", Role.ANALYST),
        ("rita", "IPSG", Role.REVIEWER),
    ):
        access.add_user(engine, Identity.operator(), user, code, role, NOW, password=PASSWORD)
    with TestClient(create_app(Settings(database_url=database_url, cookie_secure=False))) as test_client:
        yield test_client


def draft(client: TestClient, csrf: str, **fields: str) -> str:
    """Draft a notice through the form; its id, from the page it lands on."""
    made = client.post("/app/notices", data={**DRAFT, **fields, "csrf": csrf}, follow_redirects=False)
    assert made.status_code == 303, made.text
    found = re.fullmatch(r"/app/notices/([0-9a-f]+)", made.headers["location"])
    assert found is not None
    return found.group(1)


def buttons(html: str) -> list[str]:
    """The moves a notice page offers."""
    return re.findall(r'formaction="/app/notices/[0-9a-f]+/(\w+)"', html)


def test_a_notice_from_draft_to_publication_through_the_pages(client: TestClient) -> None:
    csrf = logged_in(client, "alice")
    assert "Draft a notice" in client.get("/app/notices/new").text
    notice = draft(client, csrf)
    shown = client.get(f"/app/notices/{notice}")
    assert (
        "Wanted for trafficking" in shown.text and "Ivan Sokolov" in shown.text and "RU1234567" in shown.text
    )
    assert buttons(shown.text) == ["submit"]
    submitted = client.post(f"/app/notices/{notice}/submit", data={"csrf": csrf})
    assert submitted.status_code == 200 and buttons(submitted.text) == []
    assert ">submitted<" in submitted.text
    # The issuer's own agency may not publish what it submitted.
    refused = client.post(f"/app/notices/{notice}/publish", data={"csrf": csrf})
    assert refused.status_code == 403 and "secretariat" in refused.text

    # A user of another agency does not even see a notice under review, nor may publish it.
    csrf = logged_in(client, "bob")
    assert notice not in client.get("/app/notices").text
    assert client.post(f"/app/notices/{notice}/publish", data={"csrf": csrf}).status_code == 404

    csrf = logged_in(client, "rita")
    assert f"/app/notices/{notice}" in client.get("/app").text  # on the dashboard, awaiting review
    review = client.get(f"/app/notices/{notice}")
    assert buttons(review.text) == ["publish", "refuse"]
    assert (
        client.post(f"/app/notices/{notice}/publish", data={"note": "checked"}).status_code == 403
    )  # no CSRF
    published = client.post(f"/app/notices/{notice}/publish", data={"csrf": csrf, "note": "checked"})
    assert published.status_code == 200 and ">published<" in published.text and "checked" in published.text
    assert buttons(published.text) == ["withdraw"]

    csrf = logged_in(client, "bob")
    listed = client.get("/app/notices", params={"status": "published"})
    assert f"/app/notices/{notice}" in listed.text and "Wanted for trafficking" in listed.text
    # Every member now reads it, but only its agency and the secretariat may withdraw it.
    assert buttons(client.get(f"/app/notices/{notice}").text) == []
    assert client.post(f"/app/notices/{notice}/withdraw", data={"csrf": csrf}).status_code == 403
    assert client.post(f"/app/notices/{notice}/submit", data={"csrf": csrf}).status_code == 409

    logged_in(client, "alice")
    mine = client.get("/app/notices", params={"status": "published"}).text
    assert f"/app/notices/{notice}" in mine
    assert f"/app/notices/{notice}" not in client.get("/app/notices", params={"status": "draft"}).text


def test_a_bad_draft_comes_back_with_the_reason_and_what_was_typed(client: TestClient) -> None:
    csrf = logged_in(client, "alice")
    nameless = client.post("/app/notices", data={**DRAFT, "name": "", "csrf": csrf})
    assert nameless.status_code == 422 and "subject" in nameless.text
    assert 'value="Wanted for trafficking"' in nameless.text and 'value="RU1234567"' in nameless.text
    past = client.post("/app/notices", data={**DRAFT, "expires": "2000-01-01", "csrf": csrf})
    assert past.status_code == 422 and "future" in past.text
    no_date = client.post("/app/notices", data={**DRAFT, "expires": "soon", "csrf": csrf})
    assert no_date.status_code == 422 and "expires" in no_date.text
    diffusion = client.post("/app/notices", data={**DRAFT, "kind": "diffusion", "csrf": csrf})
    assert diffusion.status_code == 422 and "recipients" in diffusion.text
    assert client.get("/app/notices").text.count("/app/notices/") == 1  # only the link to the form
    assert client.get("/app/notices", params={"status": "lost"}).status_code == 422


def test_a_diffusion_is_sent_to_the_agencies_it_names(client: TestClient) -> None:
    csrf = logged_in(client, "alice")
    tomorrow = (NOW + dt.timedelta(days=2)).date().isoformat()
    diffusion = draft(client, csrf, kind="diffusion", recipients="NCB-ES", expires=tomorrow)
    shown = client.get(f"/app/notices/{diffusion}")
    assert buttons(shown.text) == ["send"] and "NCB-ES" in shown.text
    assert buttons(client.post(f"/app/notices/{diffusion}/send", data={"csrf": csrf}).text) == ["withdraw"]
    logged_in(client, "bob")
    assert "Wanted for trafficking" in client.get(f"/app/notices/{diffusion}").text
