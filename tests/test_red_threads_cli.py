"""RED threads from the CLI on both backends: `message send --handling RED` names its users with
--to-user (refused, exit 3, without one); the other users of the thread's agencies neither list
it nor read it (exit 4, as for a thread that is not there)."""

from __future__ import annotations

from tests.test_cli import Cli
from tests.test_messages_cli import cli  # noqa: F401 (fixture)

SUBJECT = "Informant inside the Zirka agency"


SEND = ("--as", "alice", "message", "send", "--to", "NCB-ES", "--subject", SUBJECT, "--body", "Friday.")


def test_a_red_thread_is_listed_and_read_by_its_named_users_alone(cli: Cli) -> None:  # noqa: F811
    thread = cli(*SEND, "--handling", "RED", "--to-user", "bob").split()[1]
    for outsider in ("bea", "ada"):  # of NCB-ES and of NCB-FR, not named
        assert "0 threads" in cli("--as", outsider, "message", "list"), outsider
        assert "no thread" in cli("--as", outsider, "message", "read", thread, code=4)
        cli("--as", outsider, "message", "reply", thread, "--body", "?", code=4)
    assert "1 threads" in cli("--as", "bob", "message", "list")
    read = cli("--as", "bob", "message", "read", thread)
    assert SUBJECT in read and "TLP:RED, for alice, bob only" in read


def test_a_red_thread_naming_no_one_is_refused(cli: Cli) -> None:  # noqa: F811
    assert "a RED thread names the users it is for" in cli(*SEND, "--handling", "RED", code=3)
    assert "0 threads" in cli("--as", "alice", "message", "list")
