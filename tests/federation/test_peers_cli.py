"""Peering two nodes from the CLI, end to end: each node's descriptor, its checks, and what a peer
would receive, on both backends (the second node is an SQLite store beside the first).

Strategy: node A (NCB-FR) and node B (NCB-ES and BP-ES) are initialised with their own stores and
secrets; B's `node show` is added on A; records under every handling code are imported on A and
`sync preview` must list exactly those released to B's agencies, RED never. Bad descriptors, a
second claim on an agency, a member instead of the operator: each refused naming what is wrong,
changing nothing.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.test_cli import Cli

SECRET_A = base64.b64encode(b"a" * 32).decode()
SECRET_B = base64.b64encode(b"b" * 32).decode()


class Node(Cli):
    """A node's CLI: its store, name, URL and secret."""

    def __init__(self, database_url: str, name: str, port: int, secret: str) -> None:
        super().__init__(database_url)
        self.env |= {
            "LIAISON_NODE_NAME": name,
            "LIAISON_NODE_URL": f"http://127.0.0.1:{port}/",
            "LIAISON_SECRET_KEY": secret,
        }

    def descriptor(self, folder: Path) -> Path:
        path = folder / f"{self.env['LIAISON_NODE_NAME']}.json"
        path.write_text(self("node", "show"))
        return path


def import_person(node: Node, folder: Path, name: str, handling: str, release: str | None) -> None:
    """Import at `node` the person `fr-NAME` of NCB-FR into `ncb_fr_NAME` under this envelope."""
    source = folder / f"{name}.json"
    source.write_text(
        json.dumps({"id": f"fr-{name}", "schema": "Person", "properties": {"name": [f"Person {name}"]}})
    )
    envelope = ["--agency", "NCB-FR", "--handling", handling, *(["--release", release] if release else [])]
    node("import", "ftm", str(source), "--dataset", "ncb_fr_" + name.replace("-", "_"), *envelope)


@pytest.fixture
def nodes(database_url: str, tmp_path: Path) -> tuple[Node, Node]:
    paris = Node(database_url, "ncb-paris", 8101, SECRET_A)
    madrid = Node(f"sqlite:///{tmp_path / 'madrid.db'}", "ncb-madrid", 8102, SECRET_B)
    for node, agencies in (
        (paris, [("NCB-FR", "FR", "ncb")]),
        (madrid, [("NCB-ES", "ES", "ncb"), ("BP-ES", "ES", "border")]),
    ):
        node("init")
        for code, country, kind in agencies:
            node("agency", "add", code, "--name", f"{code} office", "--country", country, "--kind", kind)
    return paris, madrid


def audited(database_url: str, action: str) -> list[dict[str, Any]]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT actor, subject, detail FROM audit_event WHERE action = :action ORDER BY seq"),
                {"action": action},
            )
            return [
                {
                    "actor": actor,
                    "subject": subject,
                    "detail": json.loads(detail) if isinstance(detail, str) else detail,
                }
                for actor, subject, detail in rows
            ]
    finally:
        engine.dispose()


def test_a_node_describes_itself_with_the_agencies_it_hosts_and_a_key_its_secret_fixes(
    nodes: tuple[Node, Node],
) -> None:
    _paris, madrid = nodes
    described = json.loads(madrid("node", "show"))
    assert described["name"] == "ncb-madrid" and described["url"] == "http://127.0.0.1:8102"
    assert [agency["code"] for agency in described["agencies"]] == ["BP-ES", "NCB-ES"]
    assert len(base64.b64decode(described["public_key"])) == 32
    assert described["fingerprint"].startswith("SHA256:")
    # The key is the secret's: the same secret gives the same key, another secret another.
    assert json.loads(madrid("node", "show"))["public_key"] == described["public_key"]
    other = Node(madrid.env["LIAISON_DATABASE_URL"], "ncb-madrid", 8102, SECRET_A)
    assert json.loads(other("node", "show"))["public_key"] != described["public_key"]


