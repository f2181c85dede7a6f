"""Indicator screenings on both backends, through the API and the pages: advice with reasons in
the language asked for, a form sent twice refused and recorded once, another agency kept out,
and bad answers refused."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from liaison.api.app import create_app
from liaison.model import Identity, Role
from liaison.services.accounts import access
from liaison.services.trafficking import trafficking_cases
from liaison.settings import Settings
from liaison.store.tables import AuditEventRow, IndicatorScreeningRow
from tests.api.test_alerts_api import token
from tests.test_cli import Cli
from tests.trafficking.world import NOW, envelope, two_agencies
from tests.web.pages import logged_in, text_of

_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.fixture
def client(engine: Engine, database_url: str) -> Iterator[TestClient]:
    two_agencies(engine)
    with TestClient(create_app(Settings(database_url=database_url, cookie_secure=False))) as test_client:
        yield test_client


def _stored(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(IndicatorScreeningRow)) or 0


def test_the_api_advises_in_the_language_asked_and_refuses_a_second_send(
    client: TestClient, engine: Engine
) -> None:
    bob = token(engine, "bob")
    form = client.get("/api/v1/trafficking/indicators", params={"lang": "es"}, headers=bob).json()
    questions = {
        item["id"]: item["question"] for section in form["sections"] for item in section["indicators"]
    }
    assert questions["documents_withheld"].startswith("¿Se ha quedado otra persona con su pasaporte")
    sent = {
        "form_token": form["form_token"],
        "setting": "worksite",
        "country": "es",
        "observed": ["documents_withheld", "debt_bondage", "excessive_hours"],
        "language": "es",
    }
    answer = client.post("/api/v1/trafficking/screenings", json=sent, headers=bob)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["advice"] == "refer" and body["title"] == "Derivar a una unidad especializada"
    assert body["reasons"] == ["Se observó un indicador fuerte de trata junto con otros."]
    again = client.post("/api/v1/trafficking/screenings", json=sent, headers=bob)
    assert again.status_code == 409 and "already sent" in again.json()["detail"]
    assert _stored(engine) == 1
    mine = client.get(f"/api/v1/trafficking/screenings/{body['id']}", headers=bob)
    assert mine.json()["observed"] == sent["observed"]
    theirs = client.get(f"/api/v1/trafficking/screenings/{body['id']}", headers=token(engine, "dana"))
    assert theirs.status_code == 404
    listed = client.get("/api/v1/trafficking/screenings", headers=bob).json()["screenings"]
    assert [item["id"] for item in listed] == [body["id"]]
    assert client.get("/api/v1/trafficking/screenings", headers=token(engine, "dana")).json() == {
        "screenings": []
    }
    with Session(engine) as session:
        actions = set(session.scalars(select(AuditEventRow.action).where(AuditEventRow.actor == "bob")))
    assert {"trafficking.screening", "trafficking.screening.read"} <= actions


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"observed": ["looks_odd"]}, "observed"),
        ({"setting": "moon"}, "setting"),
        ({"country": "zz"}, "country"),
        ({"form_token": "short"}, "form_token"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_stored(
    client: TestClient, engine: Engine, change: dict[str, object], field: str
) -> None:
    sent = {"form_token": "t" * 24, "setting": "street", "country": "es", "observed": ["minor"], **change}
    answer = client.post("/api/v1/trafficking/screenings", json=sent, headers=token(engine, "bob"))
    assert answer.status_code == 422 and field in answer.text
    assert _stored(engine) == 0


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.REVIEWER])
def test_a_role_that_does_not_screen_records_no_screening(
    client: TestClient, engine: Engine, role: Role
) -> None:
    access.add_user(engine, Identity.operator(), "rita", "NCB-ES", role, NOW)
    sent = {
        "form_token": "t" * 24,
        "setting": "street",
        "country": "es",
        "observed": ["minor"],
        "language": "en",
    }
    answer = client.post("/api/v1/trafficking/screenings", json=sent, headers=token(engine, "rita"))
    assert (
        answer.status_code == 403 and f"the {role} role reads screenings but does not screen" in answer.text
    )
    assert _stored(engine) == 0


def test_the_form_in_french_gives_advice_and_a_second_send_changes_nothing(
    client: TestClient, engine: Engine
) -> None:
    csrf = logged_in(client, "bob")
    page = client.get("/app/indicators", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr">' in page.text
    assert "La personne a-t-elle des blessures qui n'ont pas été soignées" in text_of(page.text).replace(
        "&#39;", "'"
    )
    found = _TOKEN.search(page.text)
    assert found is not None
    sent = {
        "csrf": csrf,
        "form_token": found.group(1),
        "lang": "fr",
        "setting": "private_home",
        "country": "es",
        "observed": ["injuries", "minor"],
        "notes": "kept in the back room",
    }
    answer = client.post("/app/indicators", data=sent, follow_redirects=False)
    assert answer.status_code == 303
    result = text_of(client.get(answer.headers["location"]).text)
    assert "Danger immédiat" in result and "112" in result and "kept in the back room" in result
    twice = client.post("/app/indicators", data=sent, follow_redirects=False)
    assert twice.status_code == 409 and "already sent" in text_of(twice.text)
    assert _stored(engine) == 1
    empty = client.post("/app/indicators", data={**sent, "form_token": "u" * 24, "setting": ""})
    assert empty.status_code == 422 and "setting" in text_of(empty.text)


def test_the_statistics_page_withholds_small_cells(
    client: TestClient, engine: Engine, shared_data: Path
) -> None:
    logged_in(client, "bob")
    page = client.get("/app/trafficking", params={"counted": "cases", "by": ["year"], "purpose": "report"})
    assert page.status_code == 200 and "Nothing you may read" in text_of(page.text)
    dana = access.identity_of(engine, "dana")
    trafficking_cases.import_prosecutions(
        engine, dana, shared_data / "trafficking_cases", envelope=envelope("ncb_us_htpd"), now=NOW
    )
    logged_in(client, "dana")
    shown = html.unescape(
        text_of(client.get("/app/trafficking", params={"by": ["year"], "purpose": "report"}).text)
    )
    assert "2009 1,635" in shown and "2016 <11" in shown and "2 of 18 cells withheld" in shown
    refused = client.get(
        "/app/trafficking", params={"counted": "cases", "by": ["species"], "purpose": "report"}
    )
    assert refused.status_code == 422 and "species unknown" in text_of(refused.text)


def test_the_cli_lists_the_indicators_and_screens(engine: Engine, database_url: str) -> None:
    two_agencies(engine)
    cli = Cli(database_url)
    listed = cli("trafficking", "indicators", "--lang", "fr")
    assert "documents_withheld" in listed and "Danger immédiat" in listed
    seen = ("--setting", "street", "--country", "es", "--observed", "minor", "--observed", "speaks_for")
    said = cli("--as", "bob", "trafficking", "screen", *seen, "--lang", "es")
    assert "Derivar a una unidad especializada" in said and "La persona puede ser menor" in " ".join(
        said.split()
    )
    refused = cli("--as", "bob", "trafficking", "screen", "--setting", "moon", "--country", "es", code=3)
    assert "field 'setting'" in refused
    assert cli("trafficking", "screen", "--setting", "street", "--country", "es", code=5)
    assert _stored(engine) == 1
