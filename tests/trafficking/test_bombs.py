"""A gzip bomb of a case file (the test case file padded with 64 MiB of spaces, some 64 KB
packed, 1,000 to 1) is refused by `liaison trafficking import-cases` and by
`POST /api/v1/trafficking/datasets/X/cases` as a decompression bomb once it has unpacked
`MAX_RATIO` times its size, and nothing is imported. Padding keeps the JSON valid: without the
bound the file imports."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from liaison.api.app import create_app
from liaison.settings import Settings
from liaison.store.tables import EntityRow
from tests.api.test_alerts_api import token
from tests.ingest.bombs import MiB
from tests.test_cli import Cli
from tests.trafficking.world import two_agencies

FILE = Path(__file__).parent / "files" / "cases.json"


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = FILE.read_bytes()
    padded = data.replace(b"{", b"{" + b" " * (64 * MiB), 1)
    path = tmp_path_factory.mktemp("bomb") / "cases.json.gz"
    path.write_bytes(gzip.compress(padded, compresslevel=9))
    assert path.stat().st_size < MiB
    return path


def _datasets(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.scalars(select(EntityRow.dataset).distinct()))


def test_the_cli_refuses_the_bomb_naming_the_file(engine: Engine, database_url: str, bomb: Path) -> None:
    two_agencies(engine)
    refused = Cli(database_url)(
        "trafficking", "import-cases", str(bomb), "--dataset", "es_cli", "--agency", "NCB-ES", code=3
    )
    assert f"{bomb}: unpacks to more than" in refused and "decompression bomb" in refused
    assert "es_cli" not in _datasets(engine)


def test_the_api_refuses_the_bomb_with_a_problem(engine: Engine, database_url: str, bomb: Path) -> None:
    two_agencies(engine)
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        headers = {**token(engine, "bob"), "Content-Type": "application/octet-stream"}
        refused = client.post(
            "/api/v1/trafficking/datasets/ncb_es_api/cases", content=bomb.read_bytes(), headers=headers
        )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    detail = refused.json()["detail"]
    assert detail.startswith("request: unpacks to more than") and "decompression bomb" in detail, detail
    assert "ncb_es_api" not in _datasets(engine)
