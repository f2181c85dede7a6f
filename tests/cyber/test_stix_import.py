"""STIX 2.1 bundles in, on both backends: the real OASIS bundles, TLP markings as handling, the
values of patterns and observables in the correlation index, and bad bundles refused whole."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from liaison.errors import BadInput
from liaison.model import Handling
from liaison.services.accounts import access
from liaison.services.cyber import correlation
from liaison.store.retention import delete_record
from liaison.store.tables import DatasetRow, EntityRow, ObservableRow, StixObjectRow
from tests.cyber.stix_world import (
    NOW,
    TLP2_AMBER_STRICT,
    TLP_RED,
    import_stix,
    indicator,
    two_agencies,
    write_bundle,
)
from tests.test_cli import Cli

BUNDLES = {
    "apt1.json.gz": 76,
    "poisonivy.json.gz": 155,
    "infrastructure.json.gz": 10,
    "indicators-for-C2-with-COA.json.gz": 8,
    "sighting-of-an-indicator.json.gz": 4,
    "sighting-of-observed-data.json.gz": 8,
}
A = "8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
B = "1d1b1a2f-6a5d-4b8f-9a53-1c6f3e5b2a10"


@pytest.fixture
def world(engine: Engine) -> Engine:
    two_agencies(engine)
    return engine


def _count(engine: Engine, table: type[StixObjectRow] | type[EntityRow] | type[DatasetRow]) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def _correlate(engine: Engine, user: str, value: str) -> list[str]:
    identity = access.identity_of(engine, user)
    (found,) = correlation.correlate(
        engine, identity, correlation.read_values([(None, value)]), purpose="case 2026/9", now=NOW
    )
    return sorted(str(held.entity.proxy.id) for held in found.records)


def test_the_real_oasis_bundles_import_whole_with_their_values_indexed(
    world: Engine, shared_data: Path
) -> None:
    for name, objects in BUNDLES.items():
        result = import_stix(world, shared_data / "cyber" / "stix21" / name)
        assert result.records == objects, name
    with Session(world) as session:
        ids = set(session.scalars(select(StixObjectRow.id)))
        mirrored = dict(session.execute(select(EntityRow.id, EntityRow.schema)).all())
    assert ids <= set(mirrored)  # every object has its record, which is what access control reads
    assert mirrored["intrusion-set--da1065ce-972c-4605-8755-9cd1074e3b5a"] == "Organization"  # APT1
    # APT1's indicator of 223.166.0.0/15 is found by an address inside the network.
    assert _correlate(world, "ana", "223.167.1.1") == ["indicator--031778a4-057f-48e6-9db9-c8d72b81ccd5"]
    # Poison Ivy's hash indicators are indexed; its malformed domain value is kept, not indexed.
    with Session(world) as session:
        kinds = dict(
            session.execute(
                select(ObservableRow.kind, func.count())
                .where(ObservableRow.dataset == "nl_stix")
                .group_by(ObservableRow.kind)
            ).all()
        )
    assert kinds["hash"] >= 5 and kinds["domain"] >= 20 and kinds["ip"] >= 40


def test_tlp_markings_tighten_the_import_handling_never_loosen_it(world: Engine, tmp_path: Path) -> None:
    bundle = write_bundle(
        tmp_path / "marked.json",
        indicator(A, "[ipv4-addr:value = '198.51.100.7']", TLP_RED),
        indicator(B, "[domain-name:value = 'pay.evil.example']", TLP2_AMBER_STRICT),
        indicator("0b6a3d2e-8f15-4c8f-9d3b-3f1e2c4b5a60", "[url:value = 'http://evil.example/x']"),
    )
    import_stix(world, bundle, handling=Handling.AMBER)
    with Session(world) as session:
        handling = dict(session.execute(select(EntityRow.id, EntityRow.handling)).all())
    assert handling == {
        f"indicator--{A}": "RED",
        f"indicator--{B}": "AMBER+STRICT",
        "indicator--0b6a3d2e-8f15-4c8f-9d3b-3f1e2c4b5a60": "AMBER",
    }
    # A GREEN import of a TLP:CLEAR object stays GREEN: the stricter of the two wins.
    clear = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
    import_stix(
        world,
        write_bundle(tmp_path / "clear.json", indicator(A, "[ipv4-addr:value = '198.51.100.7']", clear)),
        "clear_set",
    )
    with Session(world) as session:
        assert session.scalar(select(EntityRow.handling).where(EntityRow.dataset == "clear_set")) == "GREEN"
    # The other agency's analyst sees neither the RED nor the AMBER+STRICT indicator.
    assert _correlate(world, "ana", "198.51.100.7") == [f"indicator--{A}"]  # the GREEN copy only
    assert _correlate(world, "joost", "pay.evil.example") == [f"indicator--{B}"]
    assert _correlate(world, "ana", "pay.evil.example") == []


def test_every_version_is_kept_and_the_record_mirrors_the_newest(world: Engine, tmp_path: Path) -> None:
    old = indicator(A, "[ipv4-addr:value = '198.51.100.7']")
    new = {
        **indicator(A, "[ipv4-addr:value = '198.51.100.8']", modified="2026-12-01T08:00:00.000Z"),
        "name": "newer",
    }
    import_stix(world, write_bundle(tmp_path / "v.json", new, old))
    with Session(world) as session:
        versions = sorted(session.scalars(select(StixObjectRow.version)))
        caption = session.scalar(select(EntityRow.caption))
    assert versions == [
        dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 1, 8, tzinfo=dt.UTC),
    ]
    assert caption == "newer"
    # Both versions' values are indexed: an analyst searching the old address still finds it.
    assert _correlate(world, "joost", "198.51.100.7") == [f"indicator--{A}"]
    # Deleting the record forgets every version of the object.
    with Session(world) as session, session.begin():
        assert delete_record(session, "nl_stix", f"indicator--{A}")
    assert _count(world, StixObjectRow) == 0


@pytest.mark.parametrize(
    ("objects", "message"),
    [
        (
            [indicator(A, "[ipv4-addr:value = '1.2.3.4'")],
            f"objects[0]: indicator--{A}: Pattern failed to validate",
        ),
        ([indicator(A, "[ipv4-addr:value = '999.1.1.1']")], f"objects[0] indicator--{A}: ip: '999.1.1.1'"),
        (
            [
                indicator(B, "[ipv4-addr:value = '1.2.3.4']"),
                {"type": "ipv4-addr", "id": f"ipv4-addr--{A}", "value": "999.1.1.1"},
            ],
            "objects[1]: ipv4-addr--",
        ),
        ([{**indicator(A, "[ipv4-addr:value = '1.2.3.4']"), "spec_version": "2.0"}], "only STIX 2.1 is read"),
        ([{**indicator(A, "[ipv4-addr:value = '1.2.3.4']"), "pattern_type": None}], "objects[0]"),
        ([["not", "an", "object"]], "objects[0]: not a STIX object"),
        (
            [{**indicator(A, "[ipv4-addr:value = '1.2.3.4']"), "description": "x" * 2_000_000}],
            "larger than 1024 KiB",
        ),
    ],
)
def test_a_bad_object_refuses_the_whole_bundle_naming_it(
    world: Engine, tmp_path: Path, objects: list[object], message: str
) -> None:
    good = indicator("5f1a7c2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b", "[ipv4-addr:value = '203.0.113.9']")
    bundle = write_bundle(tmp_path / "bad.json", good, *objects)  # type: ignore[arg-type]
    with pytest.raises(BadInput) as caught:
        import_stix(world, bundle)
    assert str(bundle) in str(caught.value)
    assert message.replace("objects[0]", "objects[1]").replace("objects[1]: ipv4", "objects[2]: ipv4") in str(
        caught.value
    )
    assert _count(world, StixObjectRow) == _count(world, EntityRow) == _count(world, DatasetRow) == 0


def test_a_file_that_is_no_bundle_is_refused(world: Engine, tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"type": "report"}')
    (tmp_path / "y.json").write_text("{not json")
    for name, message in (("x.json", "not a STIX bundle"), ("y.json", "not JSON")):
        with pytest.raises(BadInput, match=message):
            import_stix(world, tmp_path / name)


def test_the_cli_imports_a_bundle_and_refuses_a_bad_one(
    database_url: str, shared_data: Path, tmp_path: Path
) -> None:
    cli = Cli(database_url)
    cli("init")
    cli("agency", "add", "CYB-NL", "--name", "Cyber NL", "--country", "NL", "--kind", "cyber")
    apt1 = str(shared_data / "cyber" / "stix21" / "apt1.json.gz")
    out = cli("import", "stix", apt1, "--dataset", "apt1", "--agency", "CYB-NL", "--handling", "AMBER")
    assert "imported 76 records into apt1" in out
    bad = write_bundle(tmp_path / "bad.json", indicator(A, "[ipv4-addr:value = '999.1.1.1']"))
    error = cli("import", "stix", str(bad), "--dataset", "apt1", "--agency", "CYB-NL", code=3)
    assert "'999.1.1.1'" in error and "bad.json" in error


@given(
    st.sampled_from(
        ["ipv4-addr:value", "domain-name:value", "url:value", "file:hashes.'SHA-256'", "file:name"]
    ),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40),
)
def test_the_fast_reading_of_simple_patterns_agrees_with_the_parser(path: str, value: str) -> None:
    from stix2patterns.v21.pattern import Pattern

    from liaison.ingest.stix_mirror import _comparisons

    quoted = value.replace("\\", "\\\\").replace("'", "\\'")
    pattern = f"[{path} = '{quoted}']"
    parsed = {
        kind: [(list(steps), op, literal) for steps, op, literal in tests]
        for kind, tests in Pattern(pattern).inspect().comparisons.items()
    }
    assert _comparisons(pattern) == parsed
