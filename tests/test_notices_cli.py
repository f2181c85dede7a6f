"""Notices and diffusions end to end on both backends: the lifecycle, who may move a notice, and
that screening matches exactly the published ones.

Strategy: NCB-FR drafts, the secretariat (IPSG) reviews, NCB-ES and NCB-IT screen. Every
forbidden move is tried and must change nothing; every allowed one is checked through what the
others then see, are alerted of, and match.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from liaison.store import open_engine
from tests.test_access_cli import two_agencies
from tests.test_cli import Cli

SUBJECT = ("--name", "Ivan Petrovich Sokolov", "--birth-date", "1975-03-02", "--nationality", "ru")


@pytest.fixture
def cli(database_url: str) -> Cli:
    runner = two_agencies(database_url)
    runner(
        "agency", "add", "IPSG", "--name", "General Secretariat", "--country", "FR", "--kind", "secretariat"
    )
    runner("agency", "add", "NCB-IT", "--name", "NCB Rome", "--country", "IT", "--kind", "ncb")
    runner("user", "add", "rita", "--agency", "IPSG", "--role", "reviewer")
    runner("user", "add", "rex", "--agency", "NCB-FR", "--role", "reviewer")
    runner("user", "add", "carla", "--agency", "NCB-IT", "--role", "analyst")
    return runner


def status(cli: Cli, user: str, notice: str) -> str:
    shown: dict[str, str] = json.loads(cli("--as", user, "notice", "show", notice))
    return shown["status"]


def screened(cli: Cli, tmp_path: Path, user: str) -> dict[str, object]:
    path = tmp_path / "travellers.csv"
    path.write_text("name,birth_date\nIvan Sokolov,1975-03-02\n")
    rows: list[dict[str, object]] = json.loads(cli("--as", user, "screen", str(path), "--format", "json"))
    return rows[0]


def alerts(cli: Cli, user: str) -> list[str]:
    lines = cli("--as", user, "alerts", "list", "--json").splitlines()
    return [json.loads(line)["kind"] for line in lines if line]


def test_a_red_notice_from_draft_to_withdrawal(cli: Cli, tmp_path: Path) -> None:
    drafted = cli(
        "--as", "alice", "notice", "create", "--kind", "red", "--title", "Wanted: trafficking", *SUBJECT
    )
    notice = drafted.split()[1]
    cli("--as", "bob", "notice", "show", notice, code=4)  # a draft stays with its agency
    assert "not open to a draft" in cli("--as", "alice", "notice", "publish", notice, code=6)

    cli("--as", "alice", "notice", "submit", notice)
    assert alerts(cli, "rita") == ["notice.submitted"]
    cli("--as", "rex", "notice", "publish", notice, code=5)  # a reviewer, but of the issuing agency
    cli("--as", "bob", "notice", "publish", notice, code=4)  # NCB-ES does not see submitted notices
    assert status(cli, "alice", notice) == "submitted"
    assert screened(cli, tmp_path, "bob")["matches"] == []

    cli("--as", "rita", "notice", "publish", notice, "--note", "meets Article 83")
    assert "notice.published" in alerts(cli, "alice")
    assert status(cli, "bob", notice) == "published"
    [match] = screened(cli, tmp_path, "bob")["matches"]  # type: ignore[misc]
    assert (match["dataset"], match["entity_id"]) == ("notices", f"notice-{notice}")
    cli("--as", "carla", "notice", "withdraw", notice, code=5)

    cli("--as", "alice", "notice", "withdraw", notice)
    assert screened(cli, tmp_path, "bob")["matches"] == []
    assert "not open to a withdrawn" in cli("--as", "alice", "notice", "withdraw", notice, code=6)
    trail = [json.loads(line) for line in cli("audit", "export").splitlines() if line]
    moves = [
        (e["actor"], e["action"])
        for e in trail
        if e["object"] == f"notice:{notice}" and e["action"] != "read"
    ]
    assert [action for _actor, action in moves] == [
        "notice.create",
        "notice.submit",
        "notice.publish",
        "notice.withdraw",
    ]
    assert moves[2] == ("rita", "notice.publish")


def test_refusal_revision_and_expiry(cli: Cli, database_url: str, tmp_path: Path) -> None:
    notice = cli(
        "--as", "alice", "notice", "create", "--kind", "yellow", "--title", "Missing", *SUBJECT
    ).split()[1]
    cli("--as", "alice", "notice", "submit", notice)
    cli("--as", "rita", "notice", "refuse", notice, "--note", "photo missing")
    assert status(cli, "alice", notice) == "refused" and "notice.refused" in alerts(cli, "alice")
    cli("--as", "alice", "notice", "revise", notice)
    cli("--as", "alice", "notice", "submit", notice)
    cli("--as", "rita", "notice", "publish", notice)
    assert screened(cli, tmp_path, "bob")["matches"]

    assert cli("notice", "expire").strip() == "0 notices expired"
    engine = open_engine(database_url)
    with engine.begin() as connection:
        past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        connection.execute(text("UPDATE notice SET expires_at = :p WHERE id = :i"), {"p": past, "i": notice})
    engine.dispose()
    assert cli("notice", "expire").strip() == "1 notices expired"
    assert status(cli, "bob", notice) == "expired" and screened(cli, tmp_path, "bob")["matches"] == []


def test_a_diffusion_reaches_only_the_agencies_it_names(cli: Cli, tmp_path: Path) -> None:
    diffusion = ("--kind", "diffusion", "--title", "Locate and arrest", *SUBJECT)
    made = cli("--as", "bob", "notice", "create", *diffusion, "--recipient", "NCB-FR")
    diffusion = made.split()[1]
    cli("--as", "bob", "notice", "submit", diffusion, code=6)  # diffusions skip the secretariat
    cli("--as", "bob", "notice", "send", diffusion)
    assert alerts(cli, "alice") == ["diffusion"] and alerts(cli, "carla") == []
    assert status(cli, "alice", diffusion) == "published"
    cli("--as", "carla", "notice", "show", diffusion, code=4)
    assert screened(cli, tmp_path, "alice")["matches"]
    # NCB-IT hits it but may not read it: a hit/no-hit reference to NCB-ES, nothing more.
    hidden = screened(cli, tmp_path, "carla")
    assert hidden["matches"] == [] and hidden["references"][0]["owner_agency"] == "NCB-ES"  # type: ignore[index]


@pytest.mark.parametrize(
    ("user", "args", "code", "says"),
    [
        ("alice", ("--kind", "crimson", "--title", "t", *SUBJECT), 3, "kind"),
        ("alice", ("--kind", "red", "--title", "t"), 3, "subject"),
        ("alice", ("--kind", "diffusion", "--title", "t", *SUBJECT), 3, "recipients"),
        ("alice", ("--kind", "red", "--title", "t", *SUBJECT, "--recipient", "NCB-ES"), 3, "recipients"),
        ("alice", ("--kind", "red", "--title", "t", "--name", "X", "--birth-date", "soon"), 3, "birthDate"),
        ("audrey", ("--kind", "red", "--title", "t", *SUBJECT), 5, "notices are drafted"),
    ],
)
def test_bad_notices_are_refused(cli: Cli, user: str, args: tuple[str, ...], code: int, says: str) -> None:
    assert says in cli("--as", user, "notice", "create", *args, code=code)
    assert "0 notices" in cli("notice", "list")
