"""Operation pages on both backends: a coordinator plans an operation through the form, participants
file field results and read the tally, refused forms come back with the reason (422), others do
not see the operation, auditors read but do not file, and the report downloads as HTML and PDF.

Strategy: the smallest world with three agencies: NCB-FR coordinates (hugo, coordinator; alice,
analyst), NCB-ES takes part (bob, officer; ines, auditor), NCB-DE does not (dieter, analyst). The
operation runs from two days ago to four days ahead, so it is active today.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from liaison.api.app import create_app
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.services.operations import operations
from liaison.settings import Settings
from tests.api.test_alerts_api import events
from tests.web.pages import PASSWORD, logged_in, text_of

NOW = dt.datetime.now(dt.UTC)
TODAY = NOW.date()
PLAN = {
    "name": "Liberterra III",
    "area": "trafficking",
    "starts": (TODAY - dt.timedelta(days=2)).isoformat(),
    "ends": (TODAY + dt.timedelta(days=4)).isoformat(),
    "agencies": ["NCB-ES"],
    "countries": "fr, es",
    "objectives": "Identify and rescue victims at the Madrid and Paris airports.",
    "checkpoints": "MAD:airport:es:Madrid Barajas:UX1094,IB3170\n\nCDG:airport:fr",
}
ARREST = {"kind": "arrest", "count": "2", "country": "es", "checkpoint": "MAD"}
BOB = Identity.member("bob", "NCB-ES", "ES", Role.OFFICER)


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency) -> Iterator[TestClient]:
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    agencies.register(engine, Agency("NCB-DE", "NCB Wiesbaden", "DE", AgencyKind.NCB))
    users = (
        ("hugo", "NCB-FR", Role.COORDINATOR),
        ("alice", "NCB-FR", Role.ANALYST),
        ("bob", "NCB-ES", Role.OFFICER),
        ("ines", "NCB-ES", Role.AUDITOR),
        ("dieter", "NCB-DE", Role.ANALYST),
    )
    for user, code, role in users:
        access.add_user(engine, Identity.operator(), user, code, role, NOW, password=PASSWORD)
    with TestClient(create_app(Settings(database_url=database_url, cookie_secure=False))) as test_client:
        yield test_client


def plan(client: TestClient, csrf: str, **changes: object) -> str:
    """Plan an operation through the form; its id, from the page it lands on."""
    made = client.post("/app/operations/new", data={**PLAN, **changes, "csrf": csrf}, follow_redirects=False)
    assert made.status_code == 303, made.text
    found = re.fullmatch(r"/app/operations/(\w+)", made.headers["location"])
    assert found is not None
    return found.group(1)


def file(client: TestClient, csrf: str, key: str, **fields: str) -> int:
    """File a field result through the form; its id, from the page it lands on."""
    filed = client.post(
        f"/app/operations/{key}/results", data={**fields, "csrf": csrf}, follow_redirects=False
    )
    assert filed.status_code == 303, filed.text
    found = re.fullmatch(rf"/app/operations/{key}\?filed=(\d+)#file", filed.headers["location"])
    assert found is not None
    return int(found.group(1))


def total(html: str, kind: str) -> str:
    """The tally's total of one kind, as the page draws it."""
    found = re.search(rf'id="total-{kind}"[^>]*>([^<]*)<', html)
    assert found is not None
    return found.group(1)


def listed(html: str) -> list[int]:
    """The ids of the field results the page lists, in its order."""
    table = html.split('id="h-results"', 1)[1]
    return [int(found) for found in re.findall(r"<tr>\s*<td>(\d+)</td>", table)]


