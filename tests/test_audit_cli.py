"""The keyed audit chain and its signed checkpoints, against an attacker with the database alone.

Strategy: a store with a handful of events, keyed with a secret given in LIAISON_SECRET_KEY (on
SQLite also the default key file beside the store); the attacker edits rows with plain SQL and,
lacking the key, rehashes with the chain's old rule (plain SHA-256), as the pre-key Liaison did.
Each test checks what `liaison audit verify` says, with and without the auditors' checkpoints.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.audit import ChainedEvent, event_hash
from liaison.access.checkpoints import sign, to_line
from liaison.access.sealing import new_key
from tests.test_cli import Cli


class Said(Cli):
    """A Cli whose messages read as one line: Rich wraps long ones at the terminal's width."""

    def __call__(self, *args: str, code: int = 0) -> str:
        return " ".join(super().__call__(*args, code=code).split())


@pytest.fixture
def cli(database_url: str) -> Cli:
    runner = Said(database_url)
    runner.env["LIAISON_SECRET_KEY"] = new_key()
    runner("init")
    runner("agency", "add", "NCB-FR", "--name", "NCB Paris", "--country", "FR", "--kind", "ncb")
    runner("user", "add", "alice", "--agency", "NCB-FR", "--role", "analyst")
    runner("user", "add", "audrey", "--agency", "NCB-FR", "--role", "auditor")
    return runner


@pytest.fixture
def database(database_url: str) -> Iterator[Engine]:
    """The attacker's access: the database itself, without the key."""
    opened = store.open_engine(database_url)
    yield opened
    opened.dispose()


def events(database: Engine) -> list[ChainedEvent]:
    with Session(database) as session:
        return list(store.iter_events(session))


def set_head(database: Engine, seq: int, hash_: str) -> None:
    with database.begin() as connection:
        connection.execute(
            text("UPDATE audit_head SET seq = :seq, hash = :hash"), {"seq": seq, "hash": hash_}
        )


def rehash_from(database: Engine, first: int) -> None:
    """Rechain every event from `first` with plain SHA-256 and point the head at the last."""
    chained = events(database)
    previous = chained[first - 2].hash if first > 1 else "0" * 64
    with database.begin() as connection:
        for event in chained[first - 1 :]:
            digest = event_hash(event.seq, event.event, previous, None)
            connection.execute(
                text("UPDATE audit_event SET prev_hash = :prev, hash = :hash WHERE seq = :seq"),
                {"prev": previous, "hash": digest, "seq": event.seq},
            )
            previous = digest
    set_head(database, chained[-1].seq, previous)


def test_an_intact_keyed_chain_says_so(cli: Cli) -> None:
    assert "audit chain intact" in cli("audit", "verify") and "all keyed" in cli("audit", "verify")


def test_cutting_the_last_event_and_rolling_the_head_back_is_caught(cli: Cli, database: Engine) -> None:
    last, before = events(database)[-1], events(database)[-2]
    with database.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE seq = :seq"), {"seq": last.seq})
    set_head(database, before.seq, before.hash)
    broken = cli("audit", "verify", code=8)
    assert f"event {last.seq}" in broken and "head is not sealed" in broken


def test_rewriting_an_event_and_rehashing_from_it_without_the_key_is_caught(
    cli: Cli, database: Engine
) -> None:
    cli("--as", "alice", "show", "nothing-here", code=4)
    read = next(e for e in events(database) if e.event.action == "read")
    with database.begin() as connection:
        connection.execute(
            text("UPDATE audit_event SET detail = :detail WHERE seq = :seq"),
            {"detail": json.dumps({"found": True}), "seq": read.seq},
        )
    rehash_from(database, read.seq)
    broken = cli("audit", "verify", code=8)
    assert f"at event {read.seq}" in broken and "hashed without the key" in broken


def test_a_checkpoint_catches_an_old_database_put_back(cli: Cli, database: Engine, tmp_path: Path) -> None:
    with database.connect() as connection:
        saved = connection.execute(text("SELECT seq, hash FROM audit_head")).one()
    cli("user", "add", "bob", "--agency", "NCB-FR", "--role", "analyst")
    kept = tmp_path / "checkpoints.jsonl"
    assert "appended to" in cli("--as", "audrey", "audit", "checkpoint", "--out", str(kept))
    assert "holds against 1 checkpoint" in cli("audit", "verify", "--checkpoints", str(kept))

    # The events since a copy of the database was taken cut, and its head put back: that head
    # was sealed under the key, so the key alone cannot tell; the checkpoint can.
    with database.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE seq > :seq"), {"seq": saved.seq})
    set_head(database, saved.seq, saved.hash)
    assert "intact" in cli("audit", "verify")
    cut = cli("audit", "verify", "--checkpoints", str(kept), code=8)
    assert "checkpoints.jsonl line 1" in cut and "cut from the end" in cut


