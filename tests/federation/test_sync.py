"""Two nodes on loopback: a record crosses, a narrowed one is withdrawn, and forged, replayed or
misdirected requests are refused on both sides.

Strategy: node Paris (NCB-FR) runs `liaison serve` on its own store (each backend) and node
Madrid (NCB-ES, BP-ES) pulls from it with its CLI, each with its own secret and each holding the
other's descriptor. Records under every code are imported at Paris; what Madrid then holds must be
exactly what Paris released to Madrid's agencies, with releasability narrowed to those of them
it names, read on Madrid by the users the copy's envelope admits. Faults use raw signed requests.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from liaison.access.node_keys import NodeKey
from liaison.access.node_requests import NONCE, SIGNATURE, check_response, sign_request
from liaison.access.sealing import read_key
from liaison.errors import Unauthenticated
from tests.api.test_index_following import LIAISON, _free_port, _ready, _until
from tests.federation.test_peers_cli import SECRET_A, SECRET_B, Node, import_person

RECORDS = {
    # name: (handling, releasability, sent to Madrid, NCB-ES reads the copy, BP-ES reads it)
    "clear": ("CLEAR", None, True, True, True),
    "amber-es": ("AMBER", "agency:NCB-ES", True, True, False),
    "amber-country": ("AMBER", "country:es", True, True, True),
    "amber-it": ("AMBER", "country:it", False, False, False),
    "strict-bp": ("AMBER+STRICT", "agency:BP-ES", True, False, True),
    "red-es": ("RED", "agency:NCB-ES", False, False, False),
}


@dataclass
class Nodes:
    paris: Node
    madrid: Node
    url: str
    folder: Path


@pytest.fixture
def nodes(database_url: str, tmp_path: Path) -> Iterator[Nodes]:
    port = _free_port()
    paris = Node(database_url, "ncb-paris", port, SECRET_A)
    madrid = Node(f"sqlite:///{tmp_path / 'madrid.db'}", "ncb-madrid", _free_port(), SECRET_B)
    for node, agencies in (
        (paris, [("NCB-FR", "FR", "ncb")]),
        (madrid, [("NCB-ES", "ES", "ncb"), ("BP-ES", "ES", "border")]),
    ):
        node("init")
        for code, country, kind in agencies:
            node("agency", "add", code, "--name", f"{code} office", "--country", country, "--kind", kind)
    madrid("user", "add", "nuria", "--agency", "NCB-ES", "--role", "analyst")
    madrid("user", "add", "bea", "--agency", "BP-ES", "--role", "officer")
    paris("peer", "add", str(madrid.descriptor(tmp_path)))
    madrid("peer", "add", str(paris.descriptor(tmp_path)))
    for name, (handling, release, *_reads) in RECORDS.items():
        import_person(paris, tmp_path, name, handling, release)
    log = (tmp_path / "paris.log").open("wb")
    server = subprocess.Popen(
        [LIAISON, "serve", "--port", str(port)],
        env={**os.environ, **paris.env},
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _until(partial(_ready, url), 90, f"{url} never became ready")
        yield Nodes(paris, madrid, url, tmp_path)
    finally:
        server.terminate()
        server.wait(timeout=20)


def _held(node: Node) -> dict[str, tuple[str, str, list[str]]]:
    """What a node's store holds: id → (owner, handling, releasability)."""
    engine = create_engine(node.env["LIAISON_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, owner_agency, handling, releasability FROM entity"))
            return {
                row.id: (
                    row.owner_agency,
                    row.handling,
                    json.loads(row.releasability)
                    if isinstance(row.releasability, str)
                    else row.releasability,
                )
                for row in rows
            }
    finally:
        engine.dispose()


def _actions(node: Node, prefix: str) -> list[tuple[str, str, dict[str, object]]]:
    engine = create_engine(node.env["LIAISON_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT action, actor, detail FROM audit_event WHERE action LIKE :prefix ORDER BY seq"),
                {"prefix": f"{prefix}%"},
            )
            return [
                (row.action, row.actor, json.loads(row.detail) if isinstance(row.detail, str) else row.detail)
                for row in rows
            ]
    finally:
        engine.dispose()


