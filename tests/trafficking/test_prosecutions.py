"""The Human Trafficking Prosecution Dataset on both backends: the real cases, defendants and
judges imported as a network, statistics checked against the CSV files read independently,
counts within access, and bad files refused whole."""

from __future__ import annotations

import csv
import gzip
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from liaison.api.app import create_app
from liaison.domains.trafficking.disclosure import K
from liaison.errors import BadInput
from liaison.model import Handling
from liaison.services.accounts import access
from liaison.services.analysis import graph
from liaison.services.trafficking import trafficking_cases
from liaison.settings import Settings
from liaison.store.tables import AuditEventRow, EntityRow, TraffickingCaseRow
from tests.api.test_alerts_api import token
from tests.test_cli import Cli
from tests.trafficking.world import NOW, envelope, two_agencies


def _csv(path: Path) -> list[dict[str, str]]:
    data = path.read_bytes()
    text = gzip.decompress(data) if path.suffix == ".gz" else data
    return list(csv.DictReader(text.decode("utf-8").splitlines()))


@pytest.fixture
def cases(shared_data: Path) -> Path:
    return shared_data / "trafficking_cases"


@pytest.fixture
def imported(engine: Engine, cases: Path) -> Engine:
    two_agencies(engine)
    dana = access.identity_of(engine, "dana")
    result, count = trafficking_cases.import_prosecutions(
        engine, dana, cases, envelope=envelope("ncb_us_htpd"), now=NOW
    )
    assert count == 674 and result.schemata["CourtCase"] == 674
    return engine


def _properties(session: Session, schema: str) -> list[dict[str, list[str]]]:
    return list(session.scalars(select(EntityRow.properties).where(EntityRow.schema == schema)))


def test_the_network_links_defendants_and_judges_to_their_cases(imported: Engine, cases: Path) -> None:
    defendants = _csv(cases / "defendant_data.csv.gz")
    judged = [
        " ".join(row["name"].split()) for row in _csv(cases / "judge_data.csv.gz") if row["name"].strip()
    ]
    sittings = Counter(judged)
    with Session(imported) as session:
        people = session.scalar(select(func.count()).where(EntityRow.schema == "Person"))
        parties = _properties(session, "CourtCaseParty")
        judges = {party["party"][0] for party in parties if party["role"] == ["judge"]}
        judge_ids = dict(
            session.execute(select(EntityRow.caption, EntityRow.id).where(EntityRow.id.in_(judges))).all()
        )
    assert people == len(defendants) + len({name.lower() for name in judged}) == len(defendants) + len(judges)
    roles = Counter(party["role"][0] for party in parties)
    assert roles == {"defendant": len(defendants), "judge": sum(sittings.values())}
    # A judge who sat on several cases is one person, linked to each of those cases.
    busiest, count = sittings.most_common(1)[0]
    assert count > 1
    linked = {party["case"][0] for party in parties if party["party"] == [judge_ids[busiest]]}
    assert len(linked) == count
    # The network from that judge reaches the cases and, a hop further, their defendants.
    dana = access.identity_of(imported, "dana")
    around = graph.neighbourhood(imported, dana, NOW, judge_ids[busiest], hops=2, purpose="network review")
    cases = {node for node in around.graph if node in linked}
    tried = {
        party["party"][0]
        for party in parties
        if party["case"][0] in linked and party["role"] == ["defendant"]
    }
    assert cases == linked and tried <= set(around.graph)


def test_statistics_are_the_files_counts_with_small_cells_withheld(imported: Engine, cases: Path) -> None:
    rows = _csv(cases / "case_data.csv.gz")
    victims: dict[str, int] = defaultdict(int)
    for row in rows:
        counted = int(row["n_victims"] or 0) or int(row["n_minors"] or 0)
        victims[row["year"] or "unknown"] += counted
    dana = access.identity_of(imported, "dana")
    found = trafficking_cases.statistics(
        imported, dana, "cases", ["year"], measure="victims", purpose="report", now=NOW
    )
    assert {key[0] for key in found.cells} == {year for year, count in victims.items() if count}
    for (year,), count in found.cells.items():
        assert count is None or count == victims[year]
        if victims[year] < K:
            assert count is None
    assert found.cells[("2009",)] == victims["2009"] > 1000
    per_state = trafficking_cases.statistics(
        imported, dana, "cases", ["year", "region"], measure="cases", purpose="report", now=NOW
    )
    shown = {key: count for key, count in per_state.cells.items() if count is not None}
    truth = Counter((row["year"] or "unknown", row["state"].upper() or "unknown") for row in rows)
    assert shown and all(truth[key] == count >= K for key, count in shown.items())
    with Session(imported) as session:
        audited = session.scalars(
            select(AuditEventRow.purpose).where(AuditEventRow.action == "trafficking.statistics")
        )
        assert list(audited) == ["report", "report"]


