"""HTCDS 2.0 case files on both backends: the shipped field list is the standard's own, a case
file imports as a network with RED, minimised victims, perpetrators are matched across agencies,
victim statistics stay within access with small cells withheld, and a bad value anywhere refuses
the whole file, naming case, person and field."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from liaison.api.app import create_app
from liaison.errors import BadInput
from liaison.model import Handling
from liaison.model.htcds import fields
from liaison.services.accounts import access
from liaison.services.trafficking import trafficking_cases
from liaison.settings import Settings
from liaison.store.tables import EntityRow, TraffickingCaseRow, TraffickingVictimRow
from tests.api.test_alerts_api import token
from tests.test_cli import Cli
from tests.trafficking.htcds_sheet import htcds_fields
from tests.trafficking.world import NOW, envelope, two_agencies
from tests.web.pages import logged_in, text_of

FILE = Path(__file__).parent / "files" / "cases.json"


def _import(
    engine: Engine, path: Path = FILE, handling: Handling = Handling.GREEN
) -> trafficking_cases.CaseImport:
    bob = access.identity_of(engine, "bob")
    return trafficking_cases.import_cases(
        engine,
        bob,
        path,
        envelope=envelope("ncb_es_cases", handling, agency="NCB-ES"),
        source=path.name,
        now=NOW,
    )


def test_the_shipped_field_list_is_the_standards_own(shared_data: Path) -> None:
    sheet = htcds_fields(shared_data / "trafficking_indicators" / "htcds_field_standards_2.0.ods")
    shipped = fields()
    assert set(shipped) == set(sheet)
    for name, spec in sheet.items():
        assert shipped[name].values == spec["values"], name
        assert shipped[name].kind == spec["type"] and shipped[name].deprecated == (
            spec["status"] == "DEPRECATED"
        )
    assert "DebtBondage" in shipped["vic_MethodsOfControl"].values
    assert shipped["vic_TypeOfExploitation"].multiple


def test_a_case_file_imports_with_red_minimised_victims(engine: Engine) -> None:
    two_agencies(engine)
    done = _import(engine)
    assert (done.cases, done.victims, done.dropped) == (2, 3, 3)
    with Session(engine) as session:
        rows = {row.caption: row for row in session.scalars(select(EntityRow))}
    iryna = rows["Iryna Kovalchuk"]
    assert iryna.handling == "RED" and set(iryna.properties) == {
        "name",
        "firstName",
        "lastName",
        "birthDate",
        "gender",
        "nationality",
    }
    petrenko = rows["Oleksandr Petrenko"]
    assert petrenko.handling == "GREEN" and petrenko.properties["phone"] == ["+380501234567"]
    case = rows["Trafficking case ES-2026-0042"]
    assert case.properties["summary"] == ["Route: UA > MD > ES"]
    assert set(case.properties["involved"]) == {petrenko.id, rows["Ion Rusu"].id}
    with Session(engine) as session:
        facts = session.get(TraffickingCaseRow, ("ncb_es_cases", case.id))
        assert facts is not None and (facts.year, facts.country, facts.victims, facts.minors) == (
            2026,
            "es",
            2,
            1,
        )
        kinds = session.scalars(
            select(TraffickingVictimRow.exploitation).order_by(TraffickingVictimRow.exploitation)
        )
        assert list(kinds) == ["ForcedLabour", "ForcedLabour", "SexualExploitation", "SexualExploitation"]


def test_other_agencies_match_perpetrators_but_never_see_victims(engine: Engine, database_url: str) -> None:
    two_agencies(engine)
    _import(engine)
    query = {"q": {"schema": "Person", "properties": {"name": ["Oleksandr Petrenko"], "birthDate": ["1984"]}}}
    victim = {"q": {"schema": "Person", "properties": {"name": ["Iryna Kovalchuk"], "birthDate": ["2001"]}}}
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        dana = token(engine, "dana")
        found = client.post("/api/v1/match/default", json={"queries": query}, headers=dana).json()
        assert [hit["caption"] for hit in found["responses"]["q"]["results"]][:1] == ["Oleksandr Petrenko"]
        hidden = client.post("/api/v1/match/default", json={"queries": victim}, headers=dana).json()
        assert hidden["responses"]["q"]["results"] == []
        assert "Kovalchuk" not in json.dumps(hidden).replace("Iryna Kovalchuk", "", 1)
        bob = token(engine, "bob")
        own = client.post("/api/v1/match/default", json={"queries": victim}, headers=bob).json()
        assert [hit["caption"] for hit in own["responses"]["q"]["results"]][:1] == ["Iryna Kovalchuk"]
        # Only an explicit grant by the owner lets the victim's record leave the agency.
        [reference] = hidden["responses"]["q"]["references"]
        asked = {"reference": reference["reference"], "reason": "same victim in our case US-77"}
        made = client.post("/api/v1/access-requests", json=asked, headers=dana).json()
        granted = client.post(f"/api/v1/access-requests/{made['request']}/grant", json={}, headers=bob).json()
        assert granted["release_entry"] == "user:dana"
        shown = client.post("/api/v1/match/default", json={"queries": victim}, headers=dana).json()
        assert [hit["caption"] for hit in shown["responses"]["q"]["results"]][:1] == ["Iryna Kovalchuk"]


def _many_victims(tmp_path: Path) -> Path:
    """A file of 40 victims in one case: 25 sexually exploited, 15 in forced labour."""
    data: dict[str, Any] = json.loads(FILE.read_text())
    case = data["cases"][1]
    case["victims"] = [
        {
            "id": f"v{n}",
            "prs_Gender": "Feminine" if n % 2 else "Masculine",
            "vic_TypeOfExploitation": ["SexualExploitation" if n < 25 else "ForcedLabour"],
        }
        for n in range(40)
    ]
    path = tmp_path / "many.json"
    path.write_text(json.dumps({"cases": [case]}))
    return path


def test_victim_statistics_count_only_readable_victims_with_small_cells_withheld(
    engine: Engine, tmp_path: Path
) -> None:
    two_agencies(engine)
    _import(engine, _many_victims(tmp_path))
    bob, dana = access.identity_of(engine, "bob"), access.identity_of(engine, "dana")
    found = trafficking_cases.statistics(engine, bob, "victims", ["exploitation"], purpose="report", now=NOW)
    assert found.cells == {("ForcedLabour",): 15, ("SexualExploitation",): 25}
    by_gender = trafficking_cases.statistics(
        engine, bob, "victims", ["exploitation", "gender"], purpose="report", now=NOW
    )
    # 8 women and 7 men in forced labour are withheld; the 12 women and 13 men sexually exploited
    # are withheld too, or the totals by gender would give the small cells away.
    assert set(by_gender.cells.values()) == {None} and len(by_gender.cells) == 4
    by_sex = trafficking_cases.statistics(engine, bob, "victims", ["gender"], purpose="report", now=NOW)
    assert by_sex.cells == {("Feminine",): 20, ("Masculine",): 20}
    # The case is GREEN, its victims RED: another agency counts the case, not the victims.
    assert (
        trafficking_cases.statistics(engine, dana, "victims", ["year"], purpose="report", now=NOW).cells == {}
    )
    cases = trafficking_cases.statistics(
        engine, dana, "cases", ["year"], measure="victims", purpose="x", now=NOW
    )
    assert cases.cells == {("2025",): 40}


def _broken(tmp_path: Path, change: Any) -> Path:
    data = copy.deepcopy(json.loads(FILE.read_text()))
    change(data)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(data))
    return path


def _victim(**values: Any) -> Any:
    return lambda data: data["cases"][0]["victims"][0].update(values)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["cases"][0]["victims"][1].update(vic_MethodsOfControl=["Beating"]),
            r"cases\[0\]\.victims\[1\]: field 'vic_MethodsOfControl': 'Beating' is not an HTCDS value",
        ),
        (
            lambda d: d["cases"][0]["perpetrators"][0].update(vic_TypeOfExploitation=["ForcedLabour"]),
            r"cases\[0\]\.perpetrators\[0\]: field 'vic_TypeOfExploitation': not an HTCDS 2.0 field here",
        ),
        (
            lambda d: d["cases"][1].update(id="ES-2026-0042"),
            r"cases\[1\]: field 'id': case 'ES-2026-0042' appears twice",
        ),
        (_victim(vic_Vulnerabilities=["Poverty"]), r"deprecated in HTCDS 2.0"),
        (
            lambda d: d["cases"][0]["events"][0].update(hte_Date="2999-01-01"),
            r"'hte_Date': '2999-01-01' is in the future",
        ),
        (_victim(prs_Citizenship=["XX"]), r"'XX' is not an ISO 3166"),
        (_victim(vic_AgeWhenTrafficked="twenty"), r"a number, not 'twenty'"),
        (lambda d: d.pop("cases"), r"not an HTCDS case file"),
    ],
)
def test_a_bad_value_refuses_the_whole_file(
    engine: Engine, tmp_path: Path, change: Any, expected: str
) -> None:
    two_agencies(engine)
    with pytest.raises(BadInput, match=expected):
        _import(engine, _broken(tmp_path, change))
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(EntityRow)) == 0
        assert session.scalar(select(func.count()).select_from(TraffickingVictimRow)) == 0


def test_case_files_through_the_api_the_cli_and_the_page(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    two_agencies(engine)
    with TestClient(create_app(Settings(database_url=database_url, cookie_secure=False))) as client:
        bob = token(engine, "bob")
        answer = client.post(
            "/api/v1/trafficking/datasets/ncb_es_api/cases", content=FILE.read_bytes(), headers=bob
        )
        assert answer.status_code == 201, answer.text
        assert answer.json() | {"run_id": 0} == {
            "dataset": "ncb_es_api",
            "run_id": 0,
            "cases": 2,
            "victims": 3,
            "victim_fields_not_kept": 3,
        }
        bad = client.post(
            "/api/v1/trafficking/datasets/ncb_es_bad/cases", content=b'{"cases": [{"id": 1}]}', headers=bob
        )
        assert bad.status_code == 422 and "request: cases[0]: field 'id'" in bad.json()["detail"]
        csrf = logged_in(client, "bob")
        sent = client.post(
            "/app/trafficking/import",
            data={"csrf": csrf, "dataset": "ncb_es_page", "handling": "AMBER"},
            files={"file": ("cases.json", FILE.read_bytes(), "application/json")},
        )
        assert "Imported 2 cases with 3 victims into ncb_es_page" in text_of(sent.text)
        refused = client.post(
            "/app/trafficking/import",
            data={"csrf": csrf, "dataset": "ncb_es_page2", "handling": "AMBER"},
            files={"file": ("mine.json", b"[1, 2]", "application/json")},
        )
        assert refused.status_code == 422 and "mine.json: not an HTCDS case file" in text_of(refused.text)
    cli = Cli(database_url)
    said = cli("trafficking", "import-cases", str(FILE), "--dataset", "es_cli", "--agency", "NCB-ES")
    assert (
        "imported 2 cases with 3 victims into es_cli (3 victim contact or address fields not kept)"
        in " ".join(said.split())
    )
    with Session(engine) as session:
        datasets = set(session.scalars(select(EntityRow.dataset).distinct()))
    assert datasets == {"ncb_es_api", "ncb_es_page", "es_cli"}
