"""The search page and `GET /api/v1/entities` on both backends: ranked by relevance, shown with it,
cut at the floor, paged with a true count, filtered before ranking, audited and access-filtered.

Strategy: NCB-FR holds 250 GREEN "Natalia Petrenko" records (more than a page, more than the
200 the old search ranked before it filtered), an Oleksandr PETRENKO, and the look-alikes of the user
trial (JAMAAT-UL-AHRAR, which shares only a phonetic code with "Aurora", and AVRORA, which
spells it another way); NCB-ES holds one more Natalia Petrenko, whose id sorts after all of
NCB-FR's so that she ranks last, and a RED one that NCB-FR may not read. alice (NCB-FR) searches.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from liaison.api.app import create_app
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.settings import Settings
from tests.test_cli import Cli
from tests.web.pages import PASSWORD, log_in, text_of

NOW = dt.datetime.now(dt.UTC)
MANY = 250


def _person(entity_id: str, name: str, country: str = "ua") -> dict[str, object]:
    return {"id": entity_id, "schema": "Person", "properties": {"name": [name], "nationality": [country]}}


def _import(
    cli: Cli, folder: Path, dataset: str, agency: str, handling: str, rows: list[dict[str, object]]
) -> None:
    source = folder / f"{dataset}.json"
    source.write_text("\n".join(json.dumps(row) for row in rows))
    cli("import", "ftm", str(source), "--dataset", dataset, "--agency", agency, "--handling", handling)


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    cli = Cli(database_url)
    cli("init")
    engine = create_engine(database_url)
    operator = Identity.operator()
    agencies.register(engine, Agency("NCB-FR", "NCB Paris", "FR", AgencyKind.NCB), operator)
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB), operator)
    access.add_user(engine, operator, "alice", "NCB-FR", Role.ANALYST, NOW, password=PASSWORD)
    engine.dispose()
    many = [_person(f"fr-{n:03d}", "Natalia Petrenko", "ua" if n % 2 else "md") for n in range(MANY)]
    lookalikes = [
        {
            "id": "fr-jua",
            "schema": "Organization",
            "properties": {"name": ["JAMAAT-UL-AHRAR"], "alias": ["جماعة الأحرار"]},
        },
        {"id": "fr-avrora", "schema": "Vessel", "properties": {"name": ["AVRORA"], "flag": ["ru"]}},
        _person("fr-olek", "Oleksandr PETRENKO"),
    ]
    _import(cli, tmp_path, "fr_cases", "NCB-FR", "GREEN", [*many, *lookalikes])
    _import(cli, tmp_path, "es_cases", "NCB-ES", "GREEN", [_person("zz-es-1", "Natalia Petrenko", "es")])
    _import(cli, tmp_path, "es_secret", "NCB-ES", "RED", [_person("zz-es-red", "Natalia Petrenko", "es")])
    with TestClient(create_app(Settings(database_url=database_url, cookie_secure=False))) as test_client:
        yield test_client


def _results(html: str) -> list[tuple[str, str]]:
    """Each result row's (relevance, entity id), in the order shown."""
    body = html.split('id="search-results"')[1].split("</table>")[0]
    return re.findall(
        r'<span class="relevance" title="[^"]*">([0-9.]+)</span></td>\s*<td data-label="Name">'
        r'<a href="/app/entities/([^"?]+)',
        body,
    )


def _heading(html: str) -> str:
    return text_of(html.split('id="h-results">')[1].split("</h2>")[0]).strip()


def test_results_are_ranked_scored_and_paged_with_a_true_count(client: TestClient) -> None:
    assert log_in(client, "alice") == 303
    first = client.get("/app/search", params={"q": "Natalia Petrenko", "purpose": "case 118"})
    assert first.status_code == 200
    readable = MANY + 1  # NCB-FR's and NCB-ES's GREEN one; the RED one is a reference only
    assert _heading(first.text) == f"Results 1–20 of {readable}"
    shown = _results(first.text)
    assert len(shown) == 20 and all(score == "1.00" for score, _id in shown)
    assert "A record of <strong>NCB-ES</strong>" in first.text and "zz-es-red" not in first.text
    # Page links keep the query and the filters, and mark the page shown.
    assert 'href="/app/search?q=Natalia+Petrenko&amp;purpose=case+118&amp;page=2"' in first.text
    assert 'aria-current="page">1</a>' in first.text and ">13</a>" in first.text

    seen = [entity_id for _score, entity_id in shown]
    for number in range(2, 15):
        page = client.get(
            "/app/search", params={"q": "Natalia Petrenko", "purpose": "case 118", "page": number}
        )
        seen += [entity_id for _score, entity_id in _results(page.text)]
        if number == 13:
            assert _heading(page.text) == f"Results 241–{readable} of {readable}"
        if number == 14:
            assert _heading(page.text) == f"{readable} results, none on page 14"
    assert len(seen) == len(set(seen)) == readable  # every hit once, none lost between pages
    assert seen[-1] == "zz-es-1"  # ranked last: the old search never ranked her at all

    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        purposes = connection.execute(
            text("SELECT purpose FROM audit_event WHERE action = 'search'")
        ).scalars()
        assert set(purposes) == {"case 118"}


