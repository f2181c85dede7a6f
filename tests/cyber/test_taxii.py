"""The TAXII 2.1 server driven by the real `taxii2-client`, on both backends: discovery, the API
root, collections per agency, objects with filters and pagination, manifests, versions, POSTed
envelopes with status, access control through the records' filter, and TAXII error messages."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import orjson
import pytest
import uvicorn
from requests.exceptions import HTTPError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from taxii2client.exceptions import AccessError
from taxii2client.v21 import ApiRoot, Collection, Server, Status, as_pages

from liaison.api.app import create_app
from liaison.model import Handling, Identity
from liaison.model.markings import MARKING_OF
from liaison.services.accounts import access
from liaison.services.cyber.taxii import collection_id
from liaison.settings import Settings
from liaison.store.tables import AuditEventRow, StixObjectRow
from tests.cyber.stix_world import NOW, TLP_RED, import_stix, indicator, two_agencies, write_bundle

TAXII = "application/taxii+json;version=2.1"


@pytest.fixture
def served(engine: Engine, database_url: str, shared_data: Path, tmp_path: Path) -> Iterator[str]:
    """A live server on a store where CYB-NL shares APT1 (GREEN) and keeps one RED indicator."""
    two_agencies(engine)
    import_stix(engine, shared_data / "cyber" / "stix21" / "apt1.json.gz", "nl_apt1")
    secret = indicator("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", "[ipv4-addr:value = '198.51.100.7']", TLP_RED)
    import_stix(engine, write_bundle(tmp_path / "red.json", secret), "nl_apt1")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(Settings(database_url=database_url)), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _token(engine: Engine, user: str) -> str:
    made, _ = access.create_token(engine, Identity.operator(), user, NOW, scopes=("read", "write"))
    return made.text


def _root(url: str, engine: Engine, user: str) -> ApiRoot:
    server = Server(f"{url}/taxii2/", user=user, password=_token(engine, user))
    (root,) = server.api_roots
    assert server.default.url == root.url
    return root


def _collection(root: ApiRoot, dataset: str) -> Collection:
    (found,) = [item for item in root.collections if item.id == collection_id(dataset)]
    return found


def test_a_reader_discovers_collections_and_pages_through_objects(served: str, engine: Engine) -> None:
    root = _root(served, engine, "ana")
    assert root.title == "Liaison" and TAXII in root.versions
    apt1 = _collection(root, "nl_apt1")
    assert apt1.can_read and not apt1.can_write
    # 76 APT1 objects are GREEN; the RED indicator is CYB-NL's alone.
    pages = list(as_pages(apt1.get_objects, per_request=20))
    objects = [obj for page in pages for obj in page.get("objects", [])]
    assert len(pages) == 4 and len(objects) == 76
    assert len({obj["id"] for obj in objects}) == 76
    assert not any(obj["id"].endswith("8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f") for obj in objects)
    indicators = apt1.get_objects(type="indicator")["objects"]
    assert len(indicators) == 12 and {obj["type"] for obj in indicators} == {"indicator"}
    actor = "threat-actor--6d179234-61fc-40c4-ae86-3d53308d8e65"
    (only,) = apt1.get_objects(id=actor)["objects"]
    assert only["name"] == "Ugly Gorilla"
    assert apt1.get_object(actor)["objects"][0]["id"] == actor
    assert apt1.object_versions(actor)["versions"] == ["2015-05-15T09:12:16.432000Z"]
    manifest = apt1.get_manifest(type="report")
    assert [record["id"] for record in manifest["objects"]] == [
        "report--e33ffe07-2f4c-48d8-b0af-ee2619d765cf"
    ]
    assert manifest["objects"][0]["media_type"] == "application/stix+json;version=2.1"
    # Nothing added after the import: an empty envelope.
    assert apt1.get_objects(added_after="2099-01-01T00:00:00Z").get("objects", []) == []
    with Session(engine) as session:
        reads = session.scalar(
            select(func.count()).where(AuditEventRow.actor == "ana", AuditEventRow.action.like("taxii.%"))
        )
    assert reads and reads >= 8


def test_the_owner_sees_its_red_object_and_writes_an_envelope(served: str, engine: Engine) -> None:
    root = _root(served, engine, "joost")
    apt1 = _collection(root, "nl_apt1")
    assert apt1.can_read and apt1.can_write
    assert len(apt1.get_objects(type="indicator")["objects"]) == 13
    new = indicator("0b6a3d2e-8f15-4c8f-9d3b-3f1e2c4b5a60", "[domain-name:value = 'c2.evil.example']")
    status = apt1.add_objects({"objects": [new]}, wait_for_completion=False)
    assert status.status == "complete" and status.success_count == 1 and status.failure_count == 0
    assert Status(f"{root.url}status/{status.id}/", conn=root._conn).success_count == 1
    (stored,) = apt1.get_objects(id=new["id"])["objects"]
    # Kept unmarked as AMBER (taxii.UNMARKED), it comes back marked with that handling.
    assert stored == {**new, "object_marking_refs": [MARKING_OF[Handling.AMBER]]}
    # An unmarked object is AMBER: the other agency's reader cannot see it.
    reader = _collection(_root(served, engine, "ana"), "nl_apt1")
    assert reader.get_objects(id=new["id"]).get("objects", []) == []
    # A newer version: both are kept, the newest is what `objects` returns.
    newer = {**new, "modified": "2026-12-02T09:00:00.000Z", "name": "c2 updated"}
    apt1.add_objects({"objects": [newer]}, wait_for_completion=False)
    assert apt1.object_versions(new["id"])["versions"] == [
        "2026-11-30T10:00:00.000000Z",
        "2026-12-02T09:00:00.000000Z",
    ]
    assert apt1.get_object(new["id"])["objects"][0]["name"] == "c2 updated"
    assert len(apt1.get_object(new["id"], version="all")["objects"]) == 2
    assert apt1.get_object(new["id"], version="first")["objects"][0]["name"] == new["name"]


def test_an_envelope_with_a_bad_object_adds_nothing_and_says_why(served: str, engine: Engine) -> None:
    apt1 = _collection(_root(served, engine, "joost"), "nl_apt1")
    good = indicator("5f1a7c2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b", "[ipv4-addr:value = '203.0.113.9']")
    bad = indicator("1d1b1a2f-6a5d-4b8f-9a53-1c6f3e5b2a10", "[ipv4-addr:value = '1.2.3.4'")
    with Session(engine) as session:
        before = session.scalar(select(func.count()).select_from(StixObjectRow))
    status = apt1.add_objects({"objects": [good, bad]}, wait_for_completion=False)
    assert status.success_count == 0 and status.failure_count == 2
    (why,) = [failure["message"] for failure in status.failures if failure["id"] == bad["id"]]
    assert "Pattern failed to validate" in why
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(StixObjectRow)) == before
    # A reader may not write to another agency's collection: the client knows from can_write,
    # and the server refuses a client that tries anyway.
    reader = _collection(_root(served, engine, "ana"), "nl_apt1")
    with pytest.raises(AccessError):
        reader.add_objects({"objects": [good]}, wait_for_completion=False)
    refused = httpx.post(
        f"{reader.url}objects/",
        content=orjson.dumps({"objects": [good]}),
        headers={"Accept": TAXII, "Content-Type": TAXII, "Authorization": f"Bearer {_token(engine, 'ana')}"},
    )
    assert refused.status_code == 403 and refused.json()["http_status"] == "403"


def test_bad_requests_get_taxii_error_messages(served: str, engine: Engine) -> None:
    headers = {"Accept": TAXII, "Authorization": f"Bearer {_token(engine, 'ana')}"}
    base = f"{served}/taxii2/liaison/collections"
    cases = {
        f"{base}/{collection_id('nl_apt1')}/objects/?added_after=yesterday": 400,
        f"{base}/{collection_id('nl_apt1')}/objects/?next=not-a-token": 400,
        f"{base}/{collection_id('nl_apt1')}/objects/?limit=0": 400,
        f"{base}/{collection_id('nl_apt1')}/objects/?match[version]=tuesday": 400,
        f"{base}/00000000-0000-0000-0000-000000000000/objects/": 404,
        f"{base}/{collection_id('nl_apt1')}/objects/indicator--00000000-0000-4000-8000-000000000000/": 404,
    }
    for url, status in cases.items():
        response = httpx.get(url, headers=headers)
        assert response.status_code == status, url
        assert response.headers["content-type"] == TAXII
        assert response.json()["http_status"] == str(status) and response.json()["description"]
    assert httpx.get(f"{served}/taxii2/", headers={**headers, "Accept": "text/html"}).status_code == 406
    anonymous = httpx.get(
        f"{served}/taxii2/liaison/collections/{collection_id('nl_apt1')}/objects/", headers={"Accept": TAXII}
    )
    # The public may read only CLEAR records: APT1 is GREEN, so the collection is not theirs to see.
    assert anonymous.status_code == 404
    forged = httpx.get(
        f"{served}/taxii2/", headers={"Accept": TAXII, "Authorization": "Basic bm90LWEtdG9rZW4="}
    )
    assert forged.status_code == 401 and forged.json()["http_status"] == "401"
    with pytest.raises(HTTPError) as caught:
        Server(f"{served}/taxii2/", user="ana", password="liaison_wrong_token").api_roots  # noqa: B018
    assert caught.value.response.status_code == 401
