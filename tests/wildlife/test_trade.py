"""CITES trade records on both backends: the real Manidae comparative tabulation imported and
summed per year as the CSV itself sums, beside the seizures the caller may read; importer and
exporter disagreements; reference data replaced only by an admin, and a bad file changing nothing."""

from __future__ import annotations

import csv
import gzip
import html
from collections import defaultdict
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from liaison.api.app import create_app
from liaison.errors import BadInput, Forbidden
from liaison.ingest.cites_trade import COLUMNS
from liaison.model import Handling, Identity, Role
from liaison.services.accounts import access
from liaison.services.wildlife import cites_trade
from liaison.settings import Settings
from liaison.store.tables import CitesTradeRow
from tests.api.test_alerts_api import token
from tests.test_cli import Cli
from tests.web.pages import PASSWORD, logged_in, text_of
from tests.wildlife.test_seizures import EIA, NOW, _import, world  # noqa: F401 (fixture)

COMPTAB = "cites_trade_manidae_comptab_2019-05-31.csv.gz"


def _sheet(shared_data: Path) -> list[dict[str, str]]:
    with gzip.open(shared_data / "wildlife" / COMPTAB, "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def traded(world: Engine, shared_data: Path) -> Engine:  # noqa: F811
    records, unknown = cites_trade.import_trade(
        world, Identity.operator(), shared_data / "wildlife" / COMPTAB, NOW
    )
    assert (records, unknown) == (1_607, 1)  # "Manidae spp.": the 2017 index lists no family Manidae
    return world


def test_trade_per_year_is_the_sheets_own_sum_beside_readable_seizures(
    traded: Engine, shared_data: Path
) -> None:
    live: dict[int, float] = defaultdict(float)
    scales: dict[int, float] = defaultdict(float)
    for row in _sheet(shared_data):
        if not row["Taxon"].startswith("Manis"):
            continue  # one "Manidae spp." record: not filed under the genus
        figure = float(row["Exporter reported quantity"] or row["Importer reported quantity"] or 0)
        if row["Term"] == "live" and not row["Unit"]:
            live[int(row["Year"])] += figure
        if row["Term"] == "scales" and row["Unit"] in ("kg", "g"):
            scales[int(row["Year"])] += figure * (0.001 if row["Unit"] == "g" else 1)
    _import(traded, shared_data / "wildlife" / EIA, "eia-pangolin", "wl_ke_eia")
    wanjiru = access.identity_of(traded, "wanjiru")
    years = {
        row.year: row
        for row in cites_trade.beside_seizures(traded, wanjiru, "Manis", purpose="review", now=NOW)
    }
    for year in (1980, 2012, 2015, 2017):
        trade = years[year].trade
        assert trade is not None
        assert trade.quantities["live"] == pytest.approx(live[year])
        assert trade.quantities["scales_kg"] == pytest.approx(scales[year])
    assert years[2015].seizures > 100 and years[2019].trade is None
    # Seizures beside the trade are only those the caller may read: none of a RED dataset of others.
    _import(traded, shared_data / "wildlife" / EIA, "eia-pangolin", "wl_ke_eia_red", Handling.RED)
    ana = access.identity_of(traded, "ana")
    theirs = {
        row.year: row for row in cites_trade.beside_seizures(traded, ana, "Manis", purpose="review", now=NOW)
    }
    assert theirs[2015].seizures == years[2015].seizures and theirs[2015].trade == years[2015].trade


def test_disagreements_are_large_differences_largest_first(traded: Engine) -> None:
    found = cites_trade.disagreements(
        traded, Identity.operator(), "Manis javanica", purpose="review", now=NOW
    )
    assert found and all(row.taxon == "Manis javanica" for row in found)
    gaps = [abs((row.importer_quantity or 0) - (row.exporter_quantity or 0)) for row in found]
    assert gaps == sorted(gaps, reverse=True)
    for row, gap in zip(found, gaps, strict=True):
        assert gap > 0.5 * max(row.importer_quantity or 0, row.exporter_quantity or 0)
    with pytest.raises(BadInput, match="ratio"):
        cites_trade.disagreements(traded, Identity.operator(), None, ratio=2, purpose="x", now=NOW)


def test_only_an_admin_replaces_the_records_and_a_bad_file_changes_nothing(
    traded: Engine, tmp_path: Path
) -> None:
    wanjiru = access.identity_of(traded, "wanjiru")
    bad = tmp_path / "comptab.csv"
    with pytest.raises(Forbidden):
        cites_trade.import_trade(traded, wanjiru, bad, NOW)
    header = ",".join(COLUMNS)
    bad.write_text(f"{header}\n2001,II,Manis javanica,CN,MY,,,-5x,scales,kg,T,W\n")
    with pytest.raises(
        BadInput, match=r"comptab.csv:2: field 'Exporter reported quantity': '-5x' is not a number"
    ):
        cites_trade.import_trade(traded, Identity.operator(), bad, NOW)
    with Session(traded) as session:
        assert session.scalar(select(func.count()).select_from(CitesTradeRow)) == 1_607


def test_trade_through_the_cli_the_api_and_the_page(
    traded: Engine, database_url: str, shared_data: Path
) -> None:
    cli = Cli(database_url)
    compared = cli("--as", "wanjiru", "--purpose", "review", "trade", "compare", "--species", "Manis")
    assert "2017" in compared and "12,720" in compared
    assert "JP" in cli("--purpose", "review", "trade", "discrepancies", "--limit", "3")
    refused = cli("--as", "wanjiru", "trade", "import", str(shared_data / "wildlife" / COMPTAB), code=5)
    assert "reference data" in refused
    with TestClient(create_app(Settings(database_url=database_url, cookie_secure=False))) as client:
        headers = token(traded, "wanjiru")
        years = client.get(
            "/api/v1/trade/compare", params={"species": "Manis", "purpose": "review"}, headers=headers
        )
        assert years.status_code == 200 and years.json()["years"][-1]["trade"]["quantities"][
            "scales_kg"
        ] == pytest.approx(12_720.39)
        odd = client.get(
            "/api/v1/trade/discrepancies", params={"purpose": "review", "limit": 2}, headers=headers
        )
        assert len(odd.json()["records"]) == 2
        access.add_user(traded, Identity.operator(), "kamau", "WL-KE", Role.ANALYST, NOW, password=PASSWORD)
        logged_in(client, "kamau")
        page = html.unescape(
            text_of(client.get("/app/wildlife", params={"species": "Manis", "purpose": "review"}).text)
        )
        assert "Legal trade (CITES trade records) beside seizures" in page and "12,720" in page