def test_filters_apply_before_ranking(client: TestClient) -> None:
    assert log_in(client, "alice") == 303
    query = {"q": "Natalia Petrenko", "purpose": "case 118"}
    by_agency = client.get("/app/search", params={**query, "agency": "NCB-ES"})
    assert _heading(by_agency.text) == "Results 1–1 of 1"
    assert [entity_id for _score, entity_id in _results(by_agency.text)] == ["zz-es-1"]
    assert (
        'href="/app/search?q=Natalia+Petrenko&amp;purpose=case+118&amp;agency=NCB-ES' not in by_agency.text
    )  # one page
    by_country = client.get("/app/search", params={**query, "country": "MD"})
    assert _heading(by_country.text) == f"Results 1–20 of {MANY // 2}"
    by_dataset = client.get("/app/search", params={**query, "dataset": "es_cases"})
    assert [entity_id for _score, entity_id in _results(by_dataset.text)] == ["zz-es-1"]
    by_handling = client.get("/app/search", params={**query, "handling": "RED"})
    assert _heading(by_handling.text) == "No results"  # the RED record is not hers to read
    by_type = client.get("/app/search", params={**query, "schema": "Vessel"})
    assert _heading(by_type.text) == "No results"


def test_the_type_starts_on_any_type_and_noise_is_cut_at_the_floor(client: TestClient) -> None:
    assert log_in(client, "alice") == 303
    form = client.get("/app/search")
    assert (
        '<option value="" selected>any type</option>' in form.text
        and "<option>Thing</option>" not in form.text
    )
    aurora = client.get("/app/search", params={"q": "Aurora", "purpose": "case 118"})
    assert _results(aurora.text) == [("0.83", "fr-avrora")]  # a vessel, found under any type
    assert "JAMAAT" not in aurora.text
    # Beside whole hits, her namesake holding half of the name is noise; with no whole hit, he is shown.
    natalia = client.get(
        "/app/search", params={"q": "Natalia Petrenko", "purpose": "case 118", "country": "ua"}
    )
    assert "fr-olek" not in natalia.text and _heading(natalia.text) == f"Results 1–20 of {MANY // 2}"
    olga = client.get("/app/search", params={"q": "Olga Petrenko", "purpose": "case 118", "country": "ua"})
    assert _heading(olga.text) == f"Results 1–20 of {MANY // 2 + 1}"
    assert {score for score, _id in _results(olga.text)} == {"0.62"}


def test_the_api_search_is_ranked_scored_filtered_and_counted(client: TestClient) -> None:
    engine = client.app.state.engine  # type: ignore[attr-defined]
    made, _stored = access.create_token(engine, Identity.operator(), "alice", NOW, scopes=("read",))
    bearer = {"Authorization": f"ApiKey {made.text}"}
    params = {"q": "Natalia Petrenko", "purpose": "case 118", "limit": 5, "offset": 248}
    body = client.get("/api/v1/entities", params=params, headers=bearer).json()
    assert (body["total"], body["exact"]) == (MANY + 1, True)
    assert [result["id"] for result in body["results"]] == ["fr-248", "fr-249", "zz-es-1"]
    assert {result["score"] for result in body["results"]} == {1.0}
    by_agency = client.get(
        "/api/v1/entities", params={**params, "offset": 0, "agency": "NCB-ES"}, headers=bearer
    )
    assert [result["id"] for result in by_agency.json()["results"]] == ["zz-es-1"]
    noise = client.get(
        "/api/v1/entities", params={"q": "Aurora", "purpose": "case 118"}, headers=bearer
    ).json()
    assert [(result["id"], result["score"]) for result in noise["results"]] == [("fr-avrora", 0.8333)]
