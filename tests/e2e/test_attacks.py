"""An attacker's review, replayed over HTTP against the demo server: each finding stays closed.

Strategy: the session's demo server (real process, loopback) and its store; tokens are made with
the CLI, as an operator would; every request goes through the whole HTTP stack, so a broken
response (a wrong Content-Length) shows as it would to curl.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.e2e.conftest import World

PASSWORD = "a-long-enough-password"


def _token(world: World, user: str, *scopes: str) -> dict[str, str]:
    """Authorization headers for a new token of `user` with these scopes, made by the operator."""
    options = [part for scope in scopes for part in ("--scope", scope)]
    return {"Authorization": f"ApiKey {world.cli('token', 'create', user, *options).strip()}"}


def test_a_rejected_request_gets_a_whole_problem(world: World) -> None:
    # The 422 once copied the Content-Length of another body: the server dropped the connection.
    answer = httpx.get(f"{world.url}/search/default", params={"limit": "0"}, timeout=30)
    assert answer.status_code == 422
    assert int(answer.headers["content-length"]) == len(answer.content)
    problem = answer.json()
    assert problem["status"] == 422 and problem["errors"][0]["field"] == "query.limit"


def test_an_admin_token_without_the_admin_scope_administers_nothing(world: World) -> None:
    bruno = _token(world, "bruno", "read", "write")
    made = httpx.post(
        f"{world.url}/api/v1/users",
        json={"name": "mallory", "agency": "NCB-FR", "role": "analyst", "password": PASSWORD},
        headers=bruno,
        timeout=30,
    )
    assert made.status_code == 403 and "admin scope" in made.json()["detail"]
    listed = httpx.get(f"{world.url}/api/v1/users", headers=bruno, timeout=30)
    assert listed.status_code == 403
    assert "mallory" not in world.cli("user", "list")


@pytest.mark.parametrize("role", ["auditor", "node_auditor"])
def test_an_agency_admin_appoints_no_auditor(world: World, role: str) -> None:
    bruno = _token(world, "bruno", "read", "write", "admin")
    name = role.replace("_", "-")
    made = httpx.post(
        f"{world.url}/api/v1/users",
        json={"name": f"spy-{name}", "agency": "NCB-FR", "role": role, "password": PASSWORD},
        headers=bruno,
        timeout=30,
    )
    assert made.status_code == 403 and "operator" in made.json()["detail"]
    # Nor reach an auditor the operator appointed, by a token in their name.
    world.cli("user", "add", f"fr-{name}", "--agency", "NCB-FR", "--role", role)
    token = httpx.post(
        f"{world.url}/api/v1/tokens",
        json={"user": f"fr-{name}", "scopes": ["read"]},
        headers=bruno,
        timeout=30,
    )
    assert token.status_code == 403


def _events(world: World, headers: dict[str, str]) -> list[dict[str, object]]:
    answer = httpx.get(f"{world.url}/api/v1/audit/events", headers=headers, timeout=60)
    assert answer.status_code == 200, answer.text
    return [orjson.loads(line) for line in answer.content.splitlines()]


def test_an_agency_auditor_reads_only_the_agency_trail(world: World) -> None:
    everything = [orjson.loads(line) for line in world.cli("audit", "export").splitlines()]
    assert {"NCB-FR", "NCB-ES", "NCB-UA"} <= {event["agency"] for event in everything}

    ines = _events(world, _token(world, "ines", "read"))  # the demo's NCB-ES auditor
    assert ines and {event["agency"] for event in ines} == {"NCB-ES"}
    recent = httpx.get(f"{world.url}/api/v1/audit/events", headers=_token(world, "ines", "read"), timeout=60)
    assert b"NCB-FR" not in recent.content

    world.cli("user", "add", "nora", "--agency", "GS-LYON", "--role", "node_auditor")
    nora = _events(world, _token(world, "nora", "read"))  # appointed by the operator for the node
    assert {"NCB-FR", "NCB-ES", "NCB-UA"} <= {event["agency"] for event in nora}


MARIA = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Maria CEBAN"]}}}}


def _problem(answer: httpx.Response, dataset: str) -> tuple[int, str]:
    """A refusal with the dataset's name taken out, to compare a hidden one with an absent one."""
    return answer.status_code, str(answer.json()["detail"]).replace(dataset, "<name>")


