"""One screening pipeline: one table of cases through every face that screens people, same answers.

The faces are `/match` (yente's API), `/api/v1/screenings` (entry and freeze screening), the
web's CSV screening, `liaison screen` and passenger manifests, against the real UN list and a
RED case file of NCB-FR that the screening officer (BP-MD) may not read. Each face must find
the same listings with the same scores, and the same hidden record as a reference naming only
its owner; a manifest, whose passengers carry first and last names as well, must answer as
`/match` does for the same properties.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from followthemoney import model
from sqlalchemy import Engine, create_engine, text

from liaison.api.app import create_app
from liaison.ingest import Record
from liaison.ingest.manifest import read_manifest
from liaison.model import Envelope, Handling, Identity, Role
from liaison.services.accounts import access
from liaison.services.screening.manifests import subject_of
from liaison.services.sharing.imports import import_records
from liaison.settings import Settings
from tests.api.test_alerts_api import token
from tests.test_cli import Cli
from tests.web.pages import PASSWORD, csrf_of, log_in

NOW = dt.datetime.now(dt.UTC)
THRESHOLD = 0.7
MANIFEST_HEADER = (
    "surname,given_names,birth_date,nationality,gender,document_type,document_number,document_country,"
    "flight,departure,arrival\n"
)

Found = tuple[str, float]
"""What a face found for a case: a listing's id, or `ref:<owner>` for a hidden record, and its score."""

# name, birth date, nationality, gender; what must be found
CASES: list[tuple[str, str, str, str]] = [
    ("Sadam Husein al-Tikriti", "1937", "iq", "male"),
    ("صدام حسين التكريتي", "", "", ""),
    ("Eric Badege", "1971", "cd", ""),
    ("John Smith", "1980-01-01", "gb", ""),
    ("Viktor Bout", "1967-01-13", "ru", "male"),
    ("Saddam Hussein al-Tikriti", "1990", "", ""),
    ("Eric Badege", "1971-02-30", "cd", ""),  # no such day: screened on its month
]


def properties(name: str, birth: str, nationality: str, gender: str) -> dict[str, list[str]]:
    given = {"name": name, "birthDate": birth, "nationality": nationality, "gender": gender}
    return {prop: [value] for prop, value in given.items() if value}


@pytest.fixture
def world(database_url: str, shared_data: Path, tmp_path: Path) -> Iterator[tuple[TestClient, Cli]]:
    cli = Cli(database_url)
    cli("init")
    cli("agency", "add", "NCB-FR", "--name", "INTERPOL NCB Paris", "--country", "FR", "--kind", "ncb")
    cli("agency", "add", "BP-MD", "--name", "Border Police Chisinau", "--country", "MD", "--kind", "border")
    un = shared_data / "watchlists/un/un_consolidated_2026-02-27.xml.gz"
    cli("import", "un-xml", str(un), "--dataset", "un_sc", "--agency", "NCB-FR")
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    access.add_user(engine, Identity.operator(), "felix", "BP-MD", Role.OFFICER, NOW, password=PASSWORD)
    bout = model.make_entity("Person")
    bout.id = "fr-bout"
    for prop, values in properties("Viktor Bout", "1967-01-13", "ru", "male").items():
        bout.add(prop, values)
    envelope = Envelope(
        "NCB-FR", "ncb_fr_cases", Handling.RED, "arms trafficking case", NOW.date().replace(year=NOW.year + 5)
    )
    import_records(
        engine,
        [Record(bout, "fr-bout")],
        envelope=envelope,
        title="Cases",
        kind="test",
        source="test",
        now=NOW,
    )
    engine.dispose()
    with TestClient(create_app(Settings(database_url=database_url, cookie_secure=False))) as client:
        yield client, cli


