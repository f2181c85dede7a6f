"""Hit/no-hit end to end on both backends: a screening hits a record its user may not read.

Strategy: NCB-FR owns an AMBER record (released to no one) and a RED one; bob of NCB-ES screens
a CSV naming both people. He must get references only (no name, id or dataset), NCB-FR must be
alerted once per record, and the request, grant and refusal must do exactly what they say,
survive a re-import, refuse the wrong people, and be audited.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.test_access_cli import import_one, two_agencies
from tests.test_cli import Cli


@pytest.fixture
def cli(database_url: str) -> Cli:
    return two_agencies(database_url)


def screen_as(cli: Cli, tmp_path: Path, user: str) -> list[dict[str, object]]:
    rows = tmp_path / "travellers.csv"
    rows.write_text("name\nPerson amber1\nPerson red1\nSomeone Unknown\n")
    answer: list[dict[str, object]] = json.loads(cli("--as", user, "screen", str(rows), "--format", "json"))
    return answer


def alerts_of(cli: Cli, user: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in cli("--as", user, "alerts", "list", "--json").splitlines() if line]


def test_a_hidden_hit_gives_only_a_reference_and_alerts_the_owner_once(cli: Cli, tmp_path: Path) -> None:
    import_one(cli, tmp_path, "amber1", "AMBER")
    import_one(cli, tmp_path, "red1", "RED", "user:alice")
    rows = screen_as(cli, tmp_path, "bob")
    printed = json.dumps(rows)
    assert [row["matches"] for row in rows] == [[], [], []]
    assert [len(row["references"]) for row in rows] == [1, 1, 0]  # type: ignore[arg-type]
    for secret in ("amber1", "red1", "ds-", "Person "):
        assert secret not in printed.replace("Person amber1", "").replace("Person red1", "")
    reference = rows[0]["references"][0]  # type: ignore[index]
    assert reference["owner_agency"] == "NCB-FR" and reference["score"] >= 0.7
    assert re.fullmatch(r"[0-9a-f]{16}", reference["reference"])

    hits = [alert for alert in alerts_of(cli, "alice") if alert["kind"] == "hit"]
    assert sorted(alert["subject"] for alert in hits) == ["ds-amber1/amber1", "ds-red1/red1"]
    assert {alert["detail"]["seeker"] for alert in hits} == {"bob"}  # type: ignore[index]
    assert alerts_of(cli, "bob") == []
    # The same seeker hitting the same record again keeps the reference and tells the owner once.
    again = screen_as(cli, tmp_path, "bob")
    assert again[0]["references"][0]["reference"] == reference["reference"]  # type: ignore[index]
    assert len([alert for alert in alerts_of(cli, "alice") if alert["kind"] == "hit"]) == 2
    # The owner reads its own records in full: no references for alice.
    own = screen_as(cli, tmp_path, "alice")
    assert [len(row["matches"]) for row in own] == [1, 1, 0] and own[0]["references"] == []  # type: ignore[arg-type]


def test_request_grant_and_refuse_complete_the_exchange(cli: Cli, tmp_path: Path) -> None:
    import_one(cli, tmp_path, "amber1", "AMBER")
    import_one(cli, tmp_path, "red1", "RED", "user:alice")
    cli("user", "add", "carol", "--agency", "NCB-ES", "--role", "analyst")
    cli("user", "add", "fiona", "--agency", "NCB-FR", "--role", "first_responder")
    rows = screen_as(cli, tmp_path, "bob")
    amber_ref = rows[0]["references"][0]["reference"]  # type: ignore[index]
    red_ref = rows[1]["references"][0]["reference"]  # type: ignore[index]

    assert "'reason'" in cli("--as", "bob", "access", "request", amber_ref, "--reason", " ", code=3)
    cli("--as", "carol", "access", "request", amber_ref, "--reason", "mine now", code=4)
    sent = cli("--as", "bob", "access", "request", amber_ref, "--reason", "same name as our suspect")
    request_id = sent.split()[1]
    assert "awaiting" in cli("--as", "bob", "access", "request", amber_ref, "--reason", "again", code=6)
    assert any(alert["kind"] == "access.request" for alert in alerts_of(cli, "alice"))
    pending = [
        json.loads(line)
        for line in cli("--as", "alice", "access", "list", "--status", "pending", "--json").splitlines()
    ]
    assert [(item["request"], item["entity_id"]) for item in pending] == [(request_id, "amber1")]
    mine = json.loads(cli("--as", "bob", "access", "list", "--json"))
    assert (mine["reference"], mine["dataset"], mine["entity_id"]) == (amber_ref, None, None)
    # Who may not decide: the requester (who reads the request: refused, not told it is absent),
    # the owner's first responder.
    assert "only NCB-FR decides" in cli("--as", "bob", "access", "grant", request_id, code=5)
    cli("--as", "carol", "access", "grant", request_id, code=4)  # not hers, nor her agency's: as absent
    cli("--as", "fiona", "access", "grant", request_id, code=5)
    cli("--as", "bob", "show", "amber1", code=4)

    granted = cli("--as", "alice", "access", "grant", request_id, "--note", "AMBER, do not pass on")
    assert "agency:NCB-ES" in granted
    assert "Person amber1" in cli("--as", "bob", "show", "amber1")
    assert "granted" in cli("--as", "alice", "access", "grant", request_id, code=6)
    assert any(alert["kind"] == "access.granted" for alert in alerts_of(cli, "bob"))
    # The owner's next import replaces the envelope; the grant is given back.
    import_one(cli, tmp_path, "amber1", "AMBER")
    assert "Person amber1" in cli("--as", "bob", "show", "amber1")

    # RED admits named users only, so a grant names bob, not his agency.
    red_request = cli("--as", "bob", "access", "request", red_ref, "--reason", "linked case").split()[1]
    assert "user:bob" in cli("--as", "alice", "access", "grant", red_request)
    cli("--as", "carol", "show", "red1", code=4)
    assert "Person red1" in cli("--as", "bob", "show", "red1")

    # A refusal leaves the record closed and tells the requester.
    import_one(cli, tmp_path, "amber2", "AMBER")
    # bob's grant named NCB-ES, so carol now reads amber1 in full.
    assert "Person amber1" in cli("--as", "carol", "show", "amber1")
    refused_ref = json.loads(
        cli("--as", "carol", "screen", str(write_csv(tmp_path, "Person amber2")), "--format", "json")
    )[0]["references"][0]["reference"]
    refused_id = cli("--as", "carol", "access", "request", refused_ref, "--reason", "check").split()[1]
    cli("--as", "alice", "access", "refuse", refused_id, "--note", "ongoing operation")
    cli("--as", "carol", "show", "amber2", code=4)
    assert any(alert["kind"] == "access.refused" for alert in alerts_of(cli, "carol"))

    trail = [json.loads(line) for line in cli("audit", "export").splitlines() if line]
    actions = [(event["actor"], event["action"]) for event in trail]
    for expected in (("bob", "access.request"), ("alice", "access.grant"), ("alice", "access.refuse")):
        assert expected in actions
    grant = next(event for event in trail if event["action"] == "access.grant")
    assert grant["detail"]["release_entry"] == "agency:NCB-ES" and grant["object"] == "ds-amber1/amber1"
    assert "chain intact" in cli("audit", "verify")


def write_csv(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "one.csv"
    path.write_text(f"name\n{name}\n")
    return path


def test_the_operator_gets_matches_not_references(cli: Cli, tmp_path: Path) -> None:
    import_one(cli, tmp_path, "amber1", "AMBER")
    rows = json.loads(cli("screen", str(write_csv(tmp_path, "Person amber1")), "--format", "json"))
    assert rows[0]["references"] == [] and [match["entity_id"] for match in rows[0]["matches"]] == ["amber1"]
