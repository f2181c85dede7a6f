"""The migrations build exactly the schema the table classes describe, on both backends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

import liaison.store
from liaison import store
from liaison.model import Agency, Identity, Role
from liaison.services.accounts import access
from liaison.services.accounts.throttle import LoginLimits
from liaison.store.tables import Base

NOW = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)


def test_migrated_schema_matches_the_tables(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_sessions_started_before_tokens_had_a_kind_are_told_apart_by_the_audit_trail(
    engine: Engine, agency: Agency
) -> None:
    access.add_user(engine, Identity.operator(), "alice", agency.code, Role.ANALYST, NOW, password="x" * 12)
    _identity, session = access.start_session(
        engine, "alice", "x" * 12, NOW, address="127.0.0.1", limits=LoginLimits()
    )
    made, _stored = access.create_token(
        engine, Identity.operator(), "alice", NOW, NOW + dt.timedelta(days=9), ("read",)
    )
    config = Config()
    config.set_main_option("script_location", str(Path(liaison.store.__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0014")  # as written before tokens had a kind
        command.upgrade(config, "head")
    kinds = {token.token_id: token.kind for token in access.list_tokens(engine, Identity.operator())}
    assert kinds == {session.token_id: store.WEB_SESSION, made.token_id: store.API_TOKEN}
