"""Shared fixtures.

Strategy: every store test takes `engine`, parametrised over SQLite and a real PostgreSQL
cluster started once per session; each test gets a fresh, migrated database. `shared_data`
is the real reference data the repository ships in data/ (text files gzipped; see data/README.md).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from liaison import store
from liaison.model import Agency, AgencyKind
from tests.postgres import Cluster, find_bindir, running_cluster

REPO = Path(__file__).resolve().parents[1]
_databases = itertools.count()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The read-only reference data in the repository's data/ folder."""
    return REPO / "data"


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster; skipped where PostgreSQL is missing unless CI requires it."""
    bindir = find_bindir()
    if bindir is None:
        if os.environ.get("LIAISON_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (LIAISON_REQUIRE_POSTGRES=1) but initdb was not found")
        pytest.skip("PostgreSQL not installed (no initdb); install Debian's postgresql to run these")
    with running_cluster(bindir) as cluster:
        yield cluster


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, empty database on each backend; on PostgreSQL it is dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'liaison.db'}"
        return
    cluster: Cluster = request.getfixturevalue("postgres")
    name = f"liaison_test_{next(_databases)}"
    admin = create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield cluster.url(name)
    # Commands run in process keep their engines' pooled connections until collected, and a
    # whole suite of them would exhaust the cluster's connections: each test's end with it.
    with admin.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
            {"name": name},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated store on each backend."""
    opened = store.open_engine(database_url)
    store.migrate(opened)
    yield opened
    opened.dispose()


AGENCY = Agency(code="NCB-FR", name="INTERPOL NCB Paris", country="FR", kind=AgencyKind.NCB)


@pytest.fixture
def agency(engine: Engine) -> Agency:
    """One registered agency to own imported datasets."""
    with Session(engine) as session, session.begin():
        store.save_agency(session, AGENCY)
    return AGENCY
