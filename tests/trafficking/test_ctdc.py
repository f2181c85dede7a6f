"""CTDC-coded victim records: the mapping covers the CTDC data dictionary (read from its own
spreadsheet) and names only HTCDS values; records import RED with their facts, and a code the
dictionary does not allow refuses the file by line and column."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from liaison.api.app import create_app
from liaison.errors import BadInput
from liaison.ingest.ctdc import mapping
from liaison.model.htcds import fields
from liaison.services.accounts import access
from liaison.services.trafficking import trafficking_cases
from liaison.settings import Settings
from liaison.store.tables import EntityRow
from tests.api.test_alerts_api import token
from tests.test_cli import Cli
from tests.trafficking.world import NOW, envelope, two_agencies

DICTIONARY = "ctdc_global_dataset_data_dictionary_2018-08-15.xlsx"


def _dictionary(shared_data: Path) -> tuple[list[str], list[str]]:
    """The variables of the dictionary's Main sheet and the codes of its Gender lookup."""
    book = openpyxl.load_workbook(shared_data / "trafficking_indicators" / DICTIONARY, read_only=True)
    variables = [str(row[0]).strip() for row in list(book["Main"].iter_rows(values_only=True))[1:] if row[0]]
    lookups = [row for row in book["Lookups "].iter_rows(values_only=True) if any(row)]
    start = next(i for i, row in enumerate(lookups) if str(row[0]).strip() == "Gender")
    genders = []
    for row in lookups[start + 1 :]:
        if row[0] is not None:  # the next lookup's heading
            break
        genders.append(str(row[1]).strip())
    return variables, genders


def test_the_mapping_covers_the_dictionary_and_names_only_htcds_values(shared_data: Path) -> None:
    variables, genders = _dictionary(shared_data)
    spec = mapping()
    mapped = {spec["year"], spec["country"], spec["citizenship"], spec["age"], "gender"}
    mapped |= set(spec["flags"]) | set(spec["unmapped"])
    assert len(variables) == 62 and set(variables) == mapped
    assert set(genders) == set(spec["gender"]["values"])
    for name, value in spec["flags"].values():
        assert value in fields()[name].values


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "yearOfRegistration": str(2015 + n % 3),
            "gender": ("Female", "Male", "Unknown")[n % 3],
            "ageBroad": ("18--20", "9--17", "-99")[n % 3],
            "citizenship": ("UA", "MD", "-99")[n % 3],
            "CountryOfExploitation": "RU" if n % 2 else "-99",
            "isForcedLabour": "1" if n % 2 else "0",
            "isSexualExploit": "0" if n % 2 else "1",
            "meansOfControlDebtBondage": ("1", "0", "-99")[n % 3],
            "Datasource": "Case management",
        }
        for n in range(count)
    ]


def test_ctdc_records_import_red_and_count_within_access(engine: Engine, tmp_path: Path) -> None:
    two_agencies(engine)
    bob, dana = access.identity_of(engine, "bob"), access.identity_of(engine, "dana")
    path = _write(tmp_path / "ctdc.csv", _rows(90))
    _result, victims = trafficking_cases.import_ctdc(
        engine, bob, path, envelope=envelope("ncb_es_ctdc", agency="NCB-ES"), now=NOW
    )
    assert victims == 90
    with Session(engine) as session:
        assert set(session.scalars(select(EntityRow.handling))) == {"RED"}
        first = session.scalars(select(EntityRow.properties).order_by(EntityRow.provenance)).first()
    assert first is not None and "name" not in first
    kinds = trafficking_cases.statistics(engine, bob, "victims", ["exploitation"], purpose="report", now=NOW)
    assert kinds.cells == {("ForcedLabour",): 45, ("SexualExploitation",): 45}
    places = trafficking_cases.statistics(
        engine, bob, "victims", ["country", "gender"], purpose="report", now=NOW
    )
    assert places.cells[("ru", "Feminine")] == places.cells[("unknown", "NonSpecifiedUnknown")] == 15
    assert (
        trafficking_cases.statistics(engine, dana, "victims", ["year"], purpose="report", now=NOW).cells == {}
    )


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("gender", "F", r"ctdc.csv:3: field 'gender': 'F'"),
        ("isForcedLabour", "yes", r"ctdc.csv:3: field 'isForcedLabour': 'yes'; use 1, 0 or -99"),
        ("ageBroad", "17", r"field 'ageBroad': '17' is not a CTDC age range"),
        ("CountryOfExploitation", "Russia", r"field 'CountryOfExploitation': 'Russia' is not an ISO 3166"),
        ("yearOfRegistration", "last year", r"field 'yearOfRegistration': 'last year' is not a year"),
    ],
)
def test_a_code_the_dictionary_does_not_allow_refuses_the_file(
    engine: Engine, tmp_path: Path, column: str, value: str, expected: str
) -> None:
    two_agencies(engine)
    rows = _rows(3)
    rows[1][column] = value
    bob = access.identity_of(engine, "bob")
    with pytest.raises(BadInput, match=expected):
        trafficking_cases.import_ctdc(
            engine,
            bob,
            _write(tmp_path / "ctdc.csv", rows),
            envelope=envelope("ncb_es_ctdc", agency="NCB-ES"),
            now=NOW,
        )
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(EntityRow)) == 0


def test_an_unknown_column_is_refused_from_the_cli(database_url: str, tmp_path: Path) -> None:
    cli = Cli(database_url)
    cli("init")
    cli("agency", "add", "NCB-ES", "--name", "NCB Madrid", "--country", "ES", "--kind", "ncb")
    rows = [{**row, "victimName": "x"} for row in _rows(2)]
    bad = str(_write(tmp_path / "v.csv", rows))
    refused = cli("trafficking", "import-ctdc", bad, "--dataset", "c", "--agency", "NCB-ES", code=3)
    assert "v.csv:1: field 'victimName': not a variable of the CTDC data dictionary" in " ".join(
        refused.split()
    )
    good = str(_write(tmp_path / "ok.csv", _rows(12)))
    said = cli("trafficking", "import-ctdc", good, "--dataset", "c", "--agency", "NCB-ES")
    assert "imported 12 victim records into c" in said


def test_ctdc_records_through_the_api(engine: Engine, database_url: str, tmp_path: Path) -> None:
    two_agencies(engine)
    body = _write(tmp_path / "v.csv", _rows(30)).read_bytes()
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        bob = token(engine, "bob")
        answer = client.post("/api/v1/trafficking/datasets/ncb_es_ctdc_api/ctdc", content=body, headers=bob)
        assert answer.status_code == 201 and answer.json()["victims"] == 30
        bad = client.post(
            "/api/v1/trafficking/datasets/ncb_es_ctdc_bad/ctdc", content=b"gender,x\nMale,1\n", headers=bob
        )
        assert bad.status_code == 422 and "request:1: field 'x': not a variable" in bad.json()["detail"]
    with Session(engine) as session:
        handled = session.scalars(select(EntityRow.handling).where(EntityRow.dataset == "ncb_es_ctdc_api"))
        assert set(handled) == {"RED"}