def test_a_coordinator_plans_an_operation_through_the_form(client: TestClient) -> None:
    csrf = logged_in(client, "hugo")
    assert 'href="/app/operations/new"' in client.get("/app/operations").text
    form = client.get("/app/operations/new")
    assert form.status_code == 200 and 'value="NCB-ES"' in form.text
    key = plan(client, csrf)
    shown = text_of(client.get(f"/app/operations/{key}").text)
    for expected in (
        "Liberterra III",
        "active",
        "coordinated by NCB-FR",
        "Madrid Barajas",
        "UX1094, IB3170",
        "CDG",
        "Spain (ES)",
        "France (FR)",
        "Identify and rescue victims",
        "File a field result",
        "Close operation",
    ):
        assert expected in shown, expected
    assert f'href="/app/operations/{key}"' in client.get("/app/operations").text

    for changes, problem, status in (
        ({"ends": PLAN["starts"], "starts": PLAN["ends"]}, "field 'ends'", 422),
        ({"checkpoints": "MAD:airport"}, "field 'checkpoints', line 1", 422),
        ({"checkpoints": "CDG:airport:fr\nKBP:lounge:ua"}, "line 2: field 'checkpoints.kind'", 422),
        ({"checkpoints": "KBP:airport:ua"}, "KBP is in UA, which is not a participating country", 422),
        ({"countries": "fr xx"}, "'xx' is not an ISO 3166", 422),
        ({"starts": "soon"}, "field 'starts'", 422),
        ({}, "named 'Liberterra III' exists", 409),
    ):
        refused = client.post("/app/operations/new", data={**PLAN, **changes, "csrf": csrf})
        assert refused.status_code == status and problem in html.unescape(refused.text), changes
        # What was typed comes back, the agencies ticked still ticked.
        assert 'value="Liberterra III"' in refused.text
        assert re.search(r'value="NCB-ES"\s+checked', refused.text)

    csrf = logged_in(client, "alice")
    assert 'href="/app/operations/new"' not in client.get("/app/operations").text
    assert 'action="/app/operations/new"' not in client.get("/app/operations/new").text
    refused = client.post("/app/operations/new", data={**PLAN, "name": "Mine", "csrf": csrf})
    assert refused.status_code == 403 and "coordinators" in refused.text


def test_a_participant_files_results_and_the_tally_counts_them(client: TestClient) -> None:
    key = plan(client, logged_in(client, "hugo"))
    csrf = logged_in(client, "bob")
    arrest = file(client, csrf, key, **ARREST)
    page = client.get(f"/app/operations/{key}", params={"filed": arrest})
    assert f"Result #{arrest} filed" in page.text
    assert total(page.text, "arrest") == "2" and total(page.text, "hit") == "0"
    assert re.search(r'data-key="es".*?data-kind="arrest">2<', page.text, re.S)
    assert listed(page.text) == [arrest]
    # The stream the page's script follows answers the session cookie too.
    stream = events(client, {}, f"/api/v1/operations/{key}/tally/stream", max_events=1)
    assert stream[0]["event"] == "tally" and stream[0]["data"]["totals"] == {"arrest": 2}  # type: ignore[index]

    seizure = {
        "kind": "seizure",
        "count": "1",
        "country": "es",
        "what": "cocaine",
        "quantity": "12.5",
        "unit": "kg",
        "place": "hold of UX1094",
    }
    file(client, csrf, key, **seizure)
    victims = {
        "kind": "victim_rescued",
        "count": "3",
        "country": "fr",
        "day": PLAN["starts"],
        "note": "two minors",
        "entities": "e-1, e-2",
    }
    file(client, csrf, key, **victims)
    own = client.get(f"/app/operations/{key}")
    assert "12.5 kg of cocaine at hold of UX1094" in own.text and "two minors" in own.text
    assert total(own.text, "victim_rescued") == "3" and PLAN["starts"] in own.text

    logged_in(client, "hugo")
    other = client.get(f"/app/operations/{key}")
    assert "withheld (TLP:RED)" in other.text and "two minors" not in other.text and "e-1" not in other.text
    assert total(other.text, "victim_rescued") == "3" and "12.5 kg of cocaine" in other.text


def test_a_refused_result_comes_back_with_the_reason(client: TestClient) -> None:
    key = plan(client, logged_in(client, "hugo"))
    csrf = logged_in(client, "bob")
    for changes, problem in (
        ({"count": "-1"}, "field 'count': -1 is negative"),
        ({"country": "de", "checkpoint": ""}, "DE does not take part in this operation"),
        ({"count": "many"}, "not a whole number"),
        ({"day": "2020-01-01"}, "outside the operation's period"),
        ({"checkpoint": "CDG"}, "CDG is in FR, not ES"),
        ({"kind": "seizure", "what": "ivory"}, "field 'seizure'"),
    ):
        refused = client.post(
            f"/app/operations/{key}/results", data={**ARREST, **changes, "note": "kept", "csrf": csrf}
        )
        assert refused.status_code == 422 and problem in html.unescape(refused.text), changes
        assert '<p class="error" role="alert">' in refused.text and ">kept</textarea>" in refused.text
        assert "<h1>Liberterra III</h1>" in refused.text and total(refused.text, "arrest") == "0"
    assert listed(client.get(f"/app/operations/{key}").text) == []


