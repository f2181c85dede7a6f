"""Messages end to end on both backends: threads, priorities and alerts, RED messages, receipts.

Strategy: NCB-FR writes to NCB-ES while NCB-IT stays outside; each check reads the thread as a
different user and asserts exactly who sees which message, who is alerted, and who read what.
"""

from __future__ import annotations

import json

import pytest

from tests.test_access_cli import two_agencies
from tests.test_cli import Cli


@pytest.fixture
def cli(database_url: str) -> Cli:
    runner = two_agencies(database_url)
    runner("agency", "add", "NCB-IT", "--name", "NCB Rome", "--country", "IT", "--kind", "ncb")
    runner("user", "add", "carla", "--agency", "NCB-IT", "--role", "analyst")
    runner("user", "add", "bea", "--agency", "NCB-ES", "--role", "officer")
    return runner


def read(cli: Cli, user: str, thread: str) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for line in cli("--as", user, "message", "read", thread, "--json").splitlines()
        if line
    ]


def alert_kinds(cli: Cli, user: str) -> list[str]:
    lines = cli("--as", user, "alerts", "list", "--json").splitlines()
    return [json.loads(line)["kind"] for line in lines if line]


def test_threads_priorities_red_messages_and_receipts(cli: Cli) -> None:
    urgent = ("--priority", "urgent", "--body", "Arriving Algeciras 04:00", "--ref", "imo-9123456")
    sent = cli("--as", "alice", "message", "send", "--to", "NCB-ES", "--subject", "Vessel Aurora", *urgent)
    thread = sent.split()[1]
    assert "NCB-ES, NCB-FR" in sent
    assert alert_kinds(cli, "bob") == ["message.urgent"] and alert_kinds(cli, "ada") == []
    [first] = read(cli, "bob", thread)
    assert (first["body"], first["priority"], first["entity_refs"]) == (
        "Arriving Algeciras 04:00",
        "urgent",
        ["imo-9123456"],
    )
    cli("--as", "carla", "message", "read", thread, code=4)  # NCB-IT is not in the thread

    # A RED flash reply reaches only its sender and the user it names; only she is alerted.
    red = ("--priority", "flash", "--handling", "RED", "--to-user", "alice", "--reply-to", str(first["id"]))
    reply = cli(
        "--as", "bob", "message", "reply", thread, "--body", "Informant says two victims aboard", *red
    )
    red_id = reply.split()[1]
    assert [m["id"] for m in read(cli, "alice", thread)] == [first["id"], red_id]
    assert [m["id"] for m in read(cli, "ada", thread)] == [first["id"]]
    assert [m["id"] for m in read(cli, "bea", thread)] == [first["id"]]
    assert alert_kinds(cli, "alice") == ["message.flash"] and alert_kinds(cli, "ada") == []
    receipts = cli("--as", "alice", "message", "receipts", thread, first["id"])
    assert [line.split()[0] for line in receipts.splitlines()] == ["alice", "bob", "ada", "bea"]
    cli("--as", "ada", "message", "receipts", thread, red_id, code=4)

    trail = [json.loads(line) for line in cli("audit", "export").splitlines() if line]
    sends = [(e["actor"], e["detail"]["priority"]) for e in trail if e["action"] == "message.send"]
    assert sends == [("alice", "urgent"), ("bob", "flash")]


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("--to", "NCB-ES", "--priority", "whenever"), 3, "priority"),
        (("--to", "NCB-ES", "--handling", "RED"), 3, "to_users"),
        (("--to", "NCB-ES", "--handling", "RED", "--to-user", "carla"), 3, "carla"),
        (("--to", "NCB-XX"), 3, "NCB-XX"),
        (("--to", "NCB-FR"), 3, "other agency"),
        (("--to", "NCB-ES", "--handling", "PURPLE"), 3, "handling"),
    ],
)
def test_bad_messages_are_refused_and_send_nothing(
    cli: Cli, args: tuple[str, ...], code: int, says: str
) -> None:
    refused = cli("--as", "alice", "message", "send", "--subject", "s", "--body", "b", *args, code=code)
    assert says in refused
    assert "0 threads" in cli("--as", "alice", "message", "list")
    assert "between member agencies" in cli(
        "message", "send", "--to", "NCB-ES", "--subject", "s", "--body", "b", code=5
    )