def by_match_api(
    client: TestClient, headers: dict[str, str], queries: dict[str, dict[str, Any]]
) -> dict[str, list[Found]]:
    body = {"queries": {key: {"schema": "Person", "properties": props} for key, props in queries.items()}}
    params = {"threshold": THRESHOLD, "cutoff": THRESHOLD, "limit": 5}
    answer = client.post("/match/default", json=body, params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    found = {}
    for key, response in answer.json()["responses"].items():
        found[key] = [(result["id"], round(result["score"], 4)) for result in response["results"]] + [
            (f"ref:{reference['owner_agency']}", round(reference["score"], 4))
            for reference in response["references"]
        ]
    return found


def by_screenings_api(client: TestClient, headers: dict[str, str]) -> dict[str, list[Found]]:
    subjects = [{"schema": "Person", "properties": properties(*case)} for case in CASES]
    answer = client.post(
        "/api/v1/screenings", json={"subjects": subjects, "purpose": "entry check"}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    notes = [hit["note"] for hit in answer.json()[-1]["hits"] if hit["type"] == "note"]
    assert notes == ["field 'birthDate': invalid date '1971-02-30', read as '1971-02'"], notes
    found = {}
    for key, outcome in enumerate(answer.json(), start=1):
        found[str(key)] = [
            (hit["listing"], hit["score"])
            if hit["type"] == "match"
            else (f"ref:{hit['owner_agency']}", hit["score"])
            for hit in outcome["hits"]
            if hit["type"] in ("match", "reference")
        ]
    return found


def screening_csv() -> str:
    lines = ["name,birth_date,nationality,gender"]
    lines += [",".join(case) for case in CASES]
    return "\n".join(lines) + "\n"


def by_cli(cli: Cli, tmp_path: Path) -> dict[str, list[Found]]:
    sheet = tmp_path / "travellers.csv"
    sheet.write_text(screening_csv(), encoding="utf-8")
    rows = json.loads(
        cli("--as", "felix", "--purpose", "entry check", "screen", str(sheet), "--format", "json")
    )
    return {
        str(row["row"]): [(match["entity_id"], match["score"]) for match in row["matches"]]
        + [(f"ref:{reference['owner_agency']}", reference["score"]) for reference in row["references"]]
        for row in rows
    }


def by_web(client: TestClient) -> dict[str, list[Found]]:
    assert log_in(client, "felix") == 303
    csrf = csrf_of(client.get("/app/screen").text)
    answer = client.post(
        "/app/screen/file",
        data={"csrf": csrf, "purpose": "entry check"},
        files={"file": ("travellers.csv", screening_csv().encode(), "text/csv")},
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, list[Found]] = {str(key): [] for key in range(1, len(CASES) + 1)}
    for row in csv.DictReader(io.StringIO(answer.text)):
        if row["status"] == "match":
            found[row["row"]].append((row["entity_id"], round(float(row["score"]), 4)))
        elif row["status"] == "reference":
            found[row["row"]].append((f"ref:{row['owner_agency']}", round(float(row["score"]), 4)))
    client.cookies.clear()
    return found


def post_manifest(client: TestClient, headers: dict[str, str], manifest: str) -> Any:
    return client.post(
        "/api/v1/manifests",
        params={"purpose": "advance passenger information UX1094", "name": "ux1094.csv"},
        content=manifest.encode(),
        headers={**headers, "Content-Type": "text/csv"},
    )


def test_every_face_finds_the_same_listings_with_the_same_scores(
    world: tuple[TestClient, Cli], engine: Engine, tmp_path: Path
) -> None:
    client, cli = world
    felix = token(client.app.state.engine, "felix")  # type: ignore[attr-defined]
    queries = {str(key): properties(*case) for key, case in enumerate(CASES, start=1)}
    expected = by_match_api(client, felix, queries)
    # The table says what screening must find, whatever the face.
    assert [sorted(hit for hit, _score in expected[key]) for key in sorted(expected)] == [
        ["un-sc-6908048"],
        ["un-sc-6908048"],
        ["un-sc-6907993"],
        [],
        ["ref:NCB-FR"],
        [],
        ["un-sc-6907993"],
    ]
    faces = {
        "/api/v1/screenings": by_screenings_api(client, felix),
        "liaison screen": by_cli(cli, tmp_path),
        "web CSV screening": by_web(client),
    }
    for face, found in faces.items():
        assert found == expected, face
    assert "Bout" not in json.dumps(faces)


def test_a_manifest_screens_its_passengers_as_match_does(
    world: tuple[TestClient, Cli], tmp_path: Path
) -> None:
    client, _cli = world
    felix = token(client.app.state.engine, "felix")  # type: ignore[attr-defined]
    passengers = [
        ("al-Tikriti", "Sadam Husein", "1937-04-28", "IRQ", "M"),
        ("Bout", "Viktor", "1967-01-13", "RUS", "M"),
        ("Smith", "John", "1980-01-01", "GBR", "M"),
    ]
    manifest = MANIFEST_HEADER + "".join(
        f"{surname},{given},{birth},{nationality},{gender},P,X{index}0001,MDA,UX1094,MAD,KIV\n"
        for index, (surname, given, birth, nationality, gender) in enumerate(passengers, start=1)
    )
    screened = post_manifest(client, felix, manifest)
    assert screened.status_code == 201, screened.text
    sheet = tmp_path / "ux1094.csv"
    sheet.write_text(manifest, encoding="utf-8")
    queries = {
        str(passenger.position): subject_of(passenger).properties
        for passenger in read_manifest(sheet, NOW.date()).passengers
    }
    found = {}
    for passenger in screened.json()["passengers"]:
        key = str(passenger["position"])
        found[key] = [
            (hit["listing"], hit["score"])
            if hit["type"] == "match"
            else (f"ref:{hit['owner_agency']}", hit["score"])
            for hit in passenger["hits"]
            if hit["type"] in ("match", "reference")
        ]
    assert found == by_match_api(client, felix, queries)
    assert [sorted(hit for hit, _score in found[key]) for key in sorted(found)] == [
        ["un-sc-6908048"],
        ["ref:NCB-FR"],
        [],
    ]


def test_a_manifest_that_cannot_be_saved_leaves_no_alert_reference_or_audit_of_its_match(
    world: tuple[TestClient, Cli], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _cli = world
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    felix = token(engine, "felix")
    tables = ("alert", "hit_reference", "audit_event", "manifest")

    def counts() -> dict[str, int]:
        with engine.connect() as connection:
            return {
                table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in tables
            }

    def failing(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk full")

    manifest = MANIFEST_HEADER + "Bout,Viktor,1967-01-13,RUS,M,P,X10001,MDA,UX1094,MAD,KIV\n"
    before = counts()
    monkeypatch.setattr("liaison.services.screening.manifests.border_store.add_manifest", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        post_manifest(client, felix, manifest)
    assert counts() == before
    monkeypatch.undo()
    saved = post_manifest(client, felix, manifest)
    assert saved.status_code == 201, saved.text
    after = counts()
    # Saved, it leaves the owner's hit alert and the officer's referral alert, the reference, the
    # audit of the match and of the manifest.
    assert {table: after[table] - before[table] for table in tables} == {
        "alert": 2,
        "hit_reference": 1,
        "audit_event": 2,
        "manifest": 1,
    }