def test_others_do_not_see_it_auditors_do_not_file_and_a_closed_one_takes_no_more(client: TestClient) -> None:
    hugo = logged_in(client, "hugo")
    key = plan(client, hugo)

    csrf = logged_in(client, "dieter")
    for path in (
        f"/app/operations/{key}",
        f"/app/operations/{key}/report",
        f"/app/operations/{key}/report.pdf",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/app/operations/{key}/results", data={**ARREST, "csrf": csrf}).status_code == 404
    assert key not in client.get("/app/operations").text

    csrf = logged_in(client, "ines")
    shown = client.get(f"/app/operations/{key}")
    assert shown.status_code == 200 and 'id="result-form"' not in shown.text
    assert "does not file them" in shown.text
    refused = client.post(f"/app/operations/{key}/results", data={**ARREST, "csrf": csrf})
    assert refused.status_code == 403 and "auditor" in refused.text

    csrf = logged_in(client, "bob")
    assert "Close operation" not in client.get(f"/app/operations/{key}").text
    assert client.post(f"/app/operations/{key}/close", data={"csrf": csrf}).status_code == 403
    assert client.post(f"/app/operations/{key}/results", data=ARREST).status_code == 403  # no CSRF

    hugo = logged_in(client, "hugo")
    closed = client.post(f"/app/operations/{key}/close", data={"csrf": hugo})
    assert closed.status_code == 200 and '<strong class="status">closed</strong>' in closed.text
    assert "Close operation" not in closed.text
    csrf = logged_in(client, "bob")
    assert 'id="result-form"' not in client.get(f"/app/operations/{key}").text
    late = client.post(f"/app/operations/{key}/results", data={**ARREST, "csrf": csrf})
    assert late.status_code == 409 and "takes no more results" in html.unescape(late.text)


def test_the_report_as_a_page_and_as_a_pdf(client: TestClient) -> None:
    key = plan(client, logged_in(client, "hugo"))
    file(client, logged_in(client, "bob"), key, **ARREST)
    report = client.get(f"/app/operations/{key}/report")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "After-action report: Liberterra III" in report.text
    assert "script-src" not in report.headers["content-security-policy"]  # the report runs nothing
    pdf = client.get(f"/app/operations/{key}/report.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="after-action-{key}.pdf"'
    assert pdf.content.startswith(b"%PDF")


def test_the_dashboard_shows_the_operations_under_way(client: TestClient) -> None:
    hugo = logged_in(client, "hugo")
    key = plan(client, hugo)
    later = (TODAY + dt.timedelta(days=10)).isoformat()
    planned = plan(client, hugo, name="Thunder", starts=later, ends=later, checkpoints="")
    csrf = logged_in(client, "bob")
    for kind, count in (
        ("arrest", "2"),
        ("arrest", "1"),
        ("victim_identified", "1"),
        ("victim_rescued", "2"),
        ("hit", "4"),
    ):
        file(client, csrf, key, kind=kind, count=count, country="es")

    logged_in(client, "alice")
    dashboard = client.get("/app").text
    assert "Current operations" in dashboard and f'href="/app/operations/{key}"' in dashboard
    assert f"/app/operations/{planned}" not in dashboard  # not under way yet
    assert "Liberterra III 3 arrests · 3 victims rescued or identified · 4 hits" in text_of(dashboard)
    logged_in(client, "dieter")
    assert "No operation under way." in client.get("/app").text


def test_the_page_lists_the_latest_results_newest_first(client: TestClient, engine: Engine) -> None:
    hugo = logged_in(client, "hugo")
    key = plan(client, hugo)
    other = plan(client, hugo, name="Liberterra IV")
    # Interleaved with another operation's, so the latest 50 ids of this one are spread over 120.
    mine = []
    for _ in range(60):
        for operation in (key, other):
            filed = operations.file_result(
                engine, BOB, operation, kind="person_screened", count=5, country="es", day=TODAY, now=NOW
            )
            if operation == key:
                mine.append(filed.result_id)
    page = client.get(f"/app/operations/{key}").text
    assert listed(page) == mine[::-1][:50]
    assert "The latest 50 of 60" in page and total(page, "person_screened") == "300"
