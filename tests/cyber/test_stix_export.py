"""STIX 2.1 out, on both backends: what a caller may read, each object marked with its record's
TLP level, FtM records as identities and observables, and every bundle accepted by the OASIS
validator; the API's export and import, and the CLI's."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from followthemoney import model
from sqlalchemy import Engine
from stix2validator import ValidationOptions, validate_instance

from liaison.api.app import create_app
from liaison.errors import NotFound
from liaison.ingest.base import Record
from liaison.model import Envelope, Handling
from liaison.model.markings import MARKING_OF
from liaison.services.accounts import access
from liaison.services.cyber.stix_export import export_stix
from liaison.services.sharing.imports import import_records
from liaison.settings import Settings
from tests.api.test_alerts_api import token
from tests.cyber.stix_world import NOW, TLP_RED, import_stix, indicator, two_agencies, write_bundle
from tests.test_cli import Cli

RED_ID = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"


@pytest.fixture
def world(engine: Engine, shared_data: Path, tmp_path: Path) -> Engine:
    two_agencies(engine)
    import_stix(engine, shared_data / "cyber" / "stix21" / "poisonivy.json.gz", "nl_intel")
    secret = indicator(RED_ID.split("--")[1], "[ipv4-addr:value = '198.51.100.7']", TLP_RED)
    import_stix(engine, write_bundle(tmp_path / "red.json", secret), "nl_intel")
    envelope = Envelope(
        "CYB-NL", "nl_ftm", Handling.AMBER_STRICT, "cyber investigation", NOW.date().replace(year=2031)
    )
    volkov = {"name": ["Dmitry Volkov"], "email": ["k0rvus@securemail.example"]}
    server = {"username": ["srv"], "ipAddress": ["192.0.2.44", "198.51.100.7"]}
    people = [
        {"id": "volkov", "schema": "Person", "properties": volkov},
        {"id": "srv", "schema": "UserAccount", "properties": server},
    ]
    records = [Record(model.get_proxy(row), number) for number, row in enumerate(people)]
    import_records(engine, records, envelope=envelope, title="nl_ftm", kind="ftm", source="test", now=NOW)
    return engine


def _bundle(engine: Engine, user: str, dataset: str) -> dict[str, Any]:
    buffer = io.BytesIO()
    count = export_stix(engine, dataset, buffer, access.identity_of(engine, user), NOW, "sharing with CERT")
    bundle: dict[str, Any] = orjson.loads(buffer.getvalue())
    assert len(bundle["objects"]) == count
    return bundle


def _valid(bundle: dict[str, Any]) -> None:
    result = validate_instance(bundle, ValidationOptions(version="2.1"))
    assert result.is_valid, [str(error) for error in result.errors][:5]


def test_stix_records_go_out_as_they_came_marked_with_their_handling(world: Engine) -> None:
    bundle = _bundle(world, "joost", "nl_intel")
    _valid(bundle)
    by_id = {obj["id"]: obj for obj in bundle["objects"]}
    assert len(by_id) == 156  # Poison Ivy's 155 objects and the RED indicator
    assert by_id[RED_ID]["object_marking_refs"] == [MARKING_OF[Handling.RED]]
    campaign = next(obj for obj in bundle["objects"] if obj["type"] == "campaign")
    assert campaign["object_marking_refs"] == [MARKING_OF[Handling.GREEN]]
    # The other agency's analyst gets the GREEN objects, not the RED one.
    theirs = _bundle(world, "ana", "nl_intel")
    _valid(theirs)
    assert RED_ID not in {obj["id"] for obj in theirs["objects"]} and len(theirs["objects"]) == 155


def test_ftm_records_go_out_as_identities_and_observables(world: Engine) -> None:
    bundle = _bundle(world, "joost", "nl_ftm")
    _valid(bundle)
    kinds = sorted(obj["type"] for obj in bundle["objects"])
    assert kinds == ["email-addr", "identity", "ipv4-addr", "ipv4-addr", "marking-definition", "relationship"]
    identity = next(obj for obj in bundle["objects"] if obj["type"] == "identity")
    assert identity["name"] == "Dmitry Volkov" and identity["identity_class"] == "individual"
    (link,) = [obj for obj in bundle["objects"] if obj["type"] == "relationship"]
    email = next(obj for obj in bundle["objects"] if obj["type"] == "email-addr")
    assert (link["source_ref"], link["target_ref"]) == (identity["id"], email["id"])
    # AMBER+STRICT is TLP 2.0: the bundle carries its definition.
    marked = {ref for obj in bundle["objects"] for ref in obj.get("object_marking_refs", ())}
    assert marked == {MARKING_OF[Handling.AMBER_STRICT]}
    # The other agency may read nothing of the dataset: to them it does not exist.
    with pytest.raises(NotFound):
        _bundle(world, "ana", "nl_ftm")


def test_the_api_imports_and_exports_bundles(world: Engine, database_url: str, shared_data: Path) -> None:
    apt1 = gzip.decompress((shared_data / "cyber" / "stix21" / "apt1.json.gz").read_bytes())
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        made = client.post(
            "/api/v1/datasets/cyb_nl_apt1/stix?handling=GREEN", content=apt1, headers=token(world, "joost")
        )
        assert made.status_code == 201 and made.json()["records"] == 76
        out = client.get(
            "/api/v1/datasets/cyb_nl_apt1/stix", params={"purpose": "share"}, headers=token(world, "ana")
        )
        assert out.status_code == 200 and out.headers["content-type"] == "application/stix+json;version=2.1"
        _valid(out.json())
        assert len(out.json()["objects"]) == 76
        bad = orjson.dumps(
            {"type": "bundle", "id": "bundle--1", "objects": [indicator(RED_ID.split("--")[1], "[x")]}
        )
        refused = client.post("/api/v1/datasets/cyb_nl_apt1/stix", content=bad, headers=token(world, "joost"))
        assert refused.status_code == 422 and "objects[0]" in refused.json()["detail"]
        assert client.get("/api/v1/datasets/cyb_nl_apt1/stix", headers=token(world, "ana")).status_code == 422
        assert (
            client.get("/api/v1/datasets/nope/stix?purpose=share", headers=token(world, "ana")).status_code
            == 404
        )


def test_the_cli_exports_a_valid_bundle(database_url: str, shared_data: Path, tmp_path: Path) -> None:
    cli = Cli(database_url)
    cli("init")
    cli("agency", "add", "CYB-NL", "--name", "Cyber NL", "--country", "NL", "--kind", "cyber")
    infrastructure = str(shared_data / "cyber" / "stix21" / "infrastructure.json.gz")
    cli("import", "stix", infrastructure, "--dataset", "infra", "--agency", "CYB-NL", "--handling", "AMBER")
    target = tmp_path / "out.json"
    cli("--purpose", "share with CERT", "export", "stix", "--dataset", "infra", "-o", str(target))
    bundle = orjson.loads(target.read_bytes())
    _valid(bundle)
    assert len(bundle["objects"]) == 10
    assert {ref for obj in bundle["objects"] for ref in obj["object_marking_refs"]} == {
        MARKING_OF[Handling.AMBER]
    }
