"""An xlsx zip bomb (the China seizure table with 1 GiB more in one cell, about 1 MB packed) is
refused by `liaison seizure import` and by `POST /api/v1/datasets/X/seizures`, naming the file
and the member, before the member is unpacked: the peak memory of the refusal is measured."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from liaison import store
from liaison.api.app import create_app
from liaison.settings import Settings
from tests.api.test_alerts_api import token
from tests.ingest.bombs import GiB, MiB, peak_memory, xlsx_bomb
from tests.test_cli import Cli

CHINA = "pangolin_seizures_china_2008-2016_conl12339_tableS1.xlsx"


@pytest.fixture(scope="module")
def bomb(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return xlsx_bomb(shared_data / "wildlife" / CHINA, tmp_path_factory.mktemp("bomb") / "seizures.xlsx", GiB)


@pytest.fixture
def cli(database_url: str) -> Cli:
    cli = Cli(database_url)
    cli("init")
    cli("agency", "add", "WL-KE", "--name", "KWS", "--country", "KE", "--kind", "wildlife")
    cli("user", "add", "wanjiru", "--agency", "WL-KE", "--role", "analyst")
    return cli


def test_the_cli_refuses_the_bomb_naming_file_and_member(cli: Cli, bomb: Path) -> None:
    into = ("--mapping", "china-pangolin", "--dataset", "wl_ke_cn", "--agency", "WL-KE")
    with peak_memory() as peak:
        refused = cli("--as", "wanjiru", "seizure", "import", str(bomb), *into, code=3)
    assert f"{bomb}: member 'xl/sharedStrings.xml' unpacks to 1,073,7" in refused
    assert peak[0] < 64 * MiB
    assert "wl_ke_cn" not in cli.stats()


def test_the_api_refuses_the_bomb_with_a_problem(cli: Cli, database_url: str, bomb: Path) -> None:
    engine = store.open_engine(database_url)
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        headers = {**token(engine, "wanjiru"), "Content-Type": "application/octet-stream"}
        with peak_memory() as peak:
            refused = client.post(
                "/api/v1/datasets/wl_ke_cn/seizures",
                params={"mapping": "china-pangolin", "format": "xlsx"},
                content=bomb.read_bytes(),
                headers=headers,
            )
    engine.dispose()
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    detail = refused.json()["detail"]
    assert detail.startswith("request.xlsx: member 'xl/sharedStrings.xml' unpacks to 1,073,7"), detail
    assert peak[0] < 64 * MiB
    assert "wl_ke_cn" not in cli.stats()
