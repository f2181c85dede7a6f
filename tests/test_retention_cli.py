"""Retention review end to end on both backends: what is due, re-confirming and deleting, who may.

Strategy: records are imported, then time is made to pass by moving their review dates into the
past in the database; each agency must see only its own due records, and every decision must
change exactly the record named and leave an audit event.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from liaison.store import open_engine
from tests.test_access_cli import import_one, two_agencies
from tests.test_cli import Cli


@pytest.fixture
def cli(database_url: str) -> Cli:
    return two_agencies(database_url)


def age(database_url: str, entity_id: str, days: int) -> None:
    engine = open_engine(database_url)
    with engine.begin() as connection:
        review = dt.date.today() - dt.timedelta(days=days)
        connection.execute(
            text("UPDATE entity SET retention_review = :r WHERE id = :i"), {"r": review, "i": entity_id}
        )
    engine.dispose()


def due(cli: Cli, user: str) -> list[str]:
    acting = () if user == "operator" else ("--as", user)
    lines = cli(*acting, "retention", "due", "--json").splitlines()
    return [json.loads(line)["entity_id"] for line in lines if line]


def test_due_records_are_confirmed_or_deleted_by_their_owner(
    cli: Cli, database_url: str, tmp_path: Path
) -> None:
    for entity_id, agency in (("old1", "NCB-FR"), ("old2", "NCB-FR"), ("fresh", "NCB-FR"), ("es1", "NCB-ES")):
        import_one(cli, tmp_path, entity_id, "GREEN", agency=agency)
    age(database_url, "old1", 30)
    age(database_url, "old2", 3)
    age(database_url, "es1", 10)
    assert due(cli, "alice") == ["old1", "old2"]  # oldest first, own agency only
    assert due(cli, "bob") == ["es1"]
    assert set(due(cli, "operator")) == {"old1", "old2", "es1"}
    assert due(cli, "audrey") == []  # an auditor keeps and deletes nothing, so nothing is due to her

    # bob reads NCB-FR's GREEN records but decides nothing about them; an auditor decides nothing.
    cli("--as", "bob", "retention", "confirm", "ds-old1", "old1", code=5)
    cli("--as", "audrey", "retention", "delete", "ds-es1", "es1", code=5)
    cli("--as", "alice", "retention", "delete", "ds-old1", "nothing", code=4)
    assert "after today" in cli(
        "--as", "alice", "retention", "confirm", "ds-old1", "old1", "--until", "2001-01-01", code=3
    )

    cli(
        "--as",
        "alice",
        "retention",
        "confirm",
        "ds-old1",
        "old1",
        "--until",
        f"{dt.date.today().year + 2}-01-01",
    )
    cli("--as", "alice", "retention", "delete", "ds-old2", "old2")
    assert due(cli, "alice") == []
    cli("--as", "alice", "show", "old2", code=4)
    assert "Person old1" in cli("--as", "alice", "show", "old1")

    trail = [json.loads(line) for line in cli("audit", "export").splitlines() if line]
    decisions = [
        (e["actor"], e["action"], e["object"]) for e in trail if e["action"].startswith("retention.")
    ]
    assert decisions == [
        ("alice", "retention.confirm", "ds-old1/old1"),
        ("alice", "retention.delete", "ds-old2/old2"),
    ]