def test_a_hidden_dataset_answers_as_an_absent_one(world: World) -> None:
    hidden, absent = "ncb_es_trafficking_victims", "ncb_es_no_such_list"  # RED, NCB-ES's own
    public = [
        httpx.get(f"{world.url}/search/{name}", params={"q": "Maria"}, timeout=30)
        for name in (hidden, absent)
    ]
    assert _problem(public[0], hidden) == _problem(public[1], absent)
    assert public[0].status_code == 404

    dmitri = _token(world, "dmitri", "read")  # NCB-UA, whose case names Maria CEBAN too
    scoped = [
        httpx.post(f"{world.url}/match/{name}", json=MARIA, headers=dmitri, timeout=60)
        for name in (hidden, absent)
    ]
    assert _problem(scoped[0], hidden) == _problem(scoped[1], absent)
    assert scoped[0].status_code == 404
    excluded = httpx.post(
        f"{world.url}/match/default",
        params={"exclude_dataset": hidden},
        json=MARIA,
        headers=dmitri,
        timeout=60,
    )
    assert excluded.status_code == 404

    # The whole store still answers hit/no-hit, naming the owner agency and never the dataset.
    whole = httpx.post(f"{world.url}/match/default", json=MARIA, headers=dmitri, timeout=60).json()
    references = whole["responses"]["q"]["references"]
    assert references and {ref["owner_agency"] for ref in references} == {"NCB-ES"}
    assert hidden not in orjson.dumps(whole).decode()
    # Any scope the caller may name gets the same references: they answer for the whole store.
    own = httpx.post(f"{world.url}/match/ncb_ua_trafficking", json=MARIA, headers=dmitri, timeout=60)
    assert own.status_code == 200
    assert _refs(own.json()) == _refs(whole)


def test_a_hidden_dataset_is_written_as_an_absent_one(world: World, tmp_path: Path) -> None:
    # NCB-UA once learnt a hidden dataset's owner by writing into it ("belongs to agency 'NCB-ES'")
    # and could tell it from a free name, which it was given.
    hidden, absent = "ncb_es_trafficking_victims", "ncb_es_unused_list"  # RED, NCB-ES's own
    dmitri = _token(world, "dmitri", "read", "write")
    person = {"id": "probe-1", "schema": "Person", "properties": {"name": ["Probe"]}, "handling": "RED"}
    bundle = {"type": "bundle", "id": "bundle--7c1a4f0e-2f4e-4b8e-9d51-0d3d1b9c8e11", "objects": []}
    for route, body in (("entities", person), ("stix", bundle)):
        answers = [
            httpx.post(f"{world.url}/api/v1/datasets/{name}/{route}", json=body, headers=dmitri, timeout=30)
            for name in (hidden, absent)
        ]
        assert [answer.status_code for answer in answers] == [403, 403], [answer.text for answer in answers]
        assert _problem(answers[0], hidden) == _problem(answers[1], absent), route
        assert "NCB-ES" not in answers[0].text, route
        assert "'ncb_ua_'" in answers[0].json()["detail"], route

    entities = tmp_path / "probe.ftm.json"
    entities.write_bytes(orjson.dumps({k: v for k, v in person.items() if k != "handling"}) + b"\n")
    liaison = str(Path(sys.executable).with_name("liaison"))
    done = [
        subprocess.run(
            [
                liaison,
                "--as",
                "dmitri",
                "import",
                "ftm",
                str(entities),
                "--dataset",
                name,
                "--agency",
                "NCB-UA",
            ],
            env=world.env,
            capture_output=True,
            text=True,
            check=False,
        )
        for name in (hidden, absent)
    ]
    assert [run.returncode for run in done] == [5, 5]
    errors = [run.stderr.strip().splitlines()[-1] for run in done]  # after the progress bar's line
    assert errors[0].replace(hidden, "<name>") == errors[1].replace(absent, "<name>")
    assert errors[0].startswith("error: dataset") and "NCB-ES" not in done[0].stderr
    assert absent not in world.cli("datasets")


