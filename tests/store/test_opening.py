"""Opening a store that is not Liaison's, or not a database at all, says what to do; and the
check that a store is current agrees with Alembic without loading it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from liaison import store
from liaison.errors import Conflict, Unavailable
from liaison.store.db import head_revision


def test_a_file_that_is_not_a_database_is_refused_with_a_remedy(tmp_path: Path) -> None:
    path = tmp_path / "liaison.db"
    path.write_text("these are somebody's notes, not a database\n" * 100)
    engine = store.open_engine(f"sqlite:///{path}")
    for step in (store.migrate, store.is_current):
        with pytest.raises(
            Unavailable, match=r"cannot be read \(file is not a database\): move the file away"
        ):
            step(engine)
    assert path.read_text().startswith("these are somebody's notes")


def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "liaison.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER)")
    engine = store.open_engine(f"sqlite:///{path}")
    with pytest.raises(Conflict, match=r"is not Liaison's: it holds other tables \(invoices\)"):
        store.migrate(engine)
    with sqlite3.connect(path) as connection:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"invoices"}


def test_an_empty_database_and_a_liaison_one_migrate(tmp_path: Path) -> None:
    engine = store.open_engine(f"sqlite:///{tmp_path / 'liaison.db'}")
    store.migrate(engine)
    store.migrate(engine)  # again: already Liaison's, nothing refused
    assert store.is_current(engine)


def test_the_newest_migration_file_is_alembics_head(tmp_path: Path) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(store.__file__).parent / "migrations"))
    assert head_revision() == ScriptDirectory.from_config(config).get_current_head()
    engine = store.open_engine(f"sqlite:///{tmp_path / 'liaison.db'}")
    assert not store.is_current(engine)  # empty: no alembic_version table yet
    store.migrate(engine)
    assert store.is_current(engine)
