"""Search, entity, access-request, message, screening and review pages, on both backends.

Strategy: two agencies, NCB-FR (alice, analyst) and NCB-ES (bob, analyst), each holding records
the other may or may not read; the real application is driven through its login form and forms.
The properties that matter: a hidden record's content never reaches a page, every search and
screening is audited with its purpose, and each change needs the form's CSRF field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from liaison.api.app import create_app
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.services.screening import xref
from liaison.settings import Settings
from liaison.web.session import safe_next
from tests.test_cli import Cli
from tests.web.pages import PASSWORD, csrf_of, log_in, text_of

NOW = dt.datetime.now(dt.UTC)


def _import(
    cli: Cli,
    folder: Path,
    dataset: str,
    agency: str,
    handling: str,
    *rows: dict[str, object],
    release: tuple[str, ...] = (),
) -> None:
    source = folder / f"{dataset}.json"
    source.write_text("\n".join(json.dumps(row) for row in rows))
    options = [option for entry in release for option in ("--release", entry)]
    cli(
        "import",
        "ftm",
        str(source),
        "--dataset",
        dataset,
        "--agency",
        agency,
        "--handling",
        handling,
        *options,
    )


def _person(entity_id: str, name: str, birth: str) -> dict[str, object]:
    return {"id": entity_id, "schema": "Person", "properties": {"name": [name], "birthDate": [birth]}}


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    cli = Cli(database_url)
    cli("init")
    engine = create_engine(database_url)
    operator = Identity.operator()
    agencies.register(engine, Agency("NCB-FR", "NCB Paris", "FR", AgencyKind.NCB), operator)
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB), operator)
    for name, agency in (("alice", "NCB-FR"), ("bob", "NCB-ES")):
        access.add_user(engine, operator, name, agency, Role.ANALYST, NOW, password=PASSWORD)
    engine.dispose()
    _import(
        cli,
        tmp_path,
        "fr_case",
        "NCB-FR",
        "AMBER",
        _person("fr-1", "Karim Benali", "1979-02-06"),
        _person("fr-2", "Natalia Petrenko", "1990-05-01"),
        release=("agency:NCB-ES",),
    )
    _import(cli, tmp_path, "es_victims", "NCB-ES", "RED", _person("es-1", "Maria Ceban", "2001-07-09"))
    _import(
        cli,
        tmp_path,
        "es_case",
        "NCB-ES",
        "AMBER",
        _person("es-2", "Natalia Petrenko", "1990-05-01"),
        release=("agency:NCB-FR",),
    )
    with TestClient(create_app(Settings(database_url=database_url, cookie_secure=False))) as test_client:
        yield test_client


def _events(client: TestClient, action: str) -> list[tuple[str, str, str]]:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT actor, subject, purpose FROM audit_event WHERE action = :action ORDER BY seq"),
            {"action": action},
        )
        return [(row.actor, row.subject, row.purpose) for row in rows]


def test_a_search_needs_a_purpose_shows_handling_and_hides_what_it_may_not_show(client: TestClient) -> None:
    assert log_in(client, "alice") == 303
    refused = client.get("/app/search", params={"q": "Maria Ceban", "purpose": ""})
    assert refused.status_code == 422 and "Say why you search" in refused.text
    assert _events(client, "search") == []

    shown = client.get("/app/search", params={"q": "Maria Ceban", "purpose": "case 118"})
    assert shown.status_code == 200
    assert "script-src 'self';" in shown.headers["Content-Security-Policy"]
    assert shown.headers["Cache-Control"] == "no-store"
    assert "A record of <strong>NCB-ES</strong>" in shown.text and "Request access" in shown.text
    assert "Ceban" not in text_of(shown.text).replace("Maria Ceban", "")  # only the query itself
    assert "es-1" not in shown.text
    assert _events(client, "search") == [("alice", "scope:default", "case 118")]

    found = client.get("/app/search", params={"q": "Karim Benali", "purpose": "case 118"})
    assert 'href="/app/entities/fr-1?purpose=case%20118"' in found.text
    assert '<span class="tlp tlp-amber"' in found.text
    by_agency = client.get(
        "/app/search", params={"q": "Natalia Petrenko", "purpose": "x12", "agency": "NCB-ES"}
    )
    results = by_agency.text.split('id="h-results"')[1]
    assert "es-2" in results and "fr-2" not in results
    by_handling = client.get("/app/search", params={"q": "Karim Benali", "purpose": "x12", "handling": "RED"})
    assert "fr-1" not in by_handling.text.split('id="h-results"')[1]


def test_the_entity_page_shows_sources_relations_matches_and_readers_to_the_owner_only(
    client: TestClient, tmp_path: Path
) -> None:
    assert log_in(client, "alice") == 303
    page = client.get("/app/entities/fr-2", params={"purpose": "case 118"})
    assert page.status_code == 200
    assert 'class="banner tlp-amber"' in page.text
    # Each value names where it comes from: dataset, owner, the file's name and line, never its path.
    assert "from fr_case (NCB-FR), fr_case.json, line 2" in page.text
    assert '<td data-label="Source">fr_case.json, line 2</td>' in page.text
    assert str(tmp_path) not in page.text
    assert "es-2" in page.text and "May be the same as" in page.text  # NCB-ES's copy, readable to alice
    assert "Who read it" in page.text and "case 118" in page.text
    hidden = client.get("/app/entities/es-1")
    assert hidden.status_code == 404 and "Maria" not in hidden.text and "Traceback" not in hidden.text

    assert log_in(client, "bob") == 303
    other = client.get("/app/entities/fr-2")
    assert other.status_code == 200 and "Who read it" not in other.text  # bob's agency does not own it


def test_a_hidden_record_is_requested_granted_then_read(client: TestClient) -> None:
    assert log_in(client, "alice") == 303
    found = client.get("/app/search", params={"q": "Maria Ceban", "purpose": "case 118"})
    reference = found.text.split("/app/access?reference=")[1].split('"')[0]
    form = client.get("/app/access", params={"reference": reference})
    forged = client.post("/app/access", data={"reference": reference, "reason": "case 118"})
    assert forged.status_code == 403
    asked = client.post(
        "/app/access", data={"csrf": csrf_of(form.text), "reference": reference, "reason": "case 118"}
    )
    assert asked.status_code == 200 and "pending" in asked.text
    assert "Access requested from NCB-ES: they decide, and you are alerted when they do." in asked.text

    assert log_in(client, "bob") == 303
    inbox = client.get("/app/access")
    request_id = inbox.text.split('data-request="')[1].split('"')[0]
    assert "es_victims/es-1" in inbox.text  # the owner sees which record is asked for
    granted = client.post(
        f"/app/access/{request_id}", data={"csrf": csrf_of(inbox.text), "decision": "grant"}
    )
    assert granted.status_code == 200 and "granted" in granted.text
    assert "Request of alice (NCB-FR) granted: they may read the record now." in granted.text

    assert log_in(client, "alice") == 303
    page = client.get("/app/entities/es-1")
    assert page.status_code == 200 and "Maria Ceban" in page.text and 'class="banner tlp-red"' in page.text


def test_an_urgent_message_alerts_the_other_agency_and_reading_it_is_receipted(client: TestClient) -> None:
    assert log_in(client, "alice") == 303
    form = client.get("/app/messages/new")
    sent = client.post(
        "/app/messages",
        data={
            "csrf": csrf_of(form.text),
            "to": "NCB-ES",
            "subject": "Van on the A9",
            "priority": "urgent",
            "handling": "AMBER",
            "body": "Two victims suspected on board.",
        },
    )
    assert sent.status_code == 200 and "Two victims suspected on board." in sent.text
    thread_path = str(sent.url.path)
    assert "nobody yet" in sent.text

    assert log_in(client, "bob") == 303
    dashboard = client.get("/app")
    assert "message.urgent" in dashboard.text and f'href="{thread_path}"' in dashboard.text
    after = dashboard.text.split('data-after="')[1].split('"')[0]
    assert client.get("/app/alerts", params={"after": after}).text.strip() == ""
    assert "Two victims" in client.get(thread_path).text

    assert log_in(client, "alice") == 303
    assert "Read by: bob" in text_of(client.get(thread_path).text)


def test_a_csv_is_screened_row_by_row_and_a_bad_one_is_refused_naming_the_column(client: TestClient) -> None:
    assert log_in(client, "alice") == 303
    csrf = csrf_of(client.get("/app/screen").text)
    manifest = b"name,birth_date\nMaria Ceban,2001-07-09\nKarim Benali,1979-02-06\nNobody Atall,1950\n,\n"
    answer = client.post(
        "/app/screen/file",
        data={"csrf": csrf, "purpose": "flight LX 123"},
        files={"file": ("manifest.csv", manifest, "text/csv")},
    )
    assert answer.status_code == 200 and answer.headers["X-Liaison-Rows"] == "3"
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    statuses = {(row["row"], row["status"]) for row in rows}
    assert statuses == {("1", "reference"), ("2", "match"), ("3", "clear")}
    assert all("Ceban" not in row["caption"] for row in rows)
    assert next(row for row in rows if row["status"] == "match")["entity_id"] == "fr-1"
    assert [purpose for _actor, _subject, purpose in _events(client, "match")] == ["flight LX 123"]

    bad = client.post(
        "/app/screen/file",
        data={"csrf": csrf, "purpose": "flight LX 123"},
        files={"file": ("wrong.csv", b"surname\nBenali\n", "text/csv")},
    )
    assert bad.status_code == 422 and "wrong.csv" in bad.text and "no &#39;name&#39; column" in bad.text


def test_a_pair_is_reviewed_side_by_side_and_confirmed(client: TestClient) -> None:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    xref.run(engine, xref.prepare(engine, Identity.operator(), "fr_case", "es_case"), threshold=0.7, now=NOW)
    assert log_in(client, "alice") == 303
    page = client.get("/app/review")
    assert 'aria-label="Left record"' in page.text and text_of(page.text).count("Natalia Petrenko") >= 2
    assert 'value="confirm"' in page.text and 'value="dismiss"' in page.text
    pair_id = page.text.split('action="/app/review/')[1].split('"')[0]
    decided = client.post(f"/app/review/{pair_id}", data={"csrf": csrf_of(page.text), "decision": "confirm"})
    assert decided.status_code == 200 and "No pair awaits a decision" in decided.text
    assert (
        'role="status" id="flash">Natalia Petrenko and Natalia Petrenko: confirmed as one entity.'
        in decided.text
    )
    assert xref.review(engine, status="confirmed")[0].decided_by == "alice"


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.FIRST_RESPONDER])
def test_the_review_page_offers_confirm_and_dismiss_only_to_those_who_may_decide(
    client: TestClient, role: Role
) -> None:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    xref.run(engine, xref.prepare(engine, Identity.operator(), "fr_case", "es_case"), threshold=0.7, now=NOW)
    access.add_user(engine, Identity.operator(), "reader", "NCB-FR", role, NOW, password=PASSWORD)
    assert log_in(client, "reader") == 303
    page = client.get("/app/review")
    assert 'aria-label="Left record"' in page.text and text_of(page.text).count("Natalia Petrenko") >= 2
    assert 'value="confirm"' not in page.text and 'value="dismiss"' not in page.text
    assert f"a {role} reads match pairs but does not confirm or dismiss them" in text_of(page.text)
    # The page only hides what the decision refuses: a decision posted anyway is still refused.
    [pair] = xref.review(engine, identity=Identity.operator())
    refused = client.post(
        f"/app/review/{pair.pair_id}", data={"csrf": csrf_of(page.text), "decision": "confirm"}
    )
    assert refused.status_code == 403 and xref.review(engine, status="confirmed") == []


@pytest.mark.parametrize(
    ("asked", "sent_to"),
    [
        ("/app/search?q=x", "/app/search?q=x"),
        ("//evil.example/app", "/app"),
        ("https://evil.example", "/app"),
        ("/api/v1/admin", "/app"),
        ("/app\\@evil", "/app"),
        (None, "/app"),
    ],
)
def test_after_login_the_browser_goes_only_to_a_page_of_the_application(
    asked: str | None, sent_to: str
) -> None:
    assert safe_next(asked) == sent_to
