"""The change feed: every entity write and deletion logged in its transaction, numbered in commit order.

Strategy: real imports and deletions on each backend, read back from the feed; and two
transactions logging side by side, to show that a later number never becomes visible before an
earlier one (a follower that read it would skip the earlier change for good).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.errors import BadInput
from liaison.ingest import Record
from liaison.ingest.ftm import entity_from_dict
from liaison.model import Agency, Envelope, Handling
from liaison.services.sharing.imports import import_records
from liaison.store import changes
from liaison.store.db import reading
from liaison.store.retention import delete_record

NOW = dt.datetime(2026, 12, 9, 10, tzinfo=dt.UTC)
ENVELOPE = Envelope("NCB-FR", "watchlist", Handling.CLEAR, "screening", dt.date(2031, 12, 1))


def _person(entity_id: str) -> Record:
    example = {"id": entity_id, "schema": "Person", "properties": {"name": [f"Person {entity_id}"]}}
    return Record(entity_from_dict(example, "test", entity_id), entity_id)


def _feed(engine: Engine, after: int = 0) -> list[changes.Change]:
    with Session(engine) as session:
        return changes.changes_after(session, after)


def test_an_import_logs_its_run_once_and_a_deletion_its_record(engine: Engine, agency: Agency) -> None:
    result = import_records(
        engine, [_person("p1"), _person("p2")], envelope=ENVELOPE, title="W", kind="t", source="t", now=NOW
    )
    [run] = _feed(engine)
    assert (run.dataset, run.import_run, run.entity_id) == ("watchlist", result.run_id, None)
    with Session(engine) as session:
        written = dict(changes.written_by_run(session, "watchlist", result.run_id, frozenset({"Person"})))
    assert sorted(written) == ["p1", "p2"] and written["p1"] is not None
    with Session(engine) as session, session.begin():
        assert delete_record(session, "watchlist", "p1")
        assert not delete_record(session, "watchlist", "absent")  # nothing deleted, nothing logged
    [deleted] = _feed(engine, run.seq)
    assert (deleted.dataset, deleted.import_run, deleted.entity_id) == ("watchlist", None, "p1")
    with Session(engine) as session:
        assert changes.latest_change(session) == deleted.seq
        assert changes.pending(session, run.seq)[0] == 1
        count, oldest = changes.pending(session, deleted.seq)
    assert (count, oldest) == (0, None)


def test_an_import_that_fails_logs_nothing(engine: Engine, agency: Agency) -> None:
    def records() -> Iterator[Record]:
        yield _person("p1")
        raise BadInput("records.json:2: not JSON")

    with pytest.raises(BadInput):
        import_records(engine, records(), envelope=ENVELOPE, title="W", kind="t", source="t", now=NOW)
    assert _feed(engine) == []


def test_a_change_logged_later_becomes_visible_later(engine: Engine, agency: Agency) -> None:
    logged = threading.Event()

    def log_second() -> None:
        with Session(engine) as session, session.begin():
            changes.log_removal(session, "watchlist", "second")
            logged.set()

    with Session(engine) as first, first.begin():
        changes.log_removal(first, "watchlist", "first")
        second = threading.Thread(target=log_second)
        second.start()
        # Were the second not held back until the first commits, it would commit now with the
        # higher number, and a follower reading the feed would move past the first's.
        logged.wait(0.5)
        assert _feed(reading(engine)) == []
    second.join()
    assert [change.entity_id for change in _feed(engine)] == ["first", "second"]
