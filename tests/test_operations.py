"""Coordinated operations: planning, field results, the tally, victims' details and the report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.errors import BadInput, Conflict, Forbidden, NotFound
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.model.operation import Checkpoint, FieldReport, OperationPlan, ResultKind, Seizure
from liaison.services.operations import operation_report, operations
from tests.test_access_cli import two_agencies
from tests.test_cli import Cli

START, END = dt.date(2026, 12, 1), dt.date(2026, 12, 7)
NOW = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC)


def plan(**changes: object) -> OperationPlan:
    values: dict[str, object] = {
        "agencies": ["NCB-FR", "NCB-ES"],
        "countries": ["fr", "ESP"],
        "checkpoints": [Checkpoint.parse("mad", "Madrid Barajas", "airport", "es", ["ux1094"])],
    }
    values.update(changes)
    return OperationPlan.parse("Liberterra III", "trafficking", START, END, **values)  # type: ignore[arg-type]


def test_a_plan_is_checked_whole() -> None:
    checked = plan()
    assert checked.countries == ("fr", "es")
    assert checked.checkpoint("MAD") == Checkpoint(
        "MAD", "Madrid Barajas", checked.checkpoints[0].kind, "es", ("UX1094",)
    )
    with pytest.raises(BadInput, match="field 'ends'"):
        OperationPlan.parse("x", "cyber", END, START, agencies=["A"], countries=["fr"])
    with pytest.raises(BadInput, match="field 'area'"):
        OperationPlan.parse("x", "piracy", START, END, agencies=["A"], countries=["fr"])
    with pytest.raises(BadInput, match="'XX' is not an ISO 3166"):
        OperationPlan.parse("x", "cyber", START, END, agencies=["A"], countries=["XX"])
    with pytest.raises(BadInput, match="MAD is in ES, which is not a participating country"):
        plan(countries=["fr"])


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"count": -1}, "field 'count': -1 is negative"),
        ({"country": "de"}, "DE does not take part"),
        ({"day": dt.date(2026, 12, 8)}, "field 'day': 2026-12-08 is outside"),
        ({"checkpoint": "KIV"}, "no checkpoint 'KIV'"),
        ({"checkpoint": "MAD", "country": "fr"}, "MAD is in ES, not FR"),
        ({"kind": "seizure"}, "field 'seizure'"),
        ({"kind": "lunch"}, "field 'kind'"),
        ({"seizure": Seizure("ivory", 3, "kg")}, "only a result of kind 'seizure'"),
    ],
)
def test_a_field_result_is_refused_with_the_field_at_fault(changes: dict[str, object], problem: str) -> None:
    values: dict[str, object] = {"kind": "arrest", "count": 1, "country": "es", "day": START}
    values.update(changes)
    kind, count, country, day = (values.pop(key) for key in ("kind", "count", "country", "day"))
    with pytest.raises(BadInput, match=problem):
        FieldReport.parse(plan(), str(kind), int(count), str(country), day, **values)  # type: ignore[call-overload, arg-type]


def _world(engine: Engine) -> dict[str, Identity]:
    with Session(engine) as session, session.begin():
        for code, country in (("NCB-FR", "FR"), ("NCB-ES", "ES"), ("NCB-DE", "DE")):
            store.save_agency(session, Agency(code, code, country, AgencyKind.NCB))
    return {
        "hugo": Identity.member("hugo", "NCB-FR", "FR", Role.COORDINATOR),
        "alice": Identity.member("alice", "NCB-FR", "FR", Role.ANALYST),
        "bob": Identity.member("bob", "NCB-ES", "ES", Role.OFFICER),
        "audrey": Identity.member("audrey", "NCB-ES", "ES", Role.AUDITOR),
        "dieter": Identity.member("dieter", "NCB-DE", "DE", Role.COORDINATOR),
    }


def test_participants_file_and_read_others_do_not_exist(engine: Engine) -> None:
    users = _world(engine)
    with pytest.raises(Forbidden, match="coordinators"):
        operations.create(engine, users["alice"], plan(), NOW)
    made = operations.create(engine, users["hugo"], plan(), NOW)
    with pytest.raises(Conflict, match="named 'Liberterra III' exists"):
        operations.create(engine, users["hugo"], plan(), NOW)
    file = {"country": "es", "day": START, "now": NOW}
    arrest = operations.file_result(
        engine, users["bob"], made.operation_id, kind="arrest", count=2, checkpoint="MAD", **file
    )  # type: ignore[arg-type]
    operations.file_result(
        engine, users["bob"], "Liberterra III", kind="victim_rescued", count=3, note="two minors", **file
    )  # type: ignore[arg-type]
    with pytest.raises(Forbidden, match="auditor reads field results"):
        operations.file_result(engine, users["audrey"], made.operation_id, kind="arrest", count=1, **file)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        operations.file_result(engine, users["dieter"], made.operation_id, kind="arrest", count=1, **file)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        operations.tally(engine, users["dieter"], made.operation_id)
    assert [found.plan.name for found in operations.list_operations(engine, users["dieter"])] == []

    _found, tally = operations.tally(engine, users["alice"], made.operation_id)
    assert tally.totals == {"arrest": 2, "victim_rescued": 3}
    assert tally.by_country == {"es": {"arrest": 2, "victim_rescued": 3}}
    assert tally.last_result == arrest.result_id + 1

    _found, filed = operations.results(engine, users["alice"], made.operation_id, NOW)
    shown = [operations.view_result(result, users["alice"]) for result in filed]
    assert shown[1]["withheld"] is True and shown[1]["note"] == ""
    own = [operations.view_result(result, users["bob"]) for result in filed]
    assert own[1]["note"] == "two minors" and own[1]["handling"] == "RED"

    with pytest.raises(Forbidden, match="NCB-FR's coordinators"):
        operations.close(engine, users["bob"], made.operation_id, NOW)
    operations.close(engine, users["hugo"], made.operation_id, NOW)
    with pytest.raises(Conflict, match="takes no more results"):
        operations.file_result(engine, users["bob"], made.operation_id, kind="arrest", count=1, **file)  # type: ignore[arg-type]


def test_the_report_traces_every_figure_to_its_results(engine: Engine) -> None:
    users = _world(engine)
    made = operations.create(engine, users["hugo"], plan(), NOW)
    filed = {"now": NOW, "source": "test"}
    operations.file_result(
        engine, users["bob"], made.operation_id, kind="arrest", count=4, country="es", day=START, **filed
    )  # type: ignore[arg-type]
    operations.file_result(
        engine, users["alice"], made.operation_id, kind="arrest", count=1, country="fr", day=END, **filed
    )  # type: ignore[arg-type]
    operations.file_result(
        engine,
        users["bob"],
        made.operation_id,
        kind="seizure",
        count=1,
        country="es",
        day=START,
        seizure=Seizure("pangolin scales", 120.5, "kg", "Madrid Barajas cargo"),
        **filed,  # type: ignore[arg-type]
    )
    operations.file_result(
        engine,
        users["bob"],
        made.operation_id,
        kind="victim_identified",
        count=2,
        country="es",
        day=START,
        note="names: X, Y",
        **filed,
    )  # type: ignore[arg-type]
    report = operation_report.build(engine, users["alice"], made.operation_id, NOW)
    assert report.tally.totals["arrest"] == 5
    assert report.total_results == 4 and report.withheld == frozenset({4})
    html = operation_report.render_html(report)
    assert "results 1 to 4" in html
    assert 'id="r3"' in html and "120.5 kg of pangolin scales at Madrid Barajas cargo" in html
    assert "names: X, Y" not in html and "withheld (TLP:RED)" in html
    assert "<svg" in html and "NCB-ES" in html
    assert operation_report.render_pdf(report).startswith(b"%PDF")
    with Session(engine) as session:
        actions = [chained.event.action for chained in store.iter_events(session)]
    assert "operation.report" in actions


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["bob", "alice"]),
            st.sampled_from([kind.value for kind in ResultKind if kind is not ResultKind.SEIZURE]),
            st.integers(0, 10_000),
            st.sampled_from(["fr", "es"]),
            st.integers(0, 6),
        ),
        max_size=12,
    )
)
def test_the_tally_is_the_sum_of_the_results_and_red_stays_with_its_agency(
    tmp_path_factory: pytest.TempPathFactory, filings: list[tuple[str, str, int, str, int]]
) -> None:
    engine = store.open_engine(f"sqlite:///{tmp_path_factory.mktemp('ops') / 'ops.db'}")
    store.migrate(engine)
    users = _world(engine)
    made = operations.create(engine, users["hugo"], plan(), NOW)
    for user, kind, count, country, offset in filings:
        operations.file_result(
            engine,
            users[user],
            made.operation_id,
            kind=kind,
            count=count,
            country=country,
            day=START + dt.timedelta(days=offset),
            note=f"secret {user}",
            now=NOW,
        )
    _found, tally = operations.tally(engine, users["alice"], made.operation_id)
    expected: dict[str, int] = {}
    for _user, kind, count, _country, _offset in filings:
        expected[kind] = expected.get(kind, 0) + count
    assert tally.totals == expected
    assert sum(sum(day.values()) for day in tally.by_day.values()) == sum(expected.values())
    for reader in ("alice", "bob"):
        _found, filed = operations.results(engine, users[reader], made.operation_id, NOW)
        for result in filed:
            view = operations.view_result(result, users[reader])
            if result.handling == "RED" and result.agency != users[reader].agency:
                assert view["note"] == "" and view["withheld"] is True
            else:
                assert view["note"] == f"secret {result.filed_by}"
    engine.dispose()


def test_operations_from_the_cli(database_url: str, tmp_path: Path) -> None:
    cli: Cli = two_agencies(database_url)
    cli("user", "add", "hugo", "--agency", "NCB-FR", "--role", "coordinator")
    planned = ["--name", "Synergia III", "--area", "cyber", "--starts", "2026-12-01", "--ends", "2026-12-07"]
    planned += ["--agency", "NCB-ES", "--country", "es", "--country", "fr"]
    planned += ["--checkpoint", "MAD:airport:es:Madrid:UX1094,IB3170"]
    created = cli("--as", "hugo", "operation", "create", *planned)
    assert "created: Synergia III" in created
    result = ("--as", "bob", "operation", "result", "Synergia III")
    in_spain = ("--country", "es", "--day", "2026-12-02")
    cli(*result, "--kind", "ip_taken_down", "--count", "40", *in_spain)
    servers = ("--what", "servers", "--quantity", "3", "--unit", "pieces")
    cli(*result, "--kind", "seizure", "--count", "1", *in_spain, *servers)
    refused = cli(*result, "--kind", "arrest", "--count", "-2", "--country", "es", code=3)
    assert "field 'count': -2 is negative" in refused
    in_ukraine = ("--country", "ua", "--day", "2026-12-02")
    assert "UA does not take part" in cli(*result, "--kind", "arrest", "--count", "1", *in_ukraine, code=3)
    tally = json.loads(cli("--as", "alice", "operation", "tally", "Synergia III", "--json"))
    assert tally["totals"] == {"ip_taken_down": 40, "seizure": 1}
    rows = cli("--as", "alice", "operation", "results", "Synergia III", "--csv").splitlines()
    assert rows[0].startswith("id,day,country") and len(rows) == 3
    assert cli("--as", "audrey", "operation", "show", "Synergia III", "--json").count("UX1094") == 1
    report = tmp_path / "synergia.pdf"
    cli("--as", "alice", "operation", "report", "Synergia III", "--out", str(report))
    assert report.read_bytes().startswith(b"%PDF")
    assert "written as .html or .pdf" in cli(
        "--as", "alice", "operation", "report", "Synergia III", "--out", str(tmp_path / "r.doc"), code=3
    )
    cli("--as", "hugo", "operation", "close", "Synergia III")
    assert "takes no more results" in cli(*result, "--kind", "arrest", "--count", "1", *in_spain, code=6)
