"""Watch pages on both backends: watches added by name and from an entity, listed, removed, and
refused with the reason; an entity the user may not read cannot be watched.

Strategy: NCB-FR (alice) holds a GREEN record every member reads and a RED one only it reads;
bob of NCB-ES watches, through the forms, with the server's match threshold set to 0.8.
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
from liaison.services.sharing import records
from liaison.settings import Settings
from tests.web.pages import PASSWORD, logged_in

NOW = dt.datetime.now(dt.UTC)
PERSON = {"schema": "Person", "properties": {"name": ["Ivan Petrovich Sokolov"], "birthDate": ["1975-03-02"]}}


def write(engine: Engine, entity_id: str, handling: str) -> None:
    """A person written by alice into NCB-FR's `ncb_fr_cases`."""
    alice = access.identity_of(engine, "alice")
    records.create(
        engine,
        alice,
        "ncb_fr_cases",
        {"id": entity_id, **PERSON},
        records.Handled(handling, purpose="case 118"),
        now=dt.datetime.now(dt.UTC),
        retention_years=5,
    )


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency) -> Iterator[TestClient]:
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    access.add_user(engine, Identity.operator(), "alice", "NCB-FR", Role.ANALYST, NOW, password=PASSWORD)
    access.add_user(engine, Identity.operator(), "bob", "NCB-ES", Role.ANALYST, NOW, password=PASSWORD)
    write(engine, "p-green", "GREEN")
    write(engine, "p-red", "RED")
    settings = Settings(database_url=database_url, cookie_secure=False, match_threshold=0.8)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def watch_ids(html: str) -> list[str]:
    """The watches a page offers to remove."""
    return re.findall(r'action="/app/watches/([0-9a-f]+)/remove"', html)


def test_watches_are_added_listed_and_removed_through_the_pages(client: TestClient, engine: Engine) -> None:
    csrf = logged_in(client, "bob")
    empty = client.get("/app/watches")
    assert "No watches yet" in empty.text and 'value="0.80"' in empty.text  # the server's threshold

    form = {"name": "Ivan Sokolov", "birth_date": "1975", "country": "ru", "label": "case 118", "csrf": csrf}
    added = client.post("/app/watches", data=form, follow_redirects=False)
    assert (added.status_code, added.headers["location"]) == (303, "/app/watches")
    listed = client.get("/app/watches").text
    assert "case 118" in listed and "Ivan Sokolov" in listed and "1975" in listed and ">0.80<" in listed
    [by_name] = watch_ids(listed)

    watched = client.post(
        "/app/watches/entity",
        data={"dataset": "ncb_fr_cases", "entity_id": "p-green", "csrf": csrf},
        follow_redirects=False,
    )
    assert (watched.status_code, watched.headers["location"]) == (303, "/app/entities/p-green")
    listed = client.get("/app/watches").text
    assert "Ivan Petrovich Sokolov (ncb_fr_cases)" in listed and len(watch_ids(listed)) == 2
    assert "case 118" in client.get("/app").text  # the dashboard lists my watches

    # A new record matching the watches raises alerts on the dashboard.
    write(engine, "p-new", "GREEN")
    assert "watch.hit" in client.get("/app").text

    removed = client.post(f"/app/watches/{by_name}/remove", data={"csrf": csrf})
    assert removed.status_code == 200 and by_name not in watch_ids(removed.text)
    assert flash_of(removed.text) == "Stopped watching case 118: no more alerts from it."
    assert "case 118" not in removed.text.split('id="flash"')[1].split("</p>", 1)[1]
    assert len(watch_ids(removed.text)) == 1
    assert client.post(f"/app/watches/{by_name}/remove", data={"csrf": csrf}).status_code == 404
    assert client.post(f"/app/watches/{watch_ids(removed.text)[0]}/remove", data={}).status_code == 403

    # Another user neither sees nor removes bob's watches.
    csrf = logged_in(client, "alice")
    assert watch_ids(client.get("/app/watches").text) == []
    assert (
        client.post(f"/app/watches/{watch_ids(removed.text)[0]}/remove", data={"csrf": csrf}).status_code
        == 404
    )