def _refs(answer: dict[str, Any]) -> list[tuple[str, float]]:
    return sorted((ref["owner_agency"], ref["score"]) for ref in answer["responses"]["q"]["references"])


def test_a_bad_field_never_hides_a_listed_person(world: World, tmp_path: Path) -> None:
    travellers = {
        f"q{n}": {"schema": "Person", "properties": {"name": [f"Traveller {n}"]}} for n in range(17)
    }
    badege = {"name": ["Eric BADEGE"], "birthDate": ["1971-02-30"]}  # UN-listed, born 1971
    queries = {
        **travellers,
        "bad-date": {"schema": "Person", "properties": badege},
        "odd-value": {"schema": "Person", "properties": {"name": ["Eric Badege"], "nationality": [{"x": 1}]}},
        "no-schema": {"schema": "Spaceship", "properties": {"name": ["Eric Badege"]}},
    }
    answer = httpx.post(f"{world.url}/match/default", json={"queries": queries}, timeout=120)
    assert answer.status_code == 200, answer.text
    responses = answer.json()["responses"]
    assert set(responses) == set(queries)
    for key in ("bad-date", "odd-value"):
        assert responses[key]["status"] == 200
        assert LISTED in [result["id"] for result in responses[key]["results"]], key
    assert responses["bad-date"]["notes"] == [
        "field 'birthDate': invalid date '1971-02-30', read as '1971-02'"
    ]
    assert "nationality" in responses["odd-value"]["notes"][0]
    assert responses["no-schema"]["status"] == 400 and "Spaceship" in responses["no-schema"]["notes"][0]
    assert all(responses[key]["status"] == 200 and not responses[key]["notes"] for key in travellers)

    sheet = tmp_path / "travellers.csv"
    sheet.write_text("name,birth_date\nEric Badege,1971-02-30\n")
    (row,) = orjson.loads(world.cli("screen", str(sheet), "--format", "json"))  # exit 0: screened
    assert LISTED in [match["entity_id"] for match in row["matches"]]
    assert row["notes"] == [
        "row 1 (line 2): field 'birth_date': invalid date '1971-02-30', read as '1971-02'"
    ]


LISTED = "un-sc-6907993"
"""Eric BADEGE on the UN Security Council's list, born in 1971."""


def test_a_red_thread_is_absent_to_the_users_it_does_not_name(world: World) -> None:
    # A RED thread's subject once reached every user of its agencies: bruno (NCB-FR, alice's own
    # agency) and ines (NCB-ES) read it in their lists though only carmen was named.
    subject = "Attack review: informant at the Zirka agency"
    opened = httpx.post(
        f"{world.url}/api/v1/threads",
        json={
            "subject": subject,
            "to": ["NCB-ES"],
            "body": "Friday.",
            "handling": "RED",
            "to_users": ["carmen"],
        },
        headers=_token(world, "alice", "read", "write"),
        timeout=30,
    )
    assert opened.status_code == 201, opened.text
    thread = opened.json()["id"]
    carmen = _token(world, "carmen", "read")
    assert subject in httpx.get(f"{world.url}/api/v1/threads", headers=carmen, timeout=30).text
    for outsider in ("bruno", "ines"):
        headers = _token(world, outsider, "read")
        listed = httpx.get(f"{world.url}/api/v1/threads", params={"limit": 200}, headers=headers, timeout=30)
        assert listed.status_code == 200 and subject not in listed.text, outsider
        read = httpx.get(f"{world.url}/api/v1/threads/{thread}", headers=headers, timeout=30)
        assert read.status_code == 404 and subject not in read.text, outsider
