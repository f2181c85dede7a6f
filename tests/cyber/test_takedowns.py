"""Takedown tracking on both backends: targets of an operation move forward only, from identified
to taken down or seized; an ended one files its field result in the tally; the share ended per
country; participants act, others do not see the operation; bad input and closed operations refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.api.app import create_app
from liaison.errors import BadInput, Conflict, Forbidden, NotFound
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.model.operation import OperationPlan
from liaison.model.takedown import Stage, check_advance
from liaison.services.accounts import access
from liaison.services.operations import operations, takedowns
from liaison.settings import Settings
from tests.api.test_alerts_api import token
from tests.test_cli import Cli
from tests.web.pages import PASSWORD, logged_in, text_of

START, END = dt.date(2026, 12, 1), dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC)
DAY = dt.date(2026, 12, 2)
HUGO = Identity.member("hugo", "GS-LYON", "FR", Role.COORDINATOR)
JOOST = Identity.member("joost", "CYB-NL", "NL", Role.ANALYST)
ANA = Identity.member("ana", "NCB-FR", "FR", Role.ANALYST)
DIETER = Identity.member("dieter", "BKA-DE", "DE", Role.ANALYST)


@pytest.fixture
def synergia(engine: Engine) -> str:
    with Session(engine) as session, session.begin():
        for code, country in (("GS-LYON", "FR"), ("CYB-NL", "NL"), ("NCB-FR", "FR"), ("BKA-DE", "DE")):
            store.save_agency(session, Agency(code, code, country, AgencyKind.CYBER))
    plan = OperationPlan.parse(
        "Synergia III", "cyber", START, END, agencies=["CYB-NL", "NCB-FR"], countries=["nl", "fr", "de"]
    )
    return operations.create(engine, HUGO, plan, NOW).operation_id


def _add(engine: Engine, who: Identity, kind: str, value: str, country: str) -> int:
    made = takedowns.add(
        engine,
        who,
        "Synergia III",
        kind=kind,
        value=value,
        country=country,
        provider="Example Hosting BV",
        day=DAY,
        now=NOW,
    )
    return made.takedown_id


def test_targets_move_to_the_end_and_the_tally_moves_with_them(engine: Engine, synergia: str) -> None:
    first = _add(engine, JOOST, "ip", "203.0.113.7", "nl")
    second = _add(engine, JOOST, "domain", "Pay.Evil.Example.", "nl")
    third = _add(engine, ANA, "server", "198.51.100.9", "fr")
    _add(engine, ANA, "ip", "198.51.100.10", "fr")
    moved = takedowns.advance(
        engine, JOOST, first, stage="notified", day=DAY, notified_to="abuse desk", now=NOW
    )
    assert moved.stage is Stage.NOTIFIED and moved.notified_on == DAY and moved.notified_to == "abuse desk"
    takedowns.advance(engine, JOOST, first, stage="taken_down", day=END, now=NOW)
    takedowns.advance(engine, JOOST, second, stage="seized", day=END, now=NOW)  # skipping "notified"
    takedowns.advance(engine, HUGO, third, stage="seized", day=END, now=NOW)  # the coordinators may too
    _operation, found, shares = takedowns.listing(engine, ANA, "Synergia III", NOW)
    assert [item.value for item in found if item.country == "nl"] == ["203.0.113.7", "pay.evil.example"]
    by_country = {share.country: (share.targets, share.share) for share in shares}
    assert by_country == {"fr": (2, 0.5), "nl": (2, 1.0)}
    _operation, tally = operations.tally(engine, HUGO, synergia)
    assert tally.totals == {"ip_taken_down": 1, "domain_taken_down": 1, "server_seized": 1}
    with pytest.raises(Conflict, match="ended as taken down"):
        takedowns.advance(engine, JOOST, first, stage="seized", day=END, now=NOW)


def test_who_may_act_and_what_is_refused(engine: Engine, synergia: str) -> None:
    target = _add(engine, JOOST, "ip", "203.0.113.7", "nl")
    with pytest.raises(Conflict, match="already takedown"):
        _add(engine, ANA, "ip", "203.0.113.7", "nl")
    with pytest.raises(Forbidden, match="CYB-NL's"):
        takedowns.advance(engine, ANA, target, stage="notified", day=DAY, notified_to="x", now=NOW)
    with pytest.raises(NotFound):
        takedowns.listing(engine, DIETER, "Synergia III", NOW)  # not a participant: no such operation
    for kind, value, country, problem in (
        ("ip", "999.1.1.1", "nl", "'999.1.1.1' is not an IP address"),
        ("mail", "x@y.example", "nl", "field 'kind'"),
        ("ip", "203.0.113.8", "es", "ES does not take part"),
        ("ip", "203.0.113.8", "zz", "not an ISO 3166 country code"),
        ("server", "not a host!", "nl", "names no server"),
    ):
        with pytest.raises(BadInput, match=problem):
            _add(engine, JOOST, kind, value, country)
    with pytest.raises(BadInput, match="notified_to"):
        takedowns.advance(engine, JOOST, target, stage="notified", day=DAY, now=NOW)
    with pytest.raises(BadInput, match="before the target was identified"):
        takedowns.advance(engine, JOOST, target, stage="taken_down", day=DAY - dt.timedelta(days=3), now=NOW)
    operations.close(engine, HUGO, synergia, NOW)
    with pytest.raises(Conflict, match="was closed"):
        takedowns.advance(engine, JOOST, target, stage="taken_down", day=END, now=NOW)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(list(Stage)), min_size=1, max_size=6))
def test_a_takedown_never_moves_back(steps: list[Stage]) -> None:
    order = {Stage.IDENTIFIED: 0, Stage.NOTIFIED: 1, Stage.TAKEN_DOWN: 2, Stage.SEIZED: 2}
    current = Stage.IDENTIFIED
    for wanted in steps:
        try:
            moved = check_advance(current, wanted.value)
        except Conflict:
            assert order[wanted] <= order[current] or current in (Stage.TAKEN_DOWN, Stage.SEIZED)
            continue
        assert order[moved] > order[current]
        current = moved


@pytest.fixture
def client(engine: Engine, synergia: str, database_url: str) -> Iterator[TestClient]:
    access.add_user(engine, Identity.operator(), "joost", "CYB-NL", Role.ANALYST, NOW, password=PASSWORD)
    access.add_user(engine, Identity.operator(), "hugo", "GS-LYON", Role.COORDINATOR, NOW, password=PASSWORD)
    with TestClient(create_app(Settings(database_url=database_url, cookie_secure=False))) as test_client:
        yield test_client


def test_the_api_adds_advances_and_lists(client: TestClient, engine: Engine) -> None:
    made = client.post(
        "/api/v1/operations/Synergia III/takedowns",
        json={
            "kind": "ip",
            "value": "203.0.113.7",
            "country": "nl",
            "provider": "Host BV",
            "day": "2026-12-02",
        },
        headers=token(engine, "joost"),
    )
    assert made.status_code == 201, made.text
    step = client.post(
        f"/api/v1/takedowns/{made.json()['id']}/steps",
        json={"stage": "taken_down", "day": "2026-12-04"},
        headers=token(engine, "joost"),
    )
    assert step.status_code == 200 and step.json()["ended_on"] == "2026-12-04"
    listed = client.get("/api/v1/operations/Synergia III/takedowns", headers=token(engine, "hugo")).json()
    assert listed["share"] == 1.0 and listed["countries"][0]["taken_down"] == 1
    again = client.post(
        f"/api/v1/takedowns/{made.json()['id']}/steps",
        json={"stage": "seized"},
        headers=token(engine, "joost"),
    )
    assert again.status_code == 409


def test_the_cli_and_the_page(database_url: str, client: TestClient, engine: Engine) -> None:
    cli = Cli(database_url)
    domain = ("--kind", "domain", "--value", "c2.evil.example", "--country", "nl")
    hosted = ("--provider", "Registrar BV", "--day", "2026-12-02")
    out = cli("--as", "joost", "takedown", "add", "Synergia III", *domain, *hosted)
    assert "#1 domain c2.evil.example (NL, Registrar BV): identified" in out
    cli("--as", "joost", "takedown", "advance", "1", "--stage", "seized", "--day", "2026-12-03")
    listed = cli("--as", "hugo", "takedown", "list", "Synergia III", "--json")
    assert '"share": 1.0' in listed
    cli("--as", "joost", "takedown", "advance", "1", "--stage", "notified", "--notified-to", "x", code=6)
    logged_in(client, "hugo")
    page = text_of(client.get("/app/operations/Synergia III/takedowns").text)
    assert "100% of 1 target taken down or seized" in page and "c2.evil.example" in page