def test_a_record_crosses_under_its_owner_s_rules_and_is_withdrawn_when_they_narrow(nodes: Nodes) -> None:
    paris, madrid = nodes.paris, nodes.madrid
    # A watch on Madrid fires on what arrives from Paris, once.
    madrid("--as", "nuria", "watch", "add", "--name", "Person amber es")
    assert "ncb-paris: 4 records received, 0 withdrawn" in madrid("sync", "ncb-paris")
    held = _held(madrid)
    assert set(held) == {f"fr-{name}" for name, (_h, _r, sent, *_x) in RECORDS.items() if sent}
    # The copy keeps its owner and code, released only to those of Madrid's agencies Paris admitted.
    assert held["fr-amber-es"] == ("NCB-FR", "AMBER", ["agency:NCB-ES"])
    assert held["fr-amber-country"] == ("NCB-FR", "AMBER", ["agency:BP-ES", "agency:NCB-ES"])
    assert held["fr-strict-bp"] == ("NCB-FR", "AMBER+STRICT", ["agency:BP-ES"])
    assert held["fr-clear"] == ("NCB-FR", "CLEAR", [])
    for name, (_h, _r, sent, nuria, bea) in RECORDS.items():
        if sent:
            for user, reads in (("nuria", nuria), ("bea", bea)):
                shown = madrid.run("--as", user, "show", f"fr-{name}", code=0 if reads else 4)
                assert (f"Person {name}" in shown.stdout) is reads, (user, name)
    # Both sides audited it: Paris what went and why, Madrid what it applied.
    [(_action, actor, sent_detail)] = _actions(paris, "sync.send")
    assert actor == "node:ncb-madrid" and sent_detail["records"] == 4
    assert sent_detail["why"] == {
        "CLEAR: anyone may read it": 1,
        "AMBER, released to agency:NCB-ES": 1,
        "AMBER, released to country:es": 1,
        "AMBER+STRICT, released to agency:BP-ES": 1,
    }
    assert _actions(madrid, "sync.pull")[-1][2] == {"received": 4, "writes": 4, "withdrawn": 0}
    # Pulled again unchanged, nothing is written again, and the watch does not fire again.
    assert "ncb-paris: 4 records received, 0 withdrawn" in madrid("sync", "ncb-paris")
    assert _actions(madrid, "sync.pull")[-1][2] == {"received": 4, "writes": 0, "withdrawn": 0}
    alerts = [json.loads(line) for line in madrid("--as", "nuria", "alerts", "list", "--json").splitlines()]
    hits = [alert for alert in alerts if alert["kind"] == "watch.hit"]
    assert [hit["detail"]["entity_id"] for hit in hits] == ["fr-amber-es"], alerts

    # The owner narrows one record and widens another: the next pull follows, and is whole again.
    import_person(paris, nodes.folder, "amber-es", "AMBER", None)
    import_person(paris, nodes.folder, "amber-it", "AMBER", "agency:NCB-ES")
    assert "ncb-paris: 4 records received, 1 withdrawn" in madrid("sync")
    assert "fr-amber-es" not in _held(madrid) and _held(madrid)["fr-amber-it"][2] == ["agency:NCB-ES"]
    status = json.loads(madrid("sync", "status", "--json"))
    assert status[0]["peer"] == "ncb-paris" and status[0]["received"] == 4 and status[0]["withdrawn"] == 1
    assert status[0]["error"] is None
    # A copy is read-only where it is held: its owner's node is its only writer.
    refused = madrid(
        "import",
        "ftm",
        str(nodes.folder / "clear.json"),
        "--dataset",
        "ncb_fr_clear",
        "--agency",
        "NCB-FR",
        code=6,
    )
    assert "hosted by the peer node 'ncb-paris'" in refused


def _secret_key(secret: str) -> NodeKey:
    return NodeKey.of(read_key(secret, "test"))


