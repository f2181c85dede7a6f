"""The cyber page on both backends: importing a bundle, a refused file saving nothing, correlating
within access, the STIX download audited with its purpose, and no import form for an auditor."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from liaison.api.app import create_app
from liaison.model import Identity, Role
from liaison.services.accounts import access
from liaison.settings import Settings
from liaison.store.tables import AuditEventRow, StixObjectRow
from tests.cyber.stix_world import NOW, indicator, two_agencies
from tests.web.pages import PASSWORD, logged_in, text_of


@pytest.fixture
def client(engine: Engine, database_url: str) -> Iterator[TestClient]:
    two_agencies(engine)
    access.add_user(engine, Identity.operator(), "avery", "CYB-NL", Role.AUDITOR, NOW, password=PASSWORD)
    settings = Settings(database_url=database_url, cookie_secure=False)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _upload(client: TestClient, csrf: str, name: str, body: bytes, dataset: str = "cyb_nl_c2") -> object:
    return client.post(
        "/app/cyber/import",
        data={"csrf": csrf, "kind": "stix", "dataset": dataset, "handling": "GREEN"},
        files={"file": (name, body, "application/json")},
        follow_redirects=False,
    )


def test_import_correlate_and_download(client: TestClient, engine: Engine, shared_data: Path) -> None:
    csrf = logged_in(client, "joost")
    bundle = gzip.decompress((shared_data / "cyber" / "stix21" / "infrastructure.json.gz").read_bytes())
    answer = _upload(client, csrf, "infra.json", bundle)
    assert answer.status_code == 303 and answer.headers["location"] == "/app/cyber?imported=cyb_nl_c2:10"  # type: ignore[attr-defined]
    page = text_of(client.get("/app/cyber?imported=cyb_nl_c2:10").text)
    assert "Imported 10 records into cyb_nl_c2" in page and "read and write" in page
    found = text_of(client.get("/app/cyber", params={"values": "198.51.100.0/24", "purpose": "case 7"}).text)
    assert "holds ip:198.51.100.3" in found
    refused = client.get("/app/cyber/datasets/cyb_nl_c2/stix")
    assert refused.status_code == 422
    bundle = client.get("/app/cyber/datasets/cyb_nl_c2/stix", params={"purpose": "share with CERT"})
    assert bundle.headers["content-disposition"] == 'attachment; filename="cyb_nl_c2.stix.json"'
    assert len(bundle.json()["objects"]) == 10
    with Session(engine) as session:
        exports = session.scalars(select(AuditEventRow.purpose).where(AuditEventRow.action == "export"))
        assert list(exports) == ["share with CERT"]


def test_a_bad_file_saves_nothing_and_says_why(client: TestClient, engine: Engine) -> None:
    csrf = logged_in(client, "joost")
    bad = json.dumps(
        {
            "type": "bundle",
            "id": "bundle--1",
            "objects": [indicator("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "[x")],
        }
    )
    answer = _upload(client, csrf, "../../etc/bad.json", bad.encode())
    assert answer.status_code == 422  # type: ignore[attr-defined]
    text = text_of(answer.text)  # type: ignore[attr-defined]
    assert "bad.json: objects[0]" in text and "/etc" not in text and "/tmp" not in text
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(StixObjectRow)) == 0


def test_an_auditor_gets_no_import_form(client: TestClient) -> None:
    logged_in(client, "avery")
    page = client.get("/app/cyber").text
    assert 'action="/app/cyber/import"' not in page and "Auditors read" in text_of(page)
