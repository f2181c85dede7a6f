"""MISP events in, on both backends: the real CIRCL events read as STIX objects (indicators with
patterns, the actor and malware of galaxy tags, TLP tags as markings), their values correlated,
and an unknown attribute type or a bad value refused naming the attribute."""

from __future__ import annotations

import copy
import gzip
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from liaison.errors import BadInput
from liaison.ingest.misp import read_misp
from liaison.model import Envelope, Handling
from liaison.services.accounts import access
from liaison.services.cyber import correlation
from liaison.services.sharing.imports import import_records
from liaison.store.tables import EntityRow, StixObjectRow
from tests.cyber.stix_world import NOW, two_agencies

FALLCHILL = "misp_event_hidden_cobra_fallchill.json.gz"
ASERT = "misp_event_asert_four_element_sword.json.gz"


def _import(engine: Engine, path: Path, handling: Handling = Handling.AMBER) -> int:
    envelope = Envelope("CYB-NL", "nl_misp", handling, "cyber investigation", NOW.date().replace(year=2031))
    result = import_records(
        engine, read_misp(path), envelope=envelope, title="MISP", kind="misp", source=str(path), now=NOW
    )
    return result.records


@pytest.fixture
def world(engine: Engine) -> Engine:
    two_agencies(engine)
    return engine


def _event(shared_data: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(gzip.decompress((shared_data / "cyber" / "misp" / name).read_bytes()))
    return data


def test_the_circl_events_import_with_actor_malware_and_indicators(world: Engine, shared_data: Path) -> None:
    assert _import(world, shared_data / "cyber" / "misp" / FALLCHILL) == 350
    assert _import(world, shared_data / "cyber" / "misp" / ASERT) == 300
    with Session(world) as session:
        types = dict(
            session.execute(select(StixObjectRow.type, func.count()).group_by(StixObjectRow.type)).all()
        )
        actor = session.scalar(select(EntityRow).where(EntityRow.caption == "Lazarus Group"))
        handling = set(session.scalars(select(EntityRow.handling)))
    # 87 + 3 + 3 C2 addresses and 14 + 2 + 2 + 2 hashes of FALLCHILL; 293 ASERT indicators.
    assert types["indicator"] == 115 + 293 and types["threat-actor"] == 1 and types["malware"] == 1
    assert types["relationship"] == 230  # each FALLCHILL indicator indicates the actor and the malware
    assert types["report"] == 2 and types["vulnerability"] == 4
    assert actor is not None and actor.schema == "LegalEntity"
    # tlp:white on the events is CLEAR, but the import's AMBER is the stricter.
    assert handling == {"AMBER"}
    # A C2 address of the FALLCHILL report correlates to its indicator.
    identity = access.identity_of(world, "joost")
    (found,) = correlation.correlate(
        world, identity, correlation.read_values([(None, "98.101.211.162")]), purpose="case 2026/9", now=NOW
    )
    assert [held.entity.proxy.schema.name for held in found.records] == ["Note"]


def test_tlp_tags_become_markings(world: Engine, shared_data: Path, tmp_path: Path) -> None:
    event = _event(shared_data, FALLCHILL)
    event["Event"]["Attribute"][0]["Tag"] = [{"name": "tlp:red"}]
    target = tmp_path / "event.json"
    target.write_bytes(orjson.dumps(event))
    _import(world, target, Handling.CLEAR)
    uuid = event["Event"]["Attribute"][0]["uuid"]
    with Session(world) as session:
        handling = dict(session.execute(select(EntityRow.id, EntityRow.handling)).all())
    assert handling[f"indicator--{uuid}"] == "RED"
    assert handling[f"report--{event['Event']['uuid']}"] == "CLEAR"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"type": "x-made-up"},
            "Attribute[0] 5a0d5cac-6a08-4d5b-8e4c-4a91950d210f: unknown MISP attribute type",
        ),
        ({"value": "999.1.1.1"}, "Attribute[0]: field 'value': '999.1.1.1' is not an IP address"),
        ({"timestamp": "yesterday"}, "Attribute[0]: field 'timestamp'"),
        ({"value": "a' OR 1=1"}, "Attribute[0]: field 'value': \"a' OR 1=1\" is not an IP address"),
    ],
)
def test_a_bad_attribute_refuses_the_event_naming_it(
    world: Engine, shared_data: Path, tmp_path: Path, change: dict[str, str], message: str
) -> None:
    event = copy.deepcopy(_event(shared_data, FALLCHILL))
    event["Event"]["Attribute"][0].update({"uuid": "5a0d5cac-6a08-4d5b-8e4c-4a91950d210f", **change})
    target = tmp_path / "event.json"
    target.write_bytes(orjson.dumps(event))
    with pytest.raises(BadInput) as caught:
        _import(world, target)
    assert str(target) in str(caught.value) and message in str(caught.value)
    with Session(world) as session:
        assert session.scalar(select(func.count()).select_from(StixObjectRow)) == 0


def test_a_file_that_is_no_event_is_refused(world: Engine, tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    target.write_text('{"response": []}')
    with pytest.raises(BadInput, match="not a MISP event"):
        _import(world, target)


def test_a_value_cannot_break_out_of_its_pattern() -> None:
    from stix2patterns.v21.pattern import Pattern

    from liaison.ingest.misp import _pattern

    hostile = "evil.example'] OR [ipv4-addr:value = '0.0.0.0/0"
    found = _pattern("hostname", hostile)
    assert found is not None
    comparisons = Pattern(found[1]).inspect().comparisons
    assert list(comparisons) == ["domain-name"]  # one comparison, of the whole value
    ((_path, _op, literal),) = comparisons["domain-name"]
    assert literal[1:-1].replace("\\'", "'") == hostile
