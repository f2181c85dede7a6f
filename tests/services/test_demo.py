"""Loading the demo world into a real store, and serving its home page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from liaison import demo, store
from liaison.api.app import create_app
from liaison.demo.world import demo_agencies, demo_datasets
from liaison.errors import NotFound
from liaison.model import Identity
from liaison.services.sharing import catalog
from liaison.settings import Settings
from tests.test_cli import Cli

OPERATOR = Identity.operator()
NOW = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)


def test_demo_world_loads_and_reloads_in_place(engine: Engine, database_url: str, shared_data: Path) -> None:
    settings = Settings(database_url=database_url, shared_data=shared_data)
    loaded = demo.load(engine, settings, seed=7)
    assert loaded.agencies == len(demo_agencies()) >= 12
    stats = catalog.stats(engine, OPERATOR)
    assert stats["un_sc"]["Person"] == 730
    assert stats["us_ofac_sdn"]["Vessel"] == 851
    for dataset in demo_datasets(7):
        assert sum(stats[dataset.name].values()) == len({r.proxy.id for r in dataset.records})

    demo.load(engine, settings, seed=7)
    assert catalog.stats(engine, OPERATOR) == stats

    with TestClient(create_app(settings)) as client:
        health = client.get("/api/v1/health")
        answer = health.json()
        assert answer["index"]["behind"] == 0 and answer["index"]["version"] > 0  # built at start
        del answer["index"]
        assert answer == {"status": "ok", "database": engine.dialect.name, "version": "0.1.0"}
        page = client.get("/")
        assert page.status_code == 200
        for agency in demo_agencies():
            assert agency.code in page.text
        # The home page is public: CLEAR datasets only, no sign of the agencies' own records.
        assert "un_sc" in page.text and "ncb_ua_trafficking" not in page.text
        assert client.get("/docs").status_code == 200
        assert "/api/v1/health" in client.get("/openapi.json").json()["paths"]


def test_demo_without_reference_data_names_the_folder(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url, shared_data=tmp_path)
    with pytest.raises(NotFound, match="LIAISON_SHARED_DATA"):
        demo.load(engine, settings, seed=7)


class _Stopped(Exception):
    """Stands for whatever stops a load half-way: an error, Ctrl-C, a machine switched off."""


def _stop_after_first_batch(_count: int) -> None:
    raise _Stopped


def test_a_half_loaded_demo_is_never_taken_for_whole_and_loading_again_finishes_it(
    tmp_path: Path, shared_data: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    settings = Settings(database_url=url, shared_data=shared_data)
    engine = store.open_engine(url)
    store.migrate(engine)
    assert demo.state(engine) is None
    with pytest.raises(_Stopped):
        demo.load(engine, settings, seed=7, progress=_stop_after_first_batch)
    half = demo.state(engine)
    assert half is not None and not half.loaded
    assert sum(catalog.stats(engine, OPERATOR).get("un_sc", {}).values()) < 730

    cli = Cli(url)
    assert "already loaded" not in cli("demo", "--unless-loaded")
    whole = demo.state(engine)
    assert whole is not None and whole.loaded and whole.seed == 7
    stats = catalog.stats(engine, OPERATOR)
    assert stats["un_sc"]["Person"] == 730 and stats["us_ofac_sdn"]["Vessel"] == 851
    assert "demo world already loaded (seed 7" in cli("demo", "--unless-loaded")
    assert catalog.stats(engine, OPERATOR) == stats