def test_a_checkpoint_catches_a_chain_rehashed_from_its_first_event(
    cli: Cli, database: Engine, tmp_path: Path
) -> None:
    kept = tmp_path / "checkpoints.jsonl"
    cli("audit", "checkpoint", "--out", str(kept))
    # Rehashed whole, the chain reads as one written before chains were keyed, and the next
    # event keys it again: only the checkpoint still holds the hash it saw.
    rehash_from(database, 1)
    cli("audit", "verify")
    assert "keyed from event" in cli("audit", "verify")
    rewritten = cli("audit", "verify", "--checkpoints", str(kept), code=8)
    assert "checkpoints.jsonl line 1" in rewritten and "rewritten" in rewritten


def test_a_forged_checkpoint_is_refused(cli: Cli, tmp_path: Path) -> None:
    kept = tmp_path / "checkpoints.jsonl"
    cli("audit", "checkpoint", "-o", str(kept))
    cli("audit", "checkpoint", "-o", str(kept))
    first, second = (json.loads(line) for line in kept.read_text().splitlines())
    assert second["seq"] > first["seq"] and len(second["signature"]) == 64

    moved = kept.with_name("moved.jsonl")
    moved.write_text(kept.read_text().splitlines()[0] + "\n" + json.dumps({**second, "seq": 1}) + "\n")
    refused = cli("audit", "verify", "--checkpoints", str(moved), code=8)
    assert "checkpoint refused" in refused and "moved.jsonl line 2" in refused

    # Well formed and signed, but under another key than this store's.
    other = sign(1, first["hash"], dt.datetime.now(dt.UTC), "elsewhere", b"k" * 32)
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_bytes(to_line(other))
    assert "foreign.jsonl line 1" in cli("audit", "verify", "--checkpoints", str(foreign), code=8)


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("", "no checkpoints"),
        ('{"seq": 1}\n', "line 1: a checkpoint has exactly the fields"),
        ('\n{"seq": 1, "hash": "a", "at": "b", "node": "c", "signature": "d"}\n', "line 2: at 'b'"),
        ('{"seq": -1, "hash": "a", "at": "b", "node": "c", "signature": "d"}\n', "line 1: seq"),
        ("not json\n", "line 1: not a JSON object"),
    ],
)
def test_a_bad_checkpoint_file_is_named_with_its_line(
    cli: Cli, tmp_path: Path, content: str, named: str
) -> None:
    kept = tmp_path / "bad.jsonl"
    kept.write_text(content)
    message = cli("audit", "verify", "--checkpoints", str(kept), code=3)
    assert "bad.jsonl" in message and named in message
    assert "missing.jsonl" in cli("audit", "verify", "--checkpoints", str(tmp_path / "missing.jsonl"), code=3)


def test_a_chain_from_before_keys_is_keyed_from_its_next_event(cli: Cli, database: Engine) -> None:
    # What an older Liaison left: every event plain SHA-256, the head the last event's hash.
    rehash_from(database, 1)
    count = len(events(database))
    assert "none keyed yet" in cli("audit", "verify")
    # That verification was itself the first keyed event.
    assert f"keyed from event {count + 1}" in cli("audit", "verify")


def test_the_default_key_beside_an_sqlite_store_keys_the_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'liaison.db'}"
    cli = Said(url)
    cli("init")
    cli("agency", "add", "NCB-FR", "--name", "NCB Paris", "--country", "FR", "--kind", "ncb")
    assert (tmp_path / "liaison.db.key").exists() and "all keyed" in cli("audit", "verify")
    database = store.open_engine(url)
    before = events(database)[-2]
    with database.begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE seq > :seq"), {"seq": before.seq})
    set_head(database, before.seq, before.hash)
    database.dispose()
    assert "head is not sealed" in cli("audit", "verify", code=8)


def test_a_store_without_a_key_says_its_chain_is_not_keyed(database_url: str, tmp_path: Path) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip("an SQLite store always has its default key file")
    cli = Said(database_url)
    cli("init")
    assert "not keyed: anyone with database access" in cli("audit", "verify")
    assert "LIAISON_SECRET_KEY" in cli("audit", "checkpoint", "-o", str(tmp_path / "c.jsonl"), code=7)
