"""Operations over HTTP on both backends: plan, file, watch the tally move over SSE, report."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from liaison.api.app import create_app
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.services.operations import operations
from liaison.settings import Settings
from tests.api.test_alerts_api import events, token

TODAY = dt.datetime.now(dt.UTC).date()
PLAN = {
    "name": "Liberterra III",
    "area": "trafficking",
    "starts": (TODAY - dt.timedelta(days=2)).isoformat(),
    "ends": (TODAY + dt.timedelta(days=4)).isoformat(),
    "agencies": ["NCB-ES", "NCB-FR"],
    "countries": ["es", "fr"],
    "objectives": "Identify and rescue victims at the Madrid and Paris airports.",
    "checkpoints": [
        {"code": "MAD", "name": "Madrid Barajas", "kind": "airport", "country": "es", "monitored": ["UX1094"]}
    ],
}


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency) -> Iterator[TestClient]:
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    agencies.register(engine, Agency("NCB-DE", "NCB Wiesbaden", "DE", AgencyKind.NCB))
    now = dt.datetime.now(dt.UTC)
    users = (
        ("hugo", "NCB-FR", Role.COORDINATOR),
        ("alice", "NCB-FR", Role.ANALYST),
        ("bob", "NCB-ES", Role.OFFICER),
        ("dieter", "NCB-DE", Role.ANALYST),
    )
    for user, code, role in users:
        access.add_user(engine, Identity.operator(), user, code, role, now)
    with TestClient(create_app(Settings(database_url=database_url))) as test_client:
        yield test_client


def test_an_operation_over_http(client: TestClient, engine: Engine) -> None:
    hugo, alice, bob, dieter = (token(engine, user) for user in ("hugo", "alice", "bob", "dieter"))
    assert client.post("/api/v1/operations", json=PLAN, headers=alice).status_code == 403
    created = client.post("/api/v1/operations", json=PLAN, headers=hugo)
    assert created.status_code == 201 and created.json()["status"] == "active"
    key = created.json()["id"]
    assert client.post("/api/v1/operations", json=PLAN, headers=hugo).status_code == 409
    assert client.get(f"/api/v1/operations/{key}", headers=dieter).status_code == 404
    result = {"kind": "arrest", "count": 2, "country": "es", "checkpoint": "MAD"}
    filed = client.post(f"/api/v1/operations/{key}/results", json=result, headers=bob)
    assert filed.status_code == 201 and filed.json()["day"] == TODAY.isoformat()
    for bad, problem in (
        ({**result, "count": -3}, "is negative"),
        ({**result, "country": "de"}, "DE does not take part"),
        ({**result, "day": "2020-01-01"}, "outside the operation's period"),
    ):
        refused = client.post(f"/api/v1/operations/{key}/results", json=bad, headers=bob)
        assert refused.status_code == 422 and problem in refused.json()["detail"]
    victims = {"kind": "victim_rescued", "count": 3, "country": "es", "note": "names withheld"}
    assert client.post(f"/api/v1/operations/{key}/results", json=victims, headers=bob).status_code == 201
    shown = client.get(f"/api/v1/operations/{key}/results", headers=alice).json()
    assert [(row["kind"], row["withheld"], row["note"]) for row in shown] == [
        ("arrest", False, ""),
        ("victim_rescued", True, ""),
    ]

    def file_later() -> None:
        identity = Identity.member("bob", "NCB-ES", "ES", Role.OFFICER)
        operations.file_result(
            engine,
            identity,
            key,
            kind="hit",
            count=1,
            country="es",
            day=TODAY,
            now=dt.datetime.now(dt.UTC),
        )

    later = threading.Timer(0.5, file_later)
    later.start()
    first, second = events(client, alice, f"/api/v1/operations/{key}/tally/stream", max_events=2)
    later.join()
    assert first["event"] == "tally" and first["data"]["totals"] == {"arrest": 2, "victim_rescued": 3}  # type: ignore[index]
    assert second["data"]["totals"] == {"arrest": 2, "victim_rescued": 3, "hit": 1}  # type: ignore[index]
    assert second["id"] == 3

    html = client.get(f"/api/v1/operations/{key}/report", headers=alice)
    assert html.status_code == 200 and "results 1 to 3" in html.text and "names withheld" not in html.text
    pdf = client.get(f"/api/v1/operations/{key}/report", params={"format": "pdf"}, headers=alice)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    assert client.post(f"/api/v1/operations/{key}/close", headers=bob).status_code == 403
    assert client.post(f"/api/v1/operations/{key}/close", headers=hugo).json()["status"] == "closed"
    assert client.post(f"/api/v1/operations/{key}/results", json=result, headers=bob).status_code == 409