def test_a_peer_added_receives_exactly_what_was_released_to_its_agencies(
    nodes: tuple[Node, Node], tmp_path: Path, database_url: str
) -> None:
    paris, madrid = nodes
    added = paris("peer", "add", str(madrid.descriptor(tmp_path)))
    fingerprint = json.loads(madrid("node", "show"))["fingerprint"]
    assert "peer ncb-madrid added: http://127.0.0.1:8102, hosting BP-ES, NCB-ES" in added
    assert fingerprint in added.replace("\n", "")
    [listed] = json.loads(paris("peer", "list", "--json"))
    assert listed["name"] == "ncb-madrid" and listed["fingerprint"] == fingerprint
    assert [agency["code"] for agency in listed["agencies"]] == ["BP-ES", "NCB-ES"]
    assert listed["added_by"] == "operator" and "ncb-madrid" in paris("peer", "list")

    paris("group", "add", "iberia")
    paris("group", "join", "iberia", "BP-ES")
    paris("user", "add", "amelie", "--agency", "NCB-FR", "--role", "analyst")
    released = {
        "clear": ("CLEAR", None, True),
        "green": ("GREEN", None, True),
        "amber-es": ("AMBER", "agency:NCB-ES", True),
        "amber-country": ("AMBER", "country:es", True),
        "amber-group": ("AMBER", "group:iberia", True),
        "amber-other": ("AMBER", "country:it", False),
        "strict-es": ("AMBER+STRICT", "agency:BP-ES", True),
        "strict-country": ("AMBER+STRICT", "country:es", False),
        "red-es": ("RED", "agency:NCB-ES", False),
        "amber-user": ("AMBER", "user:amelie", False),
        "red-user": ("RED", "user:amelie", False),
    }
    for name, (handling, release, _sent) in released.items():
        import_person(paris, tmp_path, name, handling, release)

    preview = json.loads(paris("sync", "preview", "ncb-madrid", "--ids", "--json"))
    expected = {f"fr-{name}" for name, (_h, _r, sent) in released.items() if sent}
    assert {item["id"] for item in preview["ids"]} == expected
    assert preview["records"] == len(expected) and preview["agencies"] == ["BP-ES", "NCB-ES"]
    assert {(c["dataset"], c["handling"]) for c in preview["counts"]} == {
        ("ncb_fr_" + name.replace("-", "_"), handling)
        for name, (handling, _r, sent) in released.items()
        if sent
    }
    assert f"would receive {len(expected)} records" in paris("sync", "preview", "ncb-madrid")
    [event] = audited(database_url, "sync.preview")[-1:]
    assert event["actor"] == "operator" and event["subject"] == "peer:ncb-madrid"

    # Taking BP-ES out of the group narrows what goes; removing the peer forgets its agencies.
    paris("group", "leave", "iberia", "BP-ES")
    narrowed = json.loads(paris("sync", "preview", "ncb-madrid", "--ids", "--json"))
    assert {item["id"] for item in narrowed["ids"]} == expected - {"fr-amber-group"}
    paris("peer", "remove", "ncb-madrid")
    assert "ncb-madrid" not in paris("peer", "list")
    assert "no peer 'ncb-madrid'" in paris("sync", "preview", "ncb-madrid", code=4)
    assert [event["subject"] for event in audited(database_url, "peer.add")] == ["peer:ncb-madrid"]
    assert [event["subject"] for event in audited(database_url, "peer.remove")] == ["peer:ncb-madrid"]


def _descriptor(madrid: Node, **changed: Any) -> dict[str, Any]:
    described: dict[str, Any] = json.loads(madrid("node", "show"))
    described.update(changed)
    return described


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"liaison_node": 2}, "field 'liaison_node': 2; this Liaison reads version 1"),
        ({"name": "NCB Madrid"}, "field 'name': 'NCB Madrid'"),
        ({"url": "ftp://madrid"}, "field 'url': 'ftp://madrid'"),
        ({"public_key": "c2hvcnQ="}, "field 'public_key': not a raw Ed25519 public key"),
        ({"fingerprint": "SHA256:forged"}, "field 'fingerprint': 'SHA256:forged' is not the fingerprint"),
        ({"agencies": {"code": "NCB-ES"}}, "field 'agencies': a list"),
        (
            {"agencies": [{"code": "ncb es", "name": "x", "country": "ES", "kind": "ncb"}]},
            "field 'agencies[0].code'",
        ),
        (
            {"agencies": [{"code": "NCB-ES", "name": "x", "country": "ESP", "kind": "ncb"}]},
            "field 'agencies[0].country'",
        ),
        (
            {"agencies": [{"code": "NCB-ES", "name": "x", "country": "ES", "kind": "spies"}]},
            "field 'agencies[0].kind'",
        ),
    ],
)
def test_a_bad_descriptor_is_refused_naming_the_file_and_field_and_adds_nothing(
    nodes: tuple[Node, Node], tmp_path: Path, change: dict[str, Any], says: str
) -> None:
    paris, madrid = nodes
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_descriptor(madrid, **change)))
    refused = paris("peer", "add", str(path), code=3)
    assert str(path) in refused.replace("\n", "") and says in refused.replace("\n", ""), refused
    assert "ncb-madrid" not in paris("peer", "list")


