"""Property: whatever valid entities go in, export gives back the same entities."""

from __future__ import annotations

import datetime as dt
import io
import itertools
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from liaison.ingest import read
from liaison.ingest.ftm import read_ftm
from liaison.model import Agency, Envelope, Handling, Identity
from liaison.services.sharing import catalog
from liaison.services.sharing.imports import import_records

OPERATOR = Identity.operator()
NOW = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)

EXAMPLES = itertools.count()
NAMES = st.text(alphabet=st.characters(categories=("L",)), min_size=1, max_size=20)
DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)).flatmap(
    lambda day: st.sampled_from([day.isoformat(), day.isoformat()[:7], day.isoformat()[:4]])
)
PERSONS = st.fixed_dictionaries(
    {
        "name": st.lists(NAMES, min_size=1, max_size=3, unique=True),
        "birthDate": st.lists(DATES, max_size=2, unique=True),
        "nationality": st.lists(
            st.sampled_from(["fr", "es", "ua", "ng", "cn", "ru"]), max_size=2, unique=True
        ),
        "passportNumber": st.lists(
            st.from_regex(r"[A-Z]{2}[0-9]{6}", fullmatch=True), max_size=2, unique=True
        ),
    }
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(PERSONS, min_size=1, max_size=8))
def test_export_then_import_gives_back_the_same_entities(
    engine: Engine, agency: Agency, tmp_path: Path, people: list[dict[str, list[str]]]
) -> None:
    # The store outlives one example, so each example writes a dataset of its own.
    dataset = f"people_{next(EXAMPLES)}"
    source = tmp_path / "people.ftm.json"
    lines = [
        {"id": f"p{index}", "schema": "Person", "properties": {k: v for k, v in person.items() if v}}
        for index, person in enumerate(people)
    ]
    source.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    envelope = Envelope(agency.code, dataset, Handling.AMBER, "test", dt.date(2030, 1, 1))
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    import_records(engine, read("ftm", source), envelope=envelope, title="p", kind="ftm", source="s", now=now)
    exported = io.BytesIO()
    catalog.export_ftm(engine, dataset, exported, OPERATOR, NOW)
    back = {r.proxy.id: r.proxy.to_dict()["properties"] for r in read_ftm(_written(tmp_path, exported))}
    expected = {r.proxy.id: r.proxy.to_dict()["properties"] for r in read_ftm(source)}
    assert {k: {p: sorted(v) for p, v in props.items()} for k, props in back.items()} == {
        k: {p: sorted(v) for p, v in props.items()} for k, props in expected.items()
    }


def _written(tmp_path: Path, data: io.BytesIO) -> Path:
    path = tmp_path / "exported.ftm.json"
    path.write_bytes(data.getvalue())
    return path