def test_counts_stay_within_access(engine: Engine, cases: Path) -> None:
    two_agencies(engine)
    dana = access.identity_of(engine, "dana")
    trafficking_cases.import_prosecutions(
        engine, dana, cases, envelope=envelope("ncb_us_htpd", Handling.RED), now=NOW
    )
    bob = access.identity_of(engine, "bob")
    assert trafficking_cases.statistics(engine, bob, "cases", ["year"], purpose="report", now=NOW).cells == {}
    assert trafficking_cases.statistics(engine, dana, "cases", ["year"], purpose="report", now=NOW).cells


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        (
            "defendant_data.csv",
            ("case_id", "999999"),
            r"defendant_data.csv:2: field 'case_id': '999999' names no case",
        ),
        (
            "case_data.csv",
            ("n_victims", "many"),
            r"case_data.csv:2: field 'n_victims': 'many' is not a count",
        ),
        ("case_data.csv", ("year", "20013"), r"case_data.csv:2: field 'year': '20013' is not a year"),
        ("case_data.csv", ("n_minors", "99999"), r"case_data.csv:2: field 'n_minors': 99999 minors among"),
    ],
)
def test_a_bad_file_is_refused_naming_line_and_field_and_nothing_is_written(
    engine: Engine, cases: Path, tmp_path: Path, file: str, change: tuple[str, str], expected: str
) -> None:
    two_agencies(engine)
    for name in ("case_data.csv", "defendant_data.csv", "judge_data.csv"):
        (tmp_path / name).write_bytes(gzip.decompress((cases / f"{name}.gz").read_bytes()))
    rows = _csv(tmp_path / file)
    rows[0][change[0]] = change[1]
    with (tmp_path / file).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    dana = access.identity_of(engine, "dana")
    with pytest.raises(BadInput, match=expected):
        trafficking_cases.import_prosecutions(
            engine, dana, tmp_path, envelope=envelope("ncb_us_htpd"), now=NOW
        )
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(EntityRow)) == 0
        assert session.scalar(select(func.count()).select_from(TraffickingCaseRow)) == 0


def test_statistics_through_the_api_and_the_cli(imported: Engine, database_url: str) -> None:
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        headers = token(imported, "dana")
        answer = client.get(
            "/api/v1/trafficking/statistics",
            params={"counted": "cases", "by": ["year"], "measure": "defendants", "purpose": "annual report"},
            headers=headers,
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["k"] == K and body["by"] == ["year"]
        assert all(cell["defendants"] is None or cell["defendants"] >= K for cell in body["cells"])
        sheet = client.get(
            "/api/v1/trafficking/statistics",
            params={"by": ["region"], "measure": "cases", "purpose": "annual report", "format": "csv"},
            headers=headers,
        )
        lines = sheet.text.splitlines()
        assert lines[0] == "region,cases,withheld" and "CA,90," in lines
        refused = client.get(
            "/api/v1/trafficking/statistics",
            params={"by": ["species"], "purpose": "x report"},
            headers=headers,
        )
        assert refused.status_code == 422 and "species unknown" in refused.json()["detail"]
    cli = Cli(database_url)
    table = cli(
        "--as",
        "dana",
        "--purpose",
        "report",
        "trafficking",
        "stats",
        "--by",
        "region",
        "--measure",
        "cases",
        "--csv",
    )
    assert "CA,90," in table.splitlines()
    refused = cli("--as", "dana", "--purpose", "report", "trafficking", "stats", "--by", "", code=3)
    assert "field 'by': one to three of year, country, region" in refused


def test_the_cli_imports_the_folder(database_url: str, cases: Path, tmp_path: Path) -> None:
    cli = Cli(database_url)
    cli("init")
    cli("agency", "add", "NCB-US", "--name", "NCB Washington", "--country", "US", "--kind", "ncb")
    said = cli("trafficking", "import-prosecutions", str(cases), "--dataset", "htpd", "--agency", "NCB-US")
    assert "imported 674 cases into htpd" in said
    refused = cli(
        "trafficking", "import-prosecutions", str(tmp_path), "--dataset", "x", "--agency", "NCB-US", code=4
    )
    assert "case_data.csv" in refused