def test_a_descriptor_that_is_not_json_or_too_large_is_refused(
    nodes: tuple[Node, Node], tmp_path: Path
) -> None:
    paris, _madrid = nodes
    path = tmp_path / "cut.json"
    path.write_text('{"liaison_node": 1,\n "name": "x"')
    assert "line 2" in paris("peer", "add", str(path), code=3)
    path.write_bytes(b" " * 1_000_001)
    assert "larger than 1,000,000 bytes" in paris("peer", "add", str(path), code=3)
    assert "cannot read the descriptor" in paris("peer", "add", str(tmp_path / "absent.json"), code=3)


def test_who_hosts_an_agency_is_decided_once_and_only_the_operator_peers(
    nodes: tuple[Node, Node], tmp_path: Path
) -> None:
    paris, madrid = nodes
    own = paris.descriptor(tmp_path)
    assert "is this node's own" in paris("peer", "add", str(own), code=3)
    claims_fr = tmp_path / "claims-fr.json"
    claimed = _descriptor(madrid, agencies=[{"code": "NCB-FR", "name": "x", "country": "FR", "kind": "ncb"}])
    claims_fr.write_text(json.dumps(claimed))
    assert "agency NCB-FR is hosted by this node" in paris("peer", "add", str(claims_fr), code=6)

    paris("peer", "add", str(madrid.descriptor(tmp_path)))
    # The peer's agencies are changed on the peer, and have no users here.
    assert "hosted by the peer node 'ncb-madrid'" in paris(
        "agency", "add", "NCB-ES", "--name", "x", "--country", "ES", "--kind", "ncb", code=6
    )
    assert "hosted by the peer node 'ncb-madrid'" in paris(
        "user", "add", "pedro", "--agency", "NCB-ES", "--role", "analyst", code=6
    )
    # Another node claiming one of them, or the same name with another key, is refused.
    lisbon = Node(
        f"sqlite:///{tmp_path / 'lisbon.db'}", "ncb-lisbon", 8103, base64.b64encode(b"c" * 32).decode()
    )
    lisbon("init")
    lisbon("agency", "add", "BP-ES", "--name", "x", "--country", "ES", "--kind", "border")
    assert "agency BP-ES is hosted by the peer 'ncb-madrid'" in paris(
        "peer", "add", str(lisbon.descriptor(tmp_path)), code=6
    )
    impostor = tmp_path / "impostor.json"
    impostor.write_text(json.dumps(_descriptor(lisbon, name="ncb-madrid", agencies=[])))
    assert "is known with another key" in paris("peer", "add", str(impostor), code=6).replace("\n", " ")

    # A re-added descriptor updates the hosted agencies; one no longer listed goes with its groups.
    madrid("agency", "add", "FIU-ES", "--name", "SEPBLAC", "--country", "ES", "--kind", "fiu")
    paris("peer", "add", str(madrid.descriptor(tmp_path)))
    [listed] = json.loads(paris("peer", "list", "--json"))
    assert [agency["code"] for agency in listed["agencies"]] == ["BP-ES", "FIU-ES", "NCB-ES"]
    paris("group", "add", "fiu-net")
    paris("group", "join", "fiu-net", "FIU-ES")
    shrunk = tmp_path / "shrunk.json"
    described = _descriptor(madrid)
    shrunk.write_text(json.dumps({**described, "agencies": described["agencies"][:1]}))
    paris("peer", "add", str(shrunk))
    [listed] = json.loads(paris("peer", "list", "--json"))
    assert [agency["code"] for agency in listed["agencies"]] == ["BP-ES"]
    assert "FIU-ES" not in paris("group", "list")

    # Only the operator peers: an admin of a hosted agency is refused with the decision's reason.
    paris("user", "add", "ada", "--agency", "NCB-FR", "--role", "admin")
    for command in (("peer", "list"), ("peer", "remove", "ncb-madrid"), ("sync", "preview", "ncb-madrid")):
        assert "only the operator keeps this node's peers" in paris("--as", "ada", *command, code=5)
    assert "ncb-madrid" in paris("peer", "list")
