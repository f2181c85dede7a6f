"""Agencies, users, tokens, groups, reading as a user, and the audit chain, end to end on both backends.

Strategy: two agencies in two countries, one user each (plus an admin and an auditor), and a
small FtM file imported under each code; each test names who acts with `--as` and checks what
they get, what they are refused, and what the trail says.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from liaison.cli import app
from liaison.errors import Unauthenticated
from liaison.services.accounts import access
from liaison.services.accounts.throttle import LoginLimits
from liaison.store import open_engine
from tests.test_cli import Cli, runner

NOW = dt.datetime.now(dt.UTC)


def two_agencies(database_url: str) -> Cli:
    """A store with NCB-FR (alice, analyst; ada, admin) and NCB-ES (bob, analyst; audrey, auditor)."""
    runner = Cli(database_url)
    runner("init")
    runner("agency", "add", "NCB-FR", "--name", "NCB Paris", "--country", "FR", "--kind", "ncb")
    runner("agency", "add", "NCB-ES", "--name", "NCB Madrid", "--country", "ES", "--kind", "ncb")
    runner("user", "add", "alice", "--agency", "NCB-FR", "--role", "analyst")
    runner("user", "add", "bob", "--agency", "NCB-ES", "--role", "analyst")
    runner("user", "add", "ada", "--agency", "NCB-FR", "--role", "admin")
    runner("user", "add", "audrey", "--agency", "NCB-ES", "--role", "auditor")
    return runner


@pytest.fixture
def cli(database_url: str) -> Cli:
    return two_agencies(database_url)


def import_one(
    cli: Cli, tmp_path: Path, entity_id: str, handling: str, *release: str, agency: str = "NCB-FR"
) -> None:
    source = tmp_path / f"{entity_id}.ftm.json"
    source.write_text(
        json.dumps({"id": entity_id, "schema": "Person", "properties": {"name": [f"Person {entity_id}"]}})
    )
    options = [option for entry in release for option in ("--release", entry)]
    cli(
        "import",
        "ftm",
        str(source),
        "--dataset",
        f"ds-{entity_id}",
        "--agency",
        agency,
        "--handling",
        handling,
        *options,
    )


def test_tokens_are_shown_once_stored_hashed_expire_and_revoke(cli: Cli, database_url: str) -> None:
    token = cli("token", "create", "alice", "--expires", "30d", "--scope", "read").strip()
    assert re.fullmatch(r"lsn_[0-9a-f]{16}_[A-Za-z0-9_-]{40,}", token)
    token_id = token.split("_")[1]
    listing = cli("token", "list")
    assert token_id in listing and token not in listing and "active" in listing
    engine = open_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT secret_hash FROM api_token")).scalar_one()
    assert token.split("_", 2)[2] not in stored and len(stored) == 64

    identity, scopes = access.identify_token(engine, token, NOW)
    assert (identity.user, identity.agency, identity.country, scopes) == ("alice", "NCB-FR", "fr", ("read",))
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in ("", "Bearer x", forged, "lsn_0000000000000000_secret"):
        with pytest.raises(Unauthenticated):
            access.identify_token(engine, bad, NOW)
    with pytest.raises(Unauthenticated):
        access.identify_token(engine, token, NOW + dt.timedelta(days=31))
    cli("token", "revoke", token_id)
    assert "revoked" in cli("token", "list")
    with pytest.raises(Unauthenticated):
        access.identify_token(engine, token, NOW)

    second = cli("token", "create", "alice").strip()
    cli("user", "disable", "alice")
    with pytest.raises(Unauthenticated):
        access.identify_token(engine, second, NOW)
    assert "disabled" in cli("--as", "alice", "stats", code=5)
    assert "--expires" in cli("token", "create", "bob", "--expires", "400d", code=3)
    assert "--scope" in cli("token", "create", "bob", "--scope", "root", code=3)
    engine.dispose()


def test_admins_administer_their_own_agency_only(cli: Cli) -> None:
    cli("--as", "ada", "user", "add", "anne", "--agency", "NCB-FR", "--role", "officer")
    assert "NCB-ES" in cli(
        "--as", "ada", "user", "add", "eve", "--agency", "NCB-ES", "--role", "admin", code=5
    )
    assert "NCB-ES" in cli("--as", "ada", "token", "create", "bob", code=5)
    assert "admin" in cli(
        "--as", "alice", "user", "add", "mallory", "--agency", "NCB-FR", "--role", "admin", code=5
    )
    assert "operator" in cli("--as", "ada", "group", "add", "balkans", code=5)
    listed = cli("--as", "ada", "user", "list")
    assert "anne" in listed and "bob" not in listed
    assert "user name" in cli(
        "user", "add", "Robert'); DROP TABLE app_user;--", "--agency", "NCB-FR", "--role", "analyst", code=3
    )
    assert "exists" in cli("user", "add", "alice", "--agency", "NCB-FR", "--role", "analyst", code=6)


def test_a_password_is_set_from_the_console_asked_twice_unseen_or_from_stdin(
    cli: Cli, database_url: str
) -> None:
    engine, limits = open_engine(database_url), LoginLimits()
    first, second = "a first long passphrase", "a second long passphrase"

    def logs_in(user: str, password: str) -> bool:
        try:
            access.login(engine, user, password, NOW, address="192.0.2.1", limits=limits)
        except Unauthenticated:
            return False
        return True

    asked = runner.invoke(app, ["user", "password", "alice"], env=cli.env, input=f"{first}\n{first}\n")
    assert asked.exit_code == 0, asked.output
    assert "New password" in asked.stderr and first not in asked.output  # not echoed
    assert "password of alice set; 0 web sessions ended" in asked.stdout
    assert logs_in("alice", first)
    _identity, session = access.start_session(engine, "alice", first, NOW, address="192.0.2.1", limits=limits)

    piped = runner.invoke(
        app, ["user", "password", "alice", "--password-stdin"], env=cli.env, input=second + "\n"
    )
    assert piped.exit_code == 0 and "1 web session ended" in piped.stdout
    assert logs_in("alice", second) and not logs_in("alice", first)
    with pytest.raises(Unauthenticated):
        access.identify_token(engine, session.text, NOW)

    short = runner.invoke(
        app, ["user", "password", "alice", "--password-stdin"], env=cli.env, input="short\n"
    )
    assert short.exit_code == 3 and "password: at least 12 characters" in short.stderr
    assert "Traceback" not in short.output + short.stderr
    refused = runner.invoke(
        app, ["--as", "bob", "user", "password", "alice", "--password-stdin"], env=cli.env, input=first + "\n"
    )
    assert refused.exit_code == 5 and "only the operator or an admin of NCB-FR" in refused.stderr
    assert logs_in("alice", second)
    engine.dispose()


def test_each_user_reads_what_the_handling_allows(cli: Cli, tmp_path: Path) -> None:
    cli("group", "add", "iberia")
    cli("group", "join", "iberia", "NCB-ES")
    import_one(cli, tmp_path, "green", "GREEN")
    import_one(cli, tmp_path, "amber-es", "AMBER", "country:es")
    import_one(cli, tmp_path, "amber-group", "AMBER", "group:iberia")
    import_one(cli, tmp_path, "strict", "AMBER+STRICT", "country:es")
    import_one(cli, tmp_path, "red-bob", "RED", "user:bob")
    import_one(cli, tmp_path, "red-alice", "RED", "user:alice", agency="NCB-ES")
    readable_by_bob = {"green", "amber-es", "amber-group", "red-bob", "red-alice"}
    for entity_id in ("green", "amber-es", "amber-group", "strict", "red-bob", "red-alice"):
        if entity_id in readable_by_bob:
            assert f"Person {entity_id}" in cli("--as", "bob", "show", entity_id)
        else:
            # Absent and unreadable look the same: nothing is confirmed to a reader who may not know.
            assert entity_id in cli("--as", "bob", "show", entity_id, code=4)
        assert f"Person {entity_id}" in cli("--as", "alice", "show", entity_id)
    counted = json.loads(cli("--as", "bob", "stats", "--json"))["datasets"]
    assert set(counted) == {f"ds-{entity_id}" for entity_id in readable_by_bob}
    # A dataset none of whose records bob may read is, to him, no dataset at all.
    assert "ds-strict" in cli("--as", "bob", "export", "ftm", "--dataset", "ds-strict", code=4)
    assert "ds-strict" not in cli("--as", "bob", "datasets") and "ds-green" in cli("--as", "bob", "datasets")
    assert "Person strict" in cli("export", "ftm", "--dataset", "ds-strict")


def test_bad_handling_and_releasability_are_refused_and_change_nothing(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "x.ftm.json"
    source.write_text(json.dumps({"id": "x", "schema": "Person", "properties": {"name": ["X"]}}))
    base = ("import", "ftm", str(source), "--dataset", "x", "--agency", "NCB-FR")
    assert "--handling" in cli(*base, "--handling", "PURPLE", code=3)
    assert "no such agency" in cli(*base, "--release", "agency:NCB-ZZ", code=3)
    assert "no such group" in cli(*base, "--release", "group:nowhere", code=3)
    assert "no such country" in cli(*base, "--release", "country:zz", code=3)
    assert "--release" in cli(*base, "--release", "NCB-ES", code=3)
    assert "cannot import for NCB-FR" in cli("--as", "bob", *base, code=5)
    assert cli.stats() == {}


def test_audit_chain_records_verifies_and_catches_tampering(
    cli: Cli, tmp_path: Path, database_url: str
) -> None:
    import_one(cli, tmp_path, "green", "GREEN")
    cli("--as", "bob", "--purpose", "case 2026/17", "show", "green")
    cli("--as", "bob", "show", "nothing-here", code=4)
    queries = tmp_path / "q.csv"
    queries.write_text("name\nPerson green\n", encoding="utf-8")
    assert "green" in cli(
        "--as", "bob", "--purpose", "border check", "screen", str(queries), "--format", "json"
    )
    cli("xref", "ds-green")
    assert "auditors" in cli("--as", "bob", "audit", "verify", code=5)
    assert "intact" in cli("--as", "audrey", "audit", "verify")
    lines = [json.loads(line) for line in cli("audit", "export").splitlines()]
    actions = [(event["actor"], event["action"], event["object"]) for event in lines]
    assert ("operator", "user.add", "user:alice") in actions
    assert ("operator", "import", "dataset:ds-green") in actions
    assert ("bob", "read", "entity:green") in actions and ("bob", "read", "entity:nothing-here") in actions
    assert next(e for e in lines if e["object"] == "entity:green")["purpose"] == "case 2026/17"
    screened = next(e for e in lines if e["action"] == "screen")
    assert (screened["actor"], screened["purpose"], screened["detail"]["hits"]) == (
        "bob",
        "border check",
        ["ds-green/green"],
    )
    assert ("operator", "xref", "datasets:ds-green") in actions
    assert all(later["prev_hash"] == earlier["hash"] for earlier, later in itertools.pairwise(lines))
    assert cli("audit", "export", "--since", "2000-01-01", "--until", "2000-01-02").strip() == ""

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET actor = 'someone-else' WHERE seq = 3"))
    broken = cli("audit", "verify", code=8)
    assert "event 3" in broken and "changed" in broken
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET actor = 'operator' WHERE seq = 3"))
        connection.execute(text("DELETE FROM audit_event WHERE seq = 5"))
    assert "event 5 is missing" in cli("audit", "verify", code=8)
    engine.dispose()
