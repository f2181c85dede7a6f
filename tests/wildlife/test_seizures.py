"""Wildlife seizures on both backends: the real CITES species index, the EIA and China pangolin
tables imported through their mappings and checked against the spreadsheets themselves, trends
and routes within access, and bad files refused whole, naming the row and field."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from liaison.api.app import create_app
from liaison.errors import BadInput, Forbidden
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role
from liaison.model.places import countries_in, country_of
from liaison.services.accounts import access, agencies
from liaison.services.wildlife import seizures
from liaison.settings import Settings
from liaison.store.seizures import SeizureFilter
from liaison.store.tables import EntityRow, SeizureRow
from tests.api.test_alerts_api import token
from tests.test_cli import Cli

NOW = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
EIA = "eia_pangolin_seizures_2000-2019.xlsx"
CHINA = "pangolin_seizures_china_2008-2016_conl12339_tableS1.xlsx"


@pytest.fixture
def world(engine: Engine, shared_data: Path) -> Engine:
    for code, country in (("WL-KE", "KE"), ("NCB-FR", "FR")):
        agencies.register(engine, Agency(code, code, country, AgencyKind.WILDLIFE), Identity.operator())
    access.add_user(engine, Identity.operator(), "wanjiru", "WL-KE", Role.ANALYST, NOW)
    access.add_user(engine, Identity.operator(), "ana", "NCB-FR", Role.ANALYST, NOW)
    taxa, names = seizures.import_species(
        engine, Identity.operator(), shared_data / "wildlife" / "cites_species_index_2017-04-21.csv.gz", NOW
    )
    assert taxa == 38_079 and names > 80_000
    return engine


def _import(
    engine: Engine, path: Path, mapping: str, dataset: str, handling: Handling = Handling.GREEN
) -> seizures.SeizureImport:
    envelope = Envelope("WL-KE", dataset, handling, "wildlife crime", NOW.date().replace(year=2031))
    return seizures.import_seizures(
        engine,
        access.identity_of(engine, "wanjiru"),
        path,
        mapping,
        envelope=envelope,
        source=path.name,
        now=NOW,
    )


def _sheet(path: Path, sheet: str) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = list(book[sheet].iter_rows(values_only=True))
    header = [" ".join(str(name or "").split()) for name in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def test_names_find_their_taxon_and_appendix(world: Engine) -> None:
    for name, expected, kind in (
        ("Manis javanica", "Manis javanica", "accepted"),
        ("Sunda pangolin", "Manis javanica", "en"),
        ("Pangolín malayo", "Manis javanica", "es"),
        ("Smutsia gigantea", "Manis gigantea", "synonym"),
        ("Loxodonta africana", "Loxodonta africana", "accepted"),
    ):
        found = seizures.lookup(world, name)
        assert (found.name, found.kind) == (expected, kind)
    assert seizures.lookup(world, "Loxodonta africana").listing == "I/II"
    with pytest.raises(BadInput, match=r"names \d+ taxa"):
        seizures.lookup(world, "Rosewood")  # a common name of several taxa: ambiguous
    with pytest.raises(BadInput, match="not in the CITES species index"):
        seizures.lookup(world, "Manis imaginaria")
    with pytest.raises(Forbidden):
        seizures.import_species(world, access.identity_of(world, "wanjiru"), Path("x"), NOW)


def test_the_eia_table_imports_and_its_trends_add_up_to_the_sheet(world: Engine, shared_data: Path) -> None:
    path = shared_data / "wildlife" / EIA
    done = _import(world, path, "eia-pangolin", "wl_ke_eia")
    rows = [
        row for row in _sheet(path, "INCIDENTS") if "seizure" in str(row["Type of Incident"] or "").lower()
    ]
    assert done.seizures + done.skipped == len(rows)
    assert done.skipped == sum(1 for row in rows if str(row["Country"]).strip() == "Various")
    # Scales weighed in 2018, summed from the spreadsheet here, against the trend. A seizure's date
    # dates it; the Year column only when there is no date (one reads "SPLIT 2018-2019").
    for row in rows:
        row["year"] = row["Date"].year if isinstance(row["Date"], dt.datetime) else row["Year"]
    scales = 'Scales weight (kg). Indicate "Y" if seized, but no weight given'
    scales_2018 = sum(
        float(row[scales])
        for row in rows
        if row["year"] == 2018
        and str(row["Country"]).strip() != "Various"
        and isinstance(row[scales], int | float)
    )
    wanjiru = access.identity_of(world, "wanjiru")
    by_commodity = seizures.trend(
        world, wanjiru, "commodity", wanted=SeizureFilter(since=2018, until=2018), purpose="trend", now=NOW
    )
    (scales,) = [row for row in by_commodity if row.key == "scales"]
    assert scales.weight_kg == pytest.approx(scales_2018)
    per_year = Counter(row["year"] for row in rows if str(row["Country"]).strip() != "Various")
    by_year = Counter()
    for row in seizures.trend(world, wanjiru, "country", purpose="trend", now=NOW):
        by_year[row.year] += row.seizures
    assert by_year == per_year
    # Each seizure is a record: an FtM Event, with its facts beside it.
    with Session(world) as session:
        assert session.scalar(select(func.count()).select_from(SeizureRow)) == done.seizures
        schemata = session.scalars(select(EntityRow.schema).where(EntityRow.dataset == "wl_ke_eia"))
        assert set(schemata) == {"Event"}


def test_the_china_table_gives_its_routes(world: Engine, shared_data: Path) -> None:
    path = shared_data / "wildlife" / CHINA
    done = _import(world, path, "china-pangolin", "wl_ke_cn")
    rows = [row for row in _sheet(path, "Seizure in China") if row["year"] is not None]
    assert done.seizures == len(rows)
    # "Vietnam Myanmar" names two source countries in no known order: no leg is drawn for it.
    from_vietnam = sum(1 for row in rows if str(row["source country"] or "").strip().lower() == "vietnam")
    legs = seizures.routes(world, access.identity_of(world, "wanjiru"), purpose="routes", now=NOW)
    assert ("vn", "cn", from_vietnam) in legs
    assert legs[0] == ("vn", "cn", from_vietnam)  # the most travelled leg


def test_trends_count_only_what_the_caller_may_read(world: Engine, shared_data: Path) -> None:
    _import(world, shared_data / "wildlife" / CHINA, "china-pangolin", "wl_ke_cn", Handling.AMBER)
    mine = seizures.trend(world, access.identity_of(world, "wanjiru"), "species", purpose="t", now=NOW)
    theirs = seizures.trend(world, access.identity_of(world, "ana"), "species", purpose="t", now=NOW)
    assert sum(row.seizures for row in mine) == 206 and theirs == []
    history = seizures.trend(
        world,
        access.identity_of(world, "wanjiru"),
        "commodity",
        species="Sunda pangolin",
        purpose="t",
        now=NOW,
    )
    assert sum(row.seizures for row in history) == 6  # "malay" and "java" pangolins: Manis javanica
    genus = seizures.trend(
        world, access.identity_of(world, "wanjiru"), "commodity", species="Manis", purpose="t", now=NOW
    )
    assert sum(row.seizures for row in genus) == 206  # a genus counts its species too


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "2019-05-01,ke,Manis imaginaria,scales,10,kg",
            "line 2: field 'species': 'Manis imaginaria' is not in the CITES",
        ),
        ("2019-05-01,ke,Manis javanica,scales,-3,kg", "line 2: field 'quantity'"),
        ("2099-05-01,ke,Manis javanica,scales,3,kg", "line 2: field 'date': 2099-05-01 is in the future"),
        (
            "2019-05-01,Atlantis,Manis javanica,scales,3,kg",
            "line 2: field 'country': 'Atlantis' names no country",
        ),
        ("2019-05-01,ke,Manis javanica,scales,3,bushels", "line 2: field 'unit'"),
        ("2019-05-01,ke,Manis javanica,feathers,3,kg", "line 2: field 'commodity'"),
    ],
)
def test_a_bad_row_refuses_the_file(world: Engine, tmp_path: Path, row: str, message: str) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "fields: {date: date, country: country, species: species, commodity: commodity,\n"
        "         quantity: quantity, unit: unit}\n"
    )
    data = tmp_path / "seizures.csv"
    data.write_text(
        f"date,country,species,commodity,quantity,unit\n{row}\n"
        "2019-06-01,ke,Manis javanica,live,2,individuals\n"
    )
    envelope = Envelope("WL-KE", "csv_set", Handling.GREEN, "wildlife crime", NOW.date().replace(year=2031))
    with pytest.raises(BadInput) as caught:
        seizures.import_seizures(
            world,
            access.identity_of(world, "wanjiru"),
            data,
            str(mapping),
            envelope=envelope,
            source="x",
            now=NOW,
        )
    assert str(data) in str(caught.value) and message in str(caught.value)
    with Session(world) as session:
        assert session.scalar(select(func.count()).select_from(SeizureRow)) == 0


def test_places_are_read_as_countries() -> None:
    assert [country_of(name) for name in ("China - Hong Kong", "Viet Nam", "Côte d’Ivoire", "Various")] == [
        "hk",
        "vn",
        "ci",
        None,
    ]
    assert countries_in("Nigeria/Cameroon") == ["ng", "cm"]
    assert countries_in("Vietnam Myanmar") == ["vn", "mm"]
    assert countries_in("Dehradun environs") == []


def test_the_cli_and_the_api(database_url: str, shared_data: Path, tmp_path: Path) -> None:
    cli = Cli(database_url)
    cli("init")
    cli("agency", "add", "WL-KE", "--name", "KWS", "--country", "KE", "--kind", "wildlife")
    cli("user", "add", "wanjiru", "--agency", "WL-KE", "--role", "analyst")
    assert "38,079 taxa" in cli(
        "species", "import", str(shared_data / "wildlife" / "cites_species_index_2017-04-21.csv.gz")
    )
    assert "Appendix I" in cli("species", "show", "Chinese pangolin")
    china = str(shared_data / "wildlife" / CHINA)
    into = ("--mapping", "china-pangolin", "--dataset", "wl_ke_cn", "--agency", "WL-KE")
    out = cli("--as", "wanjiru", "seizure", "import", china, *into)
    assert "imported 206 seizures into wl_ke_cn (1 rows skipped by the mapping)" in out
    trend = cli("--as", "wanjiru", "--purpose", "trend", "seizure", "trends", "--by", "commodity", "--csv")
    assert trend.splitlines()[0] == "year,commodity,seizures,weight_kg,individuals"
    assert "VN" in cli("--as", "wanjiru", "--purpose", "routes", "seizure", "routes")
    from liaison import store

    engine = store.open_engine(database_url)
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        headers = token(engine, "wanjiru")
        got = client.get(
            "/api/v1/seizures/trends", params={"by": "country", "purpose": "api check"}, headers=headers
        )
        assert got.status_code == 200 and sum(row["seizures"] for row in got.json()["rows"]) == 206
        csv_out = client.get(
            "/api/v1/seizures/trends", params={"purpose": "api check", "format": "csv"}, headers=headers
        )
        assert csv_out.headers["content-type"].startswith("text/csv")
        assert client.get("/api/v1/seizures/trends", headers=headers).status_code == 422  # no purpose
        assert (
            client.get("/api/v1/species/Sunda pangolin", headers=headers).json()["name"] == "Manis javanica"
        )
        made = client.post(
            "/api/v1/datasets/wl_ke_eia/seizures?mapping=eia-pangolin",
            content=(shared_data / "wildlife" / EIA).read_bytes(),
            headers={**headers, "Content-Type": "application/octet-stream"},
        )
        assert made.status_code == 201, made.text
        assert made.json()["seizures"] == 1061
        routes = client.get("/api/v1/seizures/routes", params={"purpose": "api"}, headers=headers).json()[
            "legs"
        ]
        assert routes[0]["from"] == "vn" and routes[0]["to"] == "cn"
    engine.dispose()


def test_the_page_draws_the_trend_and_the_routes(world: Engine, database_url: str, shared_data: Path) -> None:
    from tests.web.pages import PASSWORD, logged_in, text_of

    _import(world, shared_data / "wildlife" / CHINA, "china-pangolin", "wl_ke_cn")
    access.add_user(world, Identity.operator(), "kamau", "WL-KE", Role.ANALYST, NOW, password=PASSWORD)
    with TestClient(create_app(Settings(database_url=database_url, cookie_secure=False))) as client:
        logged_in(client, "kamau")
        page = client.get(
            "/app/wildlife", params={"by": "commodity", "species": "Manis", "purpose": "pangolin review"}
        )
        assert page.status_code == 200
        assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page.text
        words = text_of(page.text)
        assert "Seizures per year of Manis" in words and "Viet Nam" in words
        # The China table's routes on the map: a line per leg, titled with its seizures.
        assert "Map of the routes seizures travelled" in page.text
        assert re.search(r"<title>[A-Z]{2} → CN: \d+ seizures?</title>", page.text)
        link = re.search(r'href="(/api/v1/seizures/trends\?[^"]+)"', page.text)
        assert link is not None
        got = client.get(html.unescape(link.group(1)))
        assert got.status_code == 200 and got.text.startswith("year,commodity,seizures")
        refused = client.get("/app/wildlife", params={"species": "Manis imaginaria", "purpose": "x review"})
        assert refused.status_code == 422 and "not in the CITES species index" in text_of(refused.text)
