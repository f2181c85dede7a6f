"""Xref and review end to end on both backends: pairs queued, decisions kept, clusters stable.

Strategy: a small agency file of near-duplicates (`PEOPLE`) written into tmp_path shows the
review cycle; the real UN list against the real UK list shows links at scale, checked on a
subject the UK list cross-references by its UN number.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.test_cli import Cli

PEOPLE: dict[str, tuple[str, dict[str, list[str]]]] = {
    "p1": ("Person", {"name": ["Олександр Петренко"], "birthDate": ["1984-03-12"], "nationality": ["ua"]}),
    "p2": ("Person", {"name": ["Oleksandr Petrenko"], "birthDate": ["1984-03-12"]}),
    "p5": ("Person", {"name": ["Oleksandr Petrenko"], "birthDate": ["1984"]}),
    "p3": ("Person", {"name": ["Владимир Иванов"], "birthDate": ["1970"]}),
    "p4": ("Person", {"name": ["Vladimir Ivanov"], "birthDate": ["1970-05-01"]}),
    "p6": ("Person", {"name": ["Maria Garcia"], "birthDate": ["1991"]}),
    "c1": ("Company", {"name": ["ООО Ромашка"]}),
    "c2": ("Company", {"name": ["Romashka LLC"]}),
}


@pytest.fixture
def cli(database_url: str) -> Cli:
    runner_cli = Cli(database_url)
    runner_cli("init")
    runner_cli("agency", "add", "NCB-UA", "--name", "NCB Kyiv", "--country", "UA", "--kind", "ncb")
    return runner_cli


def write_people(path: Path, people: dict[str, tuple[str, dict[str, list[str]]]]) -> Path:
    lines = [
        json.dumps({"id": key, "schema": schema, "properties": props})
        for key, (schema, props) in people.items()
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def import_people(cli: Cli, tmp_path: Path, changes: dict[str, tuple[str, dict[str, list[str]]]]) -> None:
    """Import PEOPLE into dataset `agency`, with some entities changed."""
    source = write_people(tmp_path / "people.ftm.json", {**PEOPLE, **changes})
    cli("import", "ftm", str(source), "--dataset", "agency", "--agency", "NCB-UA")


def queue(cli: Cli, status: str = "pending") -> dict[frozenset[str], dict[str, Any]]:
    """The listed pairs by their two entity ids."""
    lines = cli("review", "list", "--status", status, "--limit", "10000", "--json").splitlines()
    pairs = [json.loads(line) for line in lines]
    return {frozenset({p["left"]["entity_id"], p["right"]["entity_id"]}): p for p in pairs}


def counts(output: str) -> dict[str, int]:
    """The counts `liaison xref` prints, by their label."""
    text = " ".join(output.split())  # the console wraps long lines
    labels = ("new", "still pending", "decided and kept", "re-raised", "withdrawn")
    return {label: int(re.search(rf"([\d,]+) {label}", text)[1].replace(",", "")) for label in labels}  # type: ignore[index]


def test_review_cycle_keeps_decisions_and_clusters(cli: Cli, tmp_path: Path) -> None:
    import_people(cli, tmp_path, {})
    assert counts(cli("xref", "agency"))["new"] >= 4
    pending = queue(cli)
    petrenko, ivanov, triple = frozenset({"p1", "p2"}), frozenset({"p3", "p4"}), frozenset({"p1", "p5"})
    assert {petrenko, ivanov, triple, frozenset({"c1", "c2"})} <= set(pending)
    assert all("p6" not in pair for pair in pending)
    table = cli("review", "list")
    assert pending[petrenko]["pair_id"] in table and "Petrenko" in table

    cli("review", "confirm", pending[petrenko]["pair_id"], "--by", "analyst-1")
    trail = [json.loads(line) for line in cli("audit", "export").splitlines()]
    decided = [e for e in trail if e["action"] == "decision.confirmed"]
    assert [(e["object"], e["detail"]["by"]) for e in decided] == [
        (f"pair:{pending[petrenko]['pair_id']}", "analyst-1")
    ]
    cli("review", "dismiss", pending[ivanov]["pair_id"], "--by", "analyst-2")
    cli("review", "dismiss", pending[triple]["pair_id"])
    # p5 would join p1 through p2, but p1 and p5 were kept apart.
    refused = cli("review", "confirm", pending[frozenset({"p2", "p5"})]["pair_id"], code=6)
    assert pending[triple]["pair_id"] in refused
    (cluster,) = [json.loads(line) for line in cli("clusters", "--dataset", "agency", "--json").splitlines()]
    assert {m["entity_id"] for m in cluster["members"]} == {"p1", "p2"}

    again = counts(cli("xref", "agency"))
    assert again["new"] == 0 and again["decided and kept"] == 3 and again["re-raised"] == 0
    assert ivanov not in queue(cli) and petrenko not in queue(cli)
    assert queue(cli, "confirmed")[petrenko]["decided_by"] == "analyst-1"
    assert queue(cli, "dismissed")[ivanov]["decided_by"] == "analyst-2"

    # Ivanov's record gains a passport: the dismissed pair is raised again, the others are kept.
    import_people(cli, tmp_path, {"p4": ("Person", {**PEOPLE["p4"][1], "passportNumber": ["FA123456"]})})
    third = counts(cli("xref", "agency"))
    assert third["re-raised"] == 1 and third["decided and kept"] == 2
    assert queue(cli)[ivanov]["reraised"] and triple not in queue(cli)
    # Renamed, p4 no longer matches p3: the re-raised pair returns to its dismissal, not away.
    import_people(cli, tmp_path, {"p4": ("Person", {"name": ["Viktor Kuznetsov"], "birthDate": ["1962"]})})
    assert counts(cli("xref", "agency"))["withdrawn"] == 1
    assert queue(cli, "dismissed")[ivanov]["decided_by"] == "analyst-2" and ivanov not in queue(cli)

    cli("review", "confirm", pending[frozenset({"c1", "c2"})]["pair_id"])
    clusters = [json.loads(line) for line in cli("clusters", "--dataset", "agency", "--json").splitlines()]
    assert len(clusters) == 2 and cluster in clusters
    assert cluster["canonical_id"] in cli("clusters", "--dataset", "agency")


def test_unknown_pair_and_dataset_are_reported(cli: Cli) -> None:
    assert "xp-nope" in cli("review", "confirm", "xp-nope", code=4)
    assert "xp-nope" in cli("review", "dismiss", "xp-nope", code=4)
    assert "nowhere" in cli("xref", "nowhere", code=4)
    assert "nowhere" in cli("clusters", "--dataset", "nowhere", code=4)


def test_un_list_links_to_the_uk_list(cli: Cli, shared_data: Path) -> None:
    lists = shared_data / "watchlists"
    un = str(lists / "un/un_consolidated_2026-02-27.xml.gz")
    cli("import", "un-xml", un, "--dataset", "un_sc", "--agency", "NCB-UA", "--handling", "CLEAR")
    cli("import", "uk", str(lists / "uk"), "--dataset", "uk", "--agency", "NCB-UA")
    found = counts(cli("xref", "un_sc", "uk"))
    assert found["new"] > 800
    pairs = queue(cli)
    # UK subject AQD0091 gives UN reference QDi.380: Abd al-Latif al-Kawari, on both lists.
    kawari = pairs[frozenset({"uk-AQD0091", "un-sc-6908470"})]
    assert kawari["score"] > 0.95 and "identifier_match" in kawari["features"]
    assert {kawari["left"]["dataset"], kawari["right"]["dataset"]} == {"uk", "un_sc"}
    assert all({p["left"]["dataset"], p["right"]["dataset"]} == {"uk", "un_sc"} for p in pairs.values())


def test_learned_weights_deduplicate_febrl(cli: Cli, shared_data: Path) -> None:
    """FEBRL dataset1 (500 true duplicate pairs) through the CSV mapping, with weights fitted by EM."""
    mapping = Path(__file__).parent / "ingest" / "fixtures" / "febrl_persons.mapping.yml"
    source = shared_data / "febrl" / "dataset1.csv.gz"
    cli("import", "csv", str(source), "--mapping", str(mapping), "--dataset", "febrl", "--agency", "NCB-UA")
    output = cli("xref", "febrl", "--learn")
    assert "learned weights" in output and "one keystroke apart" in output
    pairs = queue(cli)
    originals = {pair: {re.sub(r"-(org|dup-\d+)$", "", member) for member in pair} for pair in pairs}
    true_positives = sum(1 for members in originals.values() if len(members) == 1)
    precision, recall = true_positives / len(pairs), true_positives / 500
    assert precision > 0.98 and recall > 0.95
    (explained,) = [p["features"] for p in pairs.values() if p["score"] > 0.99][:1]
    assert {"name", "identifier"} <= set(explained)


def test_the_review_queue_shows_a_reviewer_only_pairs_they_may_read(cli: Cli, tmp_path: Path) -> None:
    cli("agency", "add", "NCB-ES", "--name", "NCB Madrid", "--country", "ES", "--kind", "ncb")
    cli("user", "add", "olena", "--agency", "NCB-UA", "--role", "reviewer")
    cli("user", "add", "bob", "--agency", "NCB-ES", "--role", "reviewer")
    secret = write_people(tmp_path / "secret.ftm.json", {key: PEOPLE[key] for key in ("p1", "p3")})
    shared = write_people(tmp_path / "shared.ftm.json", {key: PEOPLE[key] for key in ("p2", "p4")})
    cli("import", "ftm", str(secret), "--dataset", "ua_secret", "--agency", "NCB-UA", "--handling", "AMBER")
    cli("import", "ftm", str(shared), "--dataset", "es_shared", "--agency", "NCB-ES", "--handling", "GREEN")
    cli("xref", "ua_secret", "es_shared")
    everything = queue(cli)
    assert frozenset({"p1", "p2"}) in everything and frozenset({"p3", "p4"}) in everything

    def listed(user: str) -> set[frozenset[str]]:
        lines = cli("--as", user, "review", "list", "--json").splitlines()
        return {frozenset({p["left"]["entity_id"], p["right"]["entity_id"]}) for p in map(json.loads, lines)}

    assert listed("olena") == set(everything)  # she reads her agency's AMBER and NCB-ES's GREEN
    assert listed("bob") == set()  # he may not read NCB-UA's AMBER records: no pair, no caption
    pair = everything[frozenset({"p1", "p2"})]["pair_id"]
    cli("--as", "bob", "review", "confirm", pair, code=4)
    # Those who read but do not decide (an auditor, a first responder) neither confirm nor dismiss.
    for user, role in (("ulla", "auditor"), ("fred", "first_responder")):
        cli("user", "add", user, "--agency", "NCB-UA", "--role", role)
        assert "does not confirm or dismiss" in cli("--as", user, "review", "dismiss", pair, code=5)
    cli("--as", "olena", "review", "confirm", pair)
    clusters = cli("--as", "bob", "clusters", "--dataset", "es_shared", "--json")
    assert "p1" not in clusters and "Олександр" not in clusters