def test_forged_replayed_and_unknown_requests_are_refused_and_a_failed_pull_changes_nothing(
    nodes: Nodes,
) -> None:
    paris_key = json.loads(nodes.paris("node", "show"))["public_key"]
    target = "/federation/v1/records?after_dataset=&after_id="
    now = dt.datetime.now(dt.UTC)

    def ask(headers: dict[str, str]) -> httpx.Response:
        response = httpx.get(nodes.url + target, headers=headers, timeout=30)
        # Refusals are signed too, so the asker knows they are Paris's.
        check_response(
            paris_key,
            "ncb-paris",
            headers.get(NONCE, ""),
            response.status_code,
            response.content,
            response.headers.get(SIGNATURE),
        )
        return response

    madrid_key = _secret_key(SECRET_B)
    good = sign_request(madrid_key, "ncb-madrid", "GET", target, b"", now, to="ncb-paris")
    assert ask(good).status_code == 200
    replayed = ask(good)
    assert replayed.status_code == 401 and "replay" in replayed.json()["detail"]
    forged = sign_request(
        _secret_key(base64.b64encode(b"z" * 32).decode()),
        "ncb-madrid",
        "GET",
        target,
        b"",
        now,
        to="ncb-paris",
    )
    assert "is not ncb-madrid's" in ask(forged).json()["detail"]
    stale = sign_request(
        madrid_key, "ncb-madrid", "GET", target, b"", now - dt.timedelta(minutes=6), to="ncb-paris"
    )
    assert "minutes from this node's clock" in ask(stale).json()["detail"]
    other_path = sign_request(madrid_key, "ncb-madrid", "GET", target + "x", b"", now, to="ncb-paris")
    assert ask(other_path).status_code == 401
    stranger = sign_request(
        _secret_key(base64.b64encode(b"s" * 32).decode()), "ncb-rome", "GET", target, b"", now, to="ncb-paris"
    )
    assert "no peer 'ncb-rome' here" in ask(stranger).json()["detail"]
    unsigned = httpx.get(nodes.url + target, timeout=30)
    assert unsigned.status_code == 401 and "Liaison-Node" in unsigned.json()["detail"]
    refused = [detail["reason"] for _a, _actor, detail in _actions(nodes.paris, "sync.refused")]
    assert len(refused) == 6 and any("replay" in reason for reason in refused)

    # Paris forgets Madrid: Madrid's pull is refused, said so in its status, and changes nothing.
    nodes.madrid("sync", "ncb-paris")
    before = _held(nodes.madrid)
    nodes.paris("peer", "remove", "ncb-madrid")
    failed = nodes.madrid("sync", "ncb-paris", code=7)
    assert "refused the pull" in failed and "no peer 'ncb-madrid' here" in failed.replace("\n", " ")
    assert _held(nodes.madrid) == before
    every = nodes.madrid.run("sync", code=7)
    assert "error: ncb-paris:" in every.stderr and "1 of 1 peers could not be pulled" in every.stderr
    [status] = json.loads(nodes.madrid("sync", "status", "--json"))
    assert "no peer 'ncb-madrid' here" in status["error"]

    # An answer not signed by the key Madrid holds for Paris is not believed.
    impostor = json.loads(nodes.paris("node", "show"))
    impostor["public_key"] = _secret_key(base64.b64encode(b"i" * 32).decode()).public_key
    impostor.pop("fingerprint")
    assert "with the 4 copies held from it" in nodes.madrid("peer", "remove", "ncb-paris")
    assert _held(nodes.madrid) == {}
    (nodes.folder / "impostor.json").write_text(json.dumps(impostor))
    nodes.madrid("peer", "add", str(nodes.folder / "impostor.json"))
    assert "not signed by ncb-paris's key" in nodes.madrid("sync", "ncb-paris", code=5).replace("\n", " ")
    with pytest.raises(Unauthenticated):
        check_response(impostor["public_key"], "ncb-paris", "n", 200, b"{}", None)