def test_an_entity_you_may_not_read_cannot_be_watched(client: TestClient) -> None:
    csrf = logged_in(client, "bob")
    hidden = client.post(
        "/app/watches/entity", data={"dataset": "ncb_fr_cases", "entity_id": "p-red", "csrf": csrf}
    )
    assert hidden.status_code == 404 and "p-red" in hidden.text
    missing = client.post(
        "/app/watches/entity", data={"dataset": "nowhere", "entity_id": "p-x", "csrf": csrf}
    )
    assert missing.status_code == 404
    assert watch_ids(client.get("/app/watches").text) == []
    csrf = logged_in(client, "alice")  # its owner may
    owned = client.post(
        "/app/watches/entity",
        data={"dataset": "ncb_fr_cases", "entity_id": "p-red", "csrf": csrf},
        follow_redirects=False,
    )
    assert owned.status_code == 303
    assert "Ivan Petrovich Sokolov (ncb_fr_cases)" in client.get("/app/watches").text


def test_a_refused_watch_comes_back_with_the_reason_and_what_was_typed(client: TestClient) -> None:
    csrf = logged_in(client, "bob")
    low = client.post("/app/watches", data={"name": "Ivan Sokolov", "threshold": "0.2", "csrf": csrf})
    assert low.status_code == 422 and "threshold" in low.text and 'value="Ivan Sokolov"' in low.text
    typo = client.post("/app/watches", data={"name": "Ivan Sokolov", "threshold": "high", "csrf": csrf})
    assert typo.status_code == 422 and "threshold" in typo.text
    nameless = client.post("/app/watches", data={"birth_date": "1975", "csrf": csrf})
    assert nameless.status_code == 422 and "name" in nameless.text
    vessel = client.post(
        "/app/watches", data={"name": "Aurora", "schema": "Vessel", "birth_date": "1975", "csrf": csrf}
    )
    assert vessel.status_code == 422 and "birthDate" in vessel.text
    assert watch_ids(client.get("/app/watches").text) == []


def flash_of(html: str) -> str | None:
    """The confirmation a page shows of what the last button did, if any."""
    found = re.search(r'<p class="notice-ok flash" role="status" id="flash">([^<]*)</p>', html)
    return found.group(1) if found else None


def test_watching_says_what_was_watched_once_and_only_to_the_session_that_did_it(client: TestClient) -> None:
    csrf = logged_in(client, "bob")
    assert flash_of(client.get("/app/entities/p-green").text) is None
    shown = client.post(
        "/app/watches/entity", data={"dataset": "ncb_fr_cases", "entity_id": "p-green", "csrf": csrf}
    )
    assert shown.url.path == "/app/entities/p-green"  # back where the button was
    assert flash_of(shown.text) == (
        "Watching Ivan Petrovich Sokolov (ncb_fr_cases): you will be alerted when new records match "
        "(score 0.80 or more)."
    )
    assert flash_of(client.get("/app/entities/p-green").text) is None  # said once

    added = client.post("/app/watches", data={"name": "Ivan Sokolov", "label": "case 118", "csrf": csrf})
    assert flash_of(added.text) == (
        "Watching case 118: you will be alerted when new records match (score 0.80 or more)."
    )
    [first, _second] = watch_ids(added.text)
    removed = client.post(f"/app/watches/{first}/remove", data={"csrf": csrf})
    said = flash_of(removed.text)
    assert said is not None and said.startswith("Stopped watching ") and first not in removed.text

    # A confirmation is signed with the session that earned it: another session, or a cookie
    # planted without one, shows nothing.
    client.post("/app/watches", data={"name": "Karim Benali", "csrf": csrf}, follow_redirects=False)
    planted = client.cookies.get("liaison_flash")
    assert planted
    logged_in(client, "alice")
    client.cookies.set("liaison_flash", planted, path="/app")
    assert flash_of(client.get("/app/watches").text) is None
