"""Correlation on both backends: the observable index follows the records, a value finds every
record holding it (networks around an address, addresses inside a network), hidden records come
back as hit/no-hit references, and bad values are refused naming them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from alembic import command
from fastapi.testclient import TestClient
from followthemoney import model
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from liaison.api.app import create_app
from liaison.ingest.base import Record
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role
from liaison.model.observables import Kind, Observable
from liaison.services.accounts import access, agencies
from liaison.services.cyber import correlation
from liaison.services.sharing.imports import import_records
from liaison.settings import Settings
from liaison.store import db
from liaison.store.observables import holdings
from liaison.store.retention import delete_record
from liaison.store.tables import AuditEventRow, ObservableRow
from tests.api.test_alerts_api import token
from tests.test_cli import Cli
from tests.web.pages import PASSWORD, log_in, text_of

NOW = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
TOR_EXIT = "185.220.101.4"


def load(engine: Engine, owner: str, dataset: str, handling: Handling, *rows: dict[str, object]) -> None:
    envelope = Envelope(owner, dataset, handling, "cyber investigation", NOW.date().replace(year=2031))
    records = [Record(model.get_proxy(row), number) for number, row in enumerate(rows, start=1)]
    import_records(engine, records, envelope=envelope, title=dataset, kind="ftm", source="test", now=NOW)


def account(entity_id: str, **properties: list[str]) -> dict[str, object]:
    return {"id": entity_id, "schema": "UserAccount", "properties": {"username": [entity_id], **properties}}


@pytest.fixture
def world(engine: Engine) -> Engine:
    for code, country in (("NCB-FR", "FR"), ("CYB-NL", "NL")):
        agencies.register(engine, Agency(code, code, country, AgencyKind.CYBER), Identity.operator())
    access.add_user(engine, Identity.operator(), "ana", "NCB-FR", Role.ANALYST, NOW, password=PASSWORD)
    access.add_user(engine, Identity.operator(), "joost", "CYB-NL", Role.ANALYST, NOW, password=PASSWORD)
    load(
        engine,
        "NCB-FR",
        "fr_cyber",
        Handling.GREEN,
        account("acct-fr", ipAddress=[TOR_EXIT], email=["Admin@Evil.example"]),
    )
    load(
        engine,
        "CYB-NL",
        "nl_cyber",
        Handling.RED,
        account("acct-nl", ipAddress=[TOR_EXIT, "185.220.101.77"]),
        {
            "id": "shop",
            "schema": "Company",
            "properties": {"name": ["Evil Shop"], "website": ["http://evil.example/pay"]},
        },
    )
    return engine


def _correlate(engine: Engine, user: str, *values: str) -> list[correlation.Correlated]:
    identity = access.identity_of(engine, user)
    observables = correlation.read_values([(None, value) for value in values])
    return correlation.correlate(engine, identity, observables, purpose="case 2026/77", now=NOW)


def test_a_value_shows_readable_records_and_references_to_hidden_ones(world: Engine) -> None:
    (found,) = _correlate(world, "ana", TOR_EXIT)
    assert [held.entity.proxy.id for held in found.records] == ["acct-fr"]
    assert [reference.owner_agency for reference in found.references] == ["CYB-NL"]
    # The owner may read its own record, and sees the other agency's GREEN one.
    (theirs,) = _correlate(world, "joost", TOR_EXIT)
    assert sorted(held.entity.proxy.id for held in theirs.records) == ["acct-fr", "acct-nl"]
    assert theirs.references == ()
    with Session(world) as session:
        actions = list(session.scalars(select(AuditEventRow.action).where(AuditEventRow.actor == "ana")))
    assert actions.count("correlate") == 1


def test_a_network_finds_the_addresses_inside_it_and_an_address_the_networks_around_it(world: Engine) -> None:
    (found,) = _correlate(world, "joost", "185.220.101.0/24")
    assert {(held.entity.proxy.id, tuple(found.value for found in held.found)) for held in found.records} == {
        ("acct-fr", (TOR_EXIT,)),
        ("acct-nl", (TOR_EXIT, "185.220.101.77")),
    }
    assert _correlate(world, "joost", "185.220.102.0/24")[0].records == ()
    # A record of a whole network (as a STIX indicator gives one) is found from an address in it.
    with Session(world) as session, session.begin():
        session.add(ObservableRow(kind="ip", value="185.220.100.0/22", dataset="nl_cyber", entity_id="shop"))
    with Session(world) as session:
        found_holdings = holdings(session, [Observable(Kind.IP, TOR_EXIT)], 50)
    assert ("shop", "185.220.100.0/22") in {(held.entity_id, held.found.value) for held in found_holdings}


def test_a_url_correlates_by_its_host_and_a_record_by_its_own_values(world: Engine) -> None:
    (found,) = _correlate(world, "joost", "evil.example")
    assert [held.entity.proxy.id for held in found.records] == ["shop"]
    stored, values = correlation.correlate_entity(
        world, access.identity_of(world, "ana"), "fr_cyber", "acct-fr", purpose="case 2026/77", now=NOW
    )
    assert stored.proxy.id == "acct-fr"
    by_value = {str(item.observable): item for item in values}
    assert set(by_value) == {f"ip:{TOR_EXIT}", "email:admin@evil.example"}
    assert by_value[f"ip:{TOR_EXIT}"].records == () and len(by_value[f"ip:{TOR_EXIT}"].references) == 1


def test_the_index_follows_reimports_and_deletions(world: Engine) -> None:
    load(world, "NCB-FR", "fr_cyber", Handling.GREEN, account("acct-fr", ipAddress=["203.0.113.9"]))
    assert _correlate(world, "ana", TOR_EXIT)[0].records == ()
    assert [held.entity.proxy.id for held in _correlate(world, "ana", "203.0.113.9")[0].records] == [
        "acct-fr"
    ]
    with Session(world) as session, session.begin():
        delete_record(session, "fr_cyber", "acct-fr")
    with Session(world) as session:
        assert session.scalars(select(ObservableRow).where(ObservableRow.dataset == "fr_cyber")).all() == []


def test_the_migration_indexes_the_records_already_stored(world: Engine) -> None:
    config = db._alembic_config()
    with world.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    db.migrate(world)
    (found,) = _correlate(world, "joost", TOR_EXIT)
    assert sorted(held.entity.proxy.id for held in found.records) == ["acct-fr", "acct-nl"]


@pytest.fixture
def client(world: Engine, database_url: str) -> Iterator[TestClient]:
    settings = Settings(database_url=database_url, cookie_secure=False)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_api_correlates_values_and_records_and_refuses_bad_values(
    client: TestClient, world: Engine
) -> None:
    ana = token(world, "ana")
    body = {
        "observables": [{"value": TOR_EXIT}, {"kind": "email", "value": "admin@EVIL.example"}],
        "purpose": "case 77",
    }
    answered = client.post("/api/v1/correlations", json=body, headers=ana)
    assert answered.status_code == 200, answered.text
    ip, email = answered.json()
    assert ip["observable"] == {"kind": "ip", "value": TOR_EXIT}
    assert [record["id"] for record in ip["records"]] == ["acct-fr"]
    assert [reference["owner_agency"] for reference in ip["references"]] == ["CYB-NL"]
    assert [record["id"] for record in email["records"]] == ["acct-fr"]

    bad = {"observables": [{"value": TOR_EXIT}, {"kind": "ip", "value": "999.1.1.1"}], "purpose": "case 77"}
    refused = client.post("/api/v1/correlations", json=bad, headers=ana)
    assert refused.status_code == 422 and "value 2: ip: '999.1.1.1' is not an IP address" in refused.text

    own = client.get(
        "/api/v1/datasets/fr_cyber/entities/acct-fr/correlations", params={"purpose": "case 77"}, headers=ana
    )
    assert own.status_code == 200 and {item["observable"]["kind"] for item in own.json()} == {"ip", "email"}
    hidden = client.get(
        "/api/v1/datasets/nl_cyber/entities/acct-nl/correlations", params={"purpose": "case 77"}, headers=ana
    )
    assert hidden.status_code == 404


def test_the_cli_correlates_values_and_records_and_refuses_bad_values(
    world: Engine, database_url: str
) -> None:
    cli = Cli(database_url)
    shown = cli(
        "--as", "ana", "--purpose", "case 2026/77", "correlate", TOR_EXIT, "evil.example", "198.51.100.1"
    )
    assert "acct-fr (UserAccount acct-fr) in fr_cyber, NCB-FR, GREEN" in shown
    # The shop naming evil.example is RED to CYB-NL: ana learns only that it exists, and whose it is.
    assert "domain:evil.example\n  hidden: reference " in shown and "owned by CYB-NL" in shown
    assert "ip:198.51.100.1\n  no other record" in shown
    record = cli("--as", "joost", "--purpose", "case 2026/77", "correlate", "--entity", "nl_cyber", "acct-nl")
    assert "acct-fr" in record
    refused = cli(
        "--as", "ana", "--purpose", "case 2026/77", "correlate", "--kind", "ip", "999.1.1.1", code=3
    )
    assert "value 1: ip: '999.1.1.1' is not an IP address" in refused
    assert "say why" in cli("--as", "ana", "correlate", TOR_EXIT, code=3)


def test_the_record_page_shows_the_same_values_elsewhere(client: TestClient) -> None:
    assert log_in(client, "ana") == 303
    page = client.get("/app/entities/acct-fr", params={"purpose": "case 77"})
    assert page.status_code == 200, text_of(page.text)[-600:]
    section = text_of(page.text.split('id="h-correlations"')[1].split("</section>")[0])
    assert f"ip:{TOR_EXIT}" in section and "a record of CYB-NL you may not read" in section
    assert "email:admin@evil.example : no other record" in section
    assert "acct-nl" not in page.text  # the hidden record is a reference, never its content
    assert log_in(client, "joost") == 303
    theirs = client.get("/app/entities/acct-nl", params={"purpose": "case 77"})
    assert 'href="/app/entities/acct-fr"' in theirs.text.split('id="h-correlations"')[1]
