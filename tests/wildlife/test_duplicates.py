"""The same seizure reported twice: the windowed search finds exactly what comparing every pair
finds; on the real EIA and China tables it finds seizures both report (checked by hand against
the sheets), within access, through the service, the CLI and the API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from liaison.api.app import create_app
from liaison.domains.wildlife.duplicates import Reported, _compare, duplicates
from liaison.model import Handling, Identity, Role
from liaison.services.accounts import access
from liaison.services.wildlife import seizures
from liaison.settings import Settings
from tests.api.test_alerts_api import token
from tests.test_cli import Cli
from tests.web.pages import PASSWORD, logged_in, text_of
from tests.wildlife.test_seizures import CHINA, EIA, NOW, _import, world  # noqa: F401 (fixture)

reports = st.builds(
    Reported,
    key=st.uuids().map(str),
    year=st.integers(2010, 2012),
    day=st.none() | st.dates(dt.date(2010, 1, 1), dt.date(2012, 12, 31)),
    country=st.sampled_from(["cn", "vn"]),
    location=st.sampled_from(["Wenzhou", "Wenzhou, Zhejiang", "Haikou", "Lhasa", "Lahsa", ""]),
    commodity=st.sampled_from(["scales", "live", "whole", "carcass", "other"]),
    unit=st.sampled_from(["kg", "individuals"]),
    quantity=st.floats(0.5, 3_000, allow_nan=False).map(lambda value: round(value, 1)),
)


@given(st.lists(reports, max_size=25), st.lists(reports, max_size=25))
def test_the_window_finds_what_every_pair_finds(first: list[Reported], second: list[Reported]) -> None:
    everything = {
        (pair.first, pair.second)
        for one in first
        for other in second
        if one.country == other.country
        and one.year == other.year
        and one.unit == other.unit
        and (pair := _compare(one, other)) is not None
    }
    assert {(pair.first, pair.second) for pair in duplicates(first, second)} == everything


def _both(engine: Engine, shared_data: Path) -> None:
    _import(engine, shared_data / "wildlife" / EIA, "eia-pangolin", "wl_ke_eia")
    _import(engine, shared_data / "wildlife" / CHINA, "china-pangolin", "wl_ke_china", Handling.RED)


def test_seizures_both_tables_report_are_found(world: Engine, shared_data: Path) -> None:  # noqa: F811
    _both(world, shared_data)
    wanjiru = access.identity_of(world, "wanjiru")
    pairs = seizures.reported_twice(world, wanjiru, "wl_ke_eia", "wl_ke_china", purpose="dedupe", now=NOW)
    likely = {
        (pair.year, pair.place, pair.other_place, pair.quantity) for pair in pairs if pair.verdict == "likely"
    }
    # Read off the two sheets: the EIA incident and the China table row of the same seizure.
    for expected in [
        (2014, "Wenzhou", "Wenzhou", 32.0),
        (2015, "Guangzhou, Guangdong Province", "Guangzhou", 2000.0),
        (2012, "Beijing Airport", "Beijing", 42.0),
        (2014, "Lhasa", "Lahsa", 25.0),
    ]:
        assert expected in likely
    assert all(pair.country == "cn" and 2008 <= pair.year <= 2016 for pair in pairs)
    assert all(
        abs(pair.quantity - pair.other_quantity) <= 0.05 * max(pair.quantity, pair.other_quantity)
        for pair in pairs
    )
    back = seizures.reported_twice(world, wanjiru, "wl_ke_china", "wl_ke_eia", purpose="dedupe", now=NOW)
    assert {(pair.second, pair.first) for pair in back} == {(pair.first, pair.second) for pair in pairs}
    # The China table is RED: another agency finds nothing to compare it with.
    ana = access.identity_of(world, "ana")
    assert seizures.reported_twice(world, ana, "wl_ke_eia", "wl_ke_china", purpose="dedupe", now=NOW) == []


def test_duplicates_through_the_cli_and_the_api(world: Engine, shared_data: Path, database_url: str) -> None:  # noqa: F811
    _both(world, shared_data)
    cli = Cli(database_url)
    command = ("seizure", "duplicates", "--dataset", "wl_ke_eia", "--against", "wl_ke_china", "--csv")
    listed = cli("--as", "wanjiru", "--purpose", "dedupe", *command).splitlines()
    assert listed[0].startswith("verdict,first,second,year") and any(
        ",Wenzhou,Wenzhou,32.0," in line for line in listed
    )
    assert "compare two different datasets" in cli(
        "--purpose", "x", "seizure", "duplicates", "--dataset", "wl_ke_eia", "--against", "wl_ke_eia", code=3
    )
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        answer = client.get(
            "/api/v1/seizures/duplicates",
            params={"dataset": "wl_ke_eia", "against": "wl_ke_china", "purpose": "dedupe"},
            headers=token(world, "wanjiru"),
        )
        assert answer.status_code == 200
        assert len(answer.json()["pairs"]) == len(listed) - 1


def test_the_page_lists_the_pairs_with_their_reasons(
    world: Engine,  # noqa: F811
    shared_data: Path,
    database_url: str,
) -> None:
    _both(world, shared_data)
    access.add_user(world, Identity.operator(), "kamau", "WL-KE", Role.ANALYST, NOW, password=PASSWORD)
    with TestClient(create_app(Settings(database_url=database_url, cookie_secure=False))) as client:
        logged_in(client, "kamau")
        page = client.get(
            "/app/wildlife/duplicates",
            params={"dataset": "wl_ke_eia", "against": "wl_ke_china", "purpose": "merge"},
        )
        words = text_of(page.text)
        assert page.status_code == 200 and "29 likely, 9 possible" in words
        assert "places agree: Wenzhou / Wenzhou" in words
        same = client.get(
            "/app/wildlife/duplicates",
            params={"dataset": "wl_ke_eia", "against": "wl_ke_eia", "purpose": "merge"},
        )
        assert same.status_code == 422 and "compare two different datasets" in text_of(same.text)
