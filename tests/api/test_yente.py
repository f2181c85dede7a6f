"""The yente-compatible API on both backends: through the app's test client and through a real
server driven by the real OpenSanctions client, `yente-client`.

Strategy: importing the UN list takes seconds, so it is imported once per backend for this
module and the read-only tests share one app over it. Tests that need other settings or data
of their own (an API key, copies of one entity in several datasets, an uninitialised store)
build their own app over the per-test `engine`/`database_url` or an empty file.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
import uvicorn
import yente_client
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from liaison import ingest, store
from liaison.api.app import create_app
from liaison.matching.model import FEATURES
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role
from liaison.services.accounts import access
from liaison.services.sharing.imports import import_records
from liaison.settings import Settings

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
SADDAM = "un-sc-6908048"
LATIN = {"schema": "Person", "properties": {"name": ["Saddam Hussein al-Tikriti"], "birthDate": ["1937"]}}
ARABIC = {"schema": "Person", "properties": {"name": ["صدام حسين التكريتي"]}}
NOBODY = {"schema": "Person", "properties": {"name": ["Zyxwv Qoppa"]}}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def un_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, shared_data: Path
) -> str:
    """URL of a database on each backend holding the UN list as dataset `un_sc`."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('yente') / 'liaison.db'}"
    else:
        cluster = request.getfixturevalue("postgres")
        admin = create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text('CREATE DATABASE "liaison_yente"'))
        admin.dispose()
        url = cluster.url("liaison_yente")
    engine = store.open_engine(url)
    store.migrate(engine)
    with Session(engine) as session, session.begin():
        store.save_agency(session, Agency("NCB-FR", "INTERPOL NCB Paris", "FR", AgencyKind.NCB))
    path = shared_data / "watchlists/un/un_consolidated_2026-02-27.xml.gz"
    envelope = Envelope("NCB-FR", "un_sc", Handling.CLEAR, "screening", dt.date(2031, 11, 23))
    import_records(
        engine,
        ingest.read("un-xml", path),
        envelope=envelope,
        title="UN SC",
        kind="un-xml",
        source=str(path),
        now=NOW,
    )
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def client(un_database: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=un_database))) as test_client:
        yield test_client


def match(client: TestClient, queries: dict[str, Any], path: str = "/match/default", **params: Any) -> Any:
    response = client.post(path, json={"queries": queries}, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(answer: dict[str, Any]) -> list[str]:
    return [result["id"] for result in answer["results"]]


def test_match_finds_saddam_by_latin_name_and_birth_year(client: TestClient) -> None:
    body = match(client, {"q": LATIN})
    answer = body["responses"]["q"]
    top = answer["results"][0]
    assert top["id"] == SADDAM and top["match"] is True and top["score"] >= 0.9
    assert top["schema"] == "Person" and top["datasets"] == ["un_sc"] and top["target"] is True
    assert "1937-04-28" in top["properties"]["birthDate"]
    assert top["features"]["dob_match"] > 0
    explained = top["explanations"]["name_similarity"]
    assert explained["score"] == explained["value"] and explained["weight"] > 0 and explained["detail"]
    assert answer["total"] == {"value": len(answer["results"]), "relation": "eq"}
    assert answer["query"]["properties"]["birthDate"] == ["1937"]
    assert body["limit"] == 5


def test_match_finds_saddam_by_arabic_name(client: TestClient) -> None:
    answer = match(client, {"q": ARABIC})["responses"]["q"]
    assert answer["results"][0]["id"] == SADDAM and answer["results"][0]["match"] is True


def test_batched_queries_answer_per_key(client: TestClient) -> None:
    responses = match(client, {"latin": LATIN, "arabic": ARABIC, "nobody": NOBODY})["responses"]
    assert set(responses) == {"latin", "arabic", "nobody"}
    assert ids(responses["latin"])[0] == ids(responses["arabic"])[0] == SADDAM
    assert responses["nobody"]["results"] == [] and responses["nobody"]["status"] == 200


def test_threshold_marks_matches_and_cutoff_drops_results(client: TestClient) -> None:
    [strict] = match(client, {"q": LATIN}, threshold=0.999)["responses"]["q"]["results"][:1]
    assert strict["id"] == SADDAM and strict["match"] is False
    assert match(client, {"q": LATIN}, cutoff=0.999)["responses"]["q"]["results"] == []


def test_match_scope_follows_the_dataset_path(client: TestClient) -> None:
    assert ids(match(client, {"q": LATIN}, "/api/v1/match/un_sc")["responses"]["q"])[0] == SADDAM
    excluded = match(client, {"q": LATIN}, exclude_dataset=["un_sc"])["responses"]["q"]
    assert excluded["results"] == []
    response = client.post("/match/no_such_list", json={"queries": {"q": LATIN}})
    assert response.status_code == 404 and "no_such_list" in response.json()["detail"]


@pytest.mark.parametrize(
    ("query", "field", "status"),
    [
        ({"schema": "Persn", "properties": {"name": ["x"]}}, "schema", 400),
        ({"properties": {"name": ["x"]}}, "schema", 400),
        ({"schema": "Sanction", "properties": {}}, "schema", 400),
        ({"schema": "Person", "properties": {"shoeSize": ["44"]}}, "shoeSize", 200),
        ({"schema": "Person", "properties": {"birthDate": ["not a date"]}}, "birthDate", 200),
        ({"schema": "Person", "properties": {"name": [{"first": "Saddam"}]}}, "name", 200),
    ],
)
def test_each_query_of_a_batch_is_answered_on_its_own(
    client: TestClient, query: dict[str, Any], field: str, status: int
) -> None:
    # As yente does: a query that cannot be run is a 400 of its own, a value that cannot be read
    # is left out and named; the other queries of the batch are answered as if it were not there.
    response = client.post("/match/default", json={"queries": {"fine": LATIN, "broken": query}})
    assert response.status_code == 200
    responses = response.json()["responses"]
    assert ids(responses["fine"])[0] == SADDAM and responses["fine"]["notes"] == []
    broken = responses["broken"]
    assert broken["status"] == status and len(broken["notes"]) == 1
    assert f"'{field}'" in broken["notes"][0]
    if status == 400:
        assert "broken" in broken["notes"][0] and broken["results"] == [] and broken["query"] == {}


def test_weights_override_features_and_unknown_ones_are_refused(client: TestClient) -> None:
    plain = match(client, {"q": LATIN})["responses"]["q"]["results"][0]["score"]
    response = client.post("/match/default", json={"queries": {"q": LATIN}, "weights": {"dob_match": 0.0}})
    assert response.json()["responses"]["q"]["results"][0]["score"] < plain
    response = client.post("/match/default", json={"queries": {"q": LATIN}, "weights": {"name_literal": 1}})
    assert response.status_code == 400 and "name_literal" in response.json()["detail"]
    response = client.post("/match/default", json={"queries": {"q": LATIN}}, params={"algorithm": "logic-v2"})
    assert response.status_code == 400 and "logic-v2" in response.json()["detail"]


def test_search_ranks_the_full_name_first(client: TestClient) -> None:
    body = client.get(
        "/search/default", params={"q": "saddam hussein", "schema": "Person", "limit": 3}
    ).json()
    assert body["results"][0]["id"] == SADDAM
    assert len(body["results"]) == 3 and body["total"]["value"] >= 3 and body["offset"] == 0
    assert client.get("/search/default", params={"q": "x", "schema": "Nope"}).status_code == 400


def test_entities_are_fetched_with_their_datasets_or_404(client: TestClient) -> None:
    entity = client.get(f"/entities/{SADDAM}").json()
    assert entity["caption"] == "SADDAM HUSSEIN AL-TIKRITI" and entity["datasets"] == ["un_sc"]
    assert "صدام حسين التكريتي" in entity["properties"]["name"]
    missing = client.get("/entities/un-sc-0")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert "un-sc-0" in missing.json()["detail"]


def test_catalog_lists_datasets_and_the_default_collection(client: TestClient) -> None:
    catalog = client.get("/catalog").json()
    by_name = {dataset["name"]: dataset for dataset in catalog["datasets"]}
    assert by_name["un_sc"]["entity_count"] > 1_000 and by_name["un_sc"]["title"] == "UN SC"
    assert by_name["default"]["children"] == ["un_sc"]
    assert by_name["default"]["entity_count"] == by_name["un_sc"]["entity_count"]
    assert set(catalog["current"]) == {"un_sc", "default"} and catalog["index_stale"] is False


def test_algorithms_and_probes(client: TestClient) -> None:
    body = client.get("/algorithms").json()
    assert body["default"] == body["best"] == "liaison-v1"
    [algorithm] = body["algorithms"]
    assert set(algorithm["features"]) == set(algorithm["docs"]["features"]) == set(FEATURES)
    for path in ("/healthz", "/readyz", "/api/v1/healthz", "/api/v1/readyz"):
        assert client.get(path).json() == {"status": "ok"}


def test_api_key_is_required_when_configured(engine: Engine, database_url: str) -> None:
    settings = Settings(database_url=database_url, api_key="s3cret")
    with TestClient(create_app(settings)) as client:
        for authorization in ("", "ApiKey wrong", "Basic s3cret", "ApiKey s3crét", "ApiKey "):
            # Bytes, so that the non-ASCII key reaches the server as sent.
            headers = {"Authorization": authorization.encode()} if authorization else {}
            refused = client.get("/catalog", headers=headers)
            assert refused.status_code == 401 and refused.headers["www-authenticate"] == "ApiKey"
            assert refused.headers["content-type"] == "application/problem+json"
        assert client.get("/catalog", headers={"Authorization": "ApiKey s3cret"}).status_code == 200
        assert client.get("/catalog", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert client.get("/healthz").status_code == 200


def test_readyz_reports_an_uninitialised_store(tmp_path: Path) -> None:
    with TestClient(create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))) as client:
        response = client.get("/readyz")
    assert response.status_code == 503 and "liaison init" in response.json()["detail"]


def import_ftm(engine: Engine, tmp_path: Path, dataset: str, *entities: dict[str, Any]) -> None:
    """Import a few FtM entities as one dataset of the conftest agency."""
    path = tmp_path / f"{dataset}.ftm.json"
    path.write_bytes(b"".join(orjson.dumps(entity) + b"\n" for entity in entities))
    envelope = Envelope("NCB-FR", dataset, Handling.GREEN, "screening", dt.date(2031, 11, 23))
    import_records(
        engine,
        ingest.read("ftm", path),
        envelope=envelope,
        title=dataset,
        kind="ftm",
        source=str(path),
        now=NOW,
    )


def person(entity_id: str, name: str, schema: str = "Person") -> dict[str, Any]:
    return {"id": entity_id, "schema": schema, "properties": {"name": [name], "country": ["fr"]}}


def test_copies_in_several_datasets_answer_as_one_entity_until_the_index_is_refreshed(
    engine: Engine, database_url: str, agency: Agency, tmp_path: Path
) -> None:
    import_ftm(engine, tmp_path, "paris", person("p1", "Jean-Pierre Marchand"), person("p2", "Chantal Roux"))
    import_ftm(
        engine, tmp_path, "lyon", person("p1", "Jean Pierre Marchand"), person("p2", "Roux SARL", "Company")
    )
    # GREEN records: the installation's own key reads as the operator.
    operator = {"Authorization": "ApiKey operator-key"}
    with TestClient(
        create_app(Settings(database_url=database_url, api_key="operator-key")), headers=operator
    ) as client:
        query = {"q": {"schema": "Person", "properties": {"name": ["Jean-Pierre Marchand"]}}}
        [result] = match(client, query)["responses"]["q"]["results"]
        assert result["id"] == "p1" and result["datasets"] == ["lyon", "paris"]
        assert set(result["properties"]["name"]) == {"Jean-Pierre Marchand", "Jean Pierre Marchand"}
        # One id naming a person in one dataset and a company in another: two entities, not merged;
        # the copy of the first dataset by name stands.
        chantal = client.get("/entities/p2").json()
        assert (chantal["schema"], chantal["datasets"]) == ("Company", ["lyon"])

        import_ftm(engine, tmp_path, "nice", person("p3", "Jean-Pierre Marchand"))
        catalog = client.get("/catalog").json()
        assert catalog["index_stale"] is True and catalog["outdated"] == ["nice"]
        assert client.post("/match/nice", json={"queries": query}).status_code == 404
        client.app.state.matching.refresh()
        assert client.get("/catalog").json()["index_stale"] is False
        assert [hit["id"] for hit in match(client, query, "/match/nice")["responses"]["q"]["results"]] == [
            "p3"
        ]


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """Serve the app with uvicorn in a thread on a free local port, for as long as the block runs."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_the_real_yente_client_works_against_a_real_server(un_database: str) -> None:
    settings = Settings(database_url=un_database, api_key="s3cret")
    with serving(create_app(settings)) as url:
        with yente_client.Client(base_url=url, api_key="s3cret") as client:
            drive(client)
        with (
            yente_client.Client(base_url=url, api_key="wrong") as intruder,
            pytest.raises(yente_client.AuthenticationError),
        ):
            intruder.datasets()


def drive(client: yente_client.Client) -> None:
    """Every call a screening integration makes, as the client makes it."""
    assert client.healthz().status == client.readyz().status == "ok"
    assert {dataset.name for dataset in client.datasets().datasets} == {"un_sc", "default"}
    algorithms = client.algorithms()
    assert algorithms.best == "liaison-v1" and algorithms.algorithms[0].docs

    person = yente_client.Person(name=["Saddam Hussein al-Tikriti"], birthDate=["1937"])
    top = client.match(person, algorithm=yente_client.BEST_ALGORITHM, datasets=["un_sc"]).top
    assert top is not None and top.id == SADDAM and top.match
    assert top.explanations["name_similarity"].weight == 5.0

    arabic = yente_client.Person(name=["صدام حسين التكريتي"])
    batch = dict(client.match_iter([("latin", person), ("arabic", arabic)], workers=2))
    assert {key: answer.results[0].id for key, answer in batch.items()} == {"latin": SADDAM, "arabic": SADDAM}

    assert client.search("saddam hussein", schema="Person").results[0].id == SADDAM
    fetched = client.fetch(SADDAM)
    assert fetched.caption == "SADDAM HUSSEIN AL-TIKRITI" and fetched.datasets == ["un_sc"]
    with pytest.raises(yente_client.NotFoundError):
        client.fetch("un-sc-0")
    # A bad day in a birth date is read as its month: it must not hide a listed person.
    misdated = client.match(yente_client.Person(name=["Saddam Hussein al-Tikriti"], birthDate=["1937-04-31"]))
    assert misdated.top is not None and misdated.top.id == SADDAM


def test_each_caller_gets_what_their_token_allows(
    engine: Engine, database_url: str, agency: Agency, tmp_path: Path
) -> None:
    """The public sees CLEAR only; a member's token opens GREEN; bad tokens are refused, never public."""
    import_ftm(engine, tmp_path, "paris", person("p1", "Jean-Pierre Marchand"))
    now = dt.datetime.now(dt.UTC)
    access.add_user(engine, Identity.operator(), "alice", "NCB-FR", Role.ANALYST, now)
    reader, _ = access.create_token(engine, Identity.operator(), "alice", now)
    writer, _ = access.create_token(engine, Identity.operator(), "alice", now, scopes=("write",))
    revoked, stored = access.create_token(engine, Identity.operator(), "alice", now)
    access.revoke_token(engine, Identity.operator(), stored.token_id, now)
    query = {"q": {"schema": "Person", "properties": {"name": ["Jean-Pierre Marchand"]}}}
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        assert match(client, query)["responses"]["q"]["results"] == []
        assert client.get("/entities/p1").status_code == 404
        assert client.get("/catalog").json()["datasets"][0]["name"] == "default"
        bearer = {"Authorization": f"Bearer {reader.text}"}
        found = client.post("/match/default", json={"queries": query}, headers=bearer).json()
        assert [r["id"] for r in found["responses"]["q"]["results"]] == ["p1"]
        assert client.get("/entities/p1", headers=bearer).json()["id"] == "p1"
        searched = client.get(
            "/search/default", params={"q": "Marchand", "purpose": "case 17"}, headers=bearer
        )
        assert [r["id"] for r in searched.json()["results"]] == ["p1"]
        for token in (writer.text, revoked.text, reader.text[:-2] + "xx", "lsn_nothing"):
            refused = client.get("/entities/p1", headers={"Authorization": f"ApiKey {token}"})
            assert (
                refused.status_code == 401 and refused.headers["content-type"] == "application/problem+json"
            )
    with Session(engine) as session:
        trail = [
            (chained.event.actor, chained.event.action, chained.event.purpose)
            for chained in store.iter_events(session)
        ]
    assert (
        ("public", "match", "") in trail
        and ("alice", "read", "") in trail
        and ("alice", "search", "case 17") in trail
    )
