"""Border screening pages on both backends: a manifest uploaded and screened, the referral queue,
decisions with four eyes, the CSV export and the lost and stolen document register.

Strategy: the smallest world with a border: NCB-FR owns a CLEAR sanctions list of one listed
person (and its Sanction, for the legal basis); BP-MD has two officers (felix, olga), a first
responder (elena) and an auditor (avery). One client logs in as each in turn through the login
form; the manifest is a CSV written here with the listed person, a passenger carrying a document
felix first reports stolen, a clear passenger, and one born in the future (refused).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, text

from liaison.api.app import create_app
from liaison.ingest.manifest import MAX_FILE_BYTES
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.settings import Settings
from tests.test_cli import Cli
from tests.web.pages import PASSWORD, logged_in, text_of

NOW = dt.datetime.now(dt.UTC)
LISTED = [
    {
        "id": "un-sokolov",
        "schema": "Person",
        "properties": {
            "name": ["Ivan Petrovich Sokolov"],
            "birthDate": ["1975-03-02"],
            "nationality": ["ru"],
        },
    },
    {
        "id": "un-sokolov-sanction",
        "schema": "Sanction",
        "properties": {
            "entity": ["un-sokolov"],
            "authority": ["UN Security Council"],
            "program": ["RU travel ban"],
        },
    },
]
HEADER = (
    "flight,departure,arrival,surname,given_names,birth_date,nationality,"
    "document_type,document_number,document_country,document_expiry"
)
MANIFEST = "\n".join(
    (
        HEADER,
        "9U112,KIV,FRA,Sokolov,Ivan Petrovich,1975-03-02,ru,P,RU7654321,ru,2031-01-01",
        "9U112,KIV,FRA,Carrier,Anna,1988-05-05,md,P,MD9988776,md,2030-05-05",
        "9U112,KIV,FRA,Nobody-Clear,Johanna,1990-01-01,se,P,SE1234567,se,2020-01-01",
        "9U112,KIV,FRA,Future,Baby,2099-01-01,md,,,,",
    )
)
DECIDE = re.compile(r'action="/app/referrals/(\d+)/decide".*?name="listing" value="([^"]+)"', re.DOTALL)
CONFIRM = re.compile(r'action="/app/decisions/(dc_[0-9a-f]+)/confirm"')


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency, tmp_path: Path) -> Iterator[TestClient]:
    agencies.register(engine, Agency("BP-MD", "Border Police of Moldova", "MD", AgencyKind.BORDER))
    for user, role in (
        ("felix", Role.OFFICER),
        ("olga", Role.OFFICER),
        ("elena", Role.FIRST_RESPONDER),
        ("avery", Role.AUDITOR),
    ):
        access.add_user(engine, Identity.operator(), user, "BP-MD", role, NOW, password=PASSWORD)
    source = tmp_path / "un_test.json"
    source.write_text("\n".join(json.dumps(entity) for entity in LISTED))
    Cli(database_url)(
        "import", "ftm", str(source), "--dataset", "un_test", "--agency", "NCB-FR", "--handling", "CLEAR"
    )
    # A body limit above a manifest's own, so that the page's check of the file size is what refuses.
    settings = Settings(
        database_url=database_url, cookie_secure=False, max_body_bytes=MAX_FILE_BYTES + 65_536
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def upload(client: TestClient, csrf: str, content: bytes, name: str = "9u112.csv", **fields: str) -> Response:
    """Send a manifest through the upload form."""
    data = {"csrf": csrf, "purpose": "API check of flight 9U112", **fields}
    return client.post(
        "/app/manifests", data=data, files={"file": (name, content, "text/csv")}, follow_redirects=False
    )


def decide_forms(html: str) -> dict[str, int]:
    """The queue's decide forms: each hit's listing and the referral it is in."""
    return {listing: int(referral) for referral, listing in DECIDE.findall(html)}


def words(page: str) -> str:
    """What a reader sees of a page: its words, entities unescaped."""
    return html.unescape(text_of(page))


def manifest_count(client: TestClient) -> int:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM manifest")).scalar_one())


def audited(client: TestClient, action: str) -> list[str]:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT actor FROM audit_event WHERE action = :action"), {"action": action}
        )
        return [row.actor for row in rows]


def test_a_manifest_is_screened_decided_with_four_eyes_and_exported(client: TestClient) -> None:
    csrf = logged_in(client, "felix")
    reported = client.post(
        "/app/documents",
        data={
            "csrf": csrf,
            "number": "MD 9988776",
            "country": "md",
            "kind": "passport",
            "status": "stolen",
            "note": "stolen in Chisinau, case 44/2026",
        },
        follow_redirects=False,
    )
    assert reported.status_code == 303
    register = client.get(reported.headers["location"])
    assert "MD MD9988776" in words(register.text) and "case 44/2026" in register.text
    again = client.post(
        "/app/documents",
        data={"csrf": csrf, "number": "MD9988776", "country": "md", "kind": "passport", "status": "lost"},
    )
    assert again.status_code == 409 and "was reported stolen by BP-MD" in again.text
    assert 'value="MD9988776"' in again.text  # the refused form comes back filled in

    form = client.get("/app/manifests")
    assert (
        form.status_code == 200
        and 'name="file"' in form.text
        and "running operation of the flight" in form.text
    )
    screened = upload(client, csrf, MANIFEST.encode())
    assert screened.status_code == 303, screened.text
    location = screened.headers["location"]
    assert re.fullmatch(r"/app/manifests/mf_[0-9a-f]+", location)
    shown = client.get(location)
    seen = words(shown.text)
    assert shown.status_code == 200 and "Flight 9U112" in seen and "KIV to FRA" in seen
    assert "Passengers 3 Clear 1 Possible matches 1 Document hits 1 Refused entries 1" in seen
    assert "possible match" in seen and "document hit" in seen and "clear" in seen
    assert 'href="/app/entities/un-sokolov"' in shown.text and "Ivan Petrovich Sokolov" in seen
    assert "un_test" in seen and "name" in seen and re.search(r"=\d\.\d\d \([+-]\d\.\d\d\)", seen)
    assert "reported stolen by BP-MD" in seen
    assert "document SE1234567 expired on 2020-01-01" in seen
    refused = words(shown.text.split('id="h-refused"')[1].split("</table>")[0])
    assert "line 5" in refused and "field 'birth_date': 2099-01-01 is in the future" in refused
    listed = client.get("/app/manifests")
    assert location in listed.text and "9u112.csv" in listed.text

    queue = client.get("/app/referrals")
    forms = decide_forms(queue.text)
    assert set(forms) == {"un-sokolov", "document:md/MD9988776"}
    assert "RU7654321" in queue.text and "born 1975-03-02" in words(queue.text)
    sokolov = forms["un-sokolov"]
    no_reason = client.post(
        f"/app/referrals/{sokolov}/decide",
        data={"csrf": csrf, "listing": "un-sokolov", "decision": "deny", "reason": "  "},
    )
    assert no_reason.status_code == 422
    assert 'role="alert"' in no_reason.text and "a decision without a reason is refused" in no_reason.text
    denied = client.post(
        f"/app/referrals/{sokolov}/decide",
        data={"csrf": csrf, "listing": "un-sokolov", "decision": "deny", "reason": "listed; same birth date"},
        follow_redirects=False,
    )
    assert denied.status_code == 303
    waiting = client.get(denied.headers["location"])
    assert "Deny recorded" in waiting.text and "Your deny: waiting for another officer." in waiting.text
    assert CONFIRM.findall(waiting.text) == []  # no Confirm button for the one who made it
    decision = client.get("/app/decisions")
    made = re.findall(r"dc_[0-9a-f]{16}", client.get("/app/decisions.csv").text)
    assert len(made) == 1 and "waiting for a second officer" in decision.text
    self_confirmed = client.post(f"/app/decisions/{made[0]}/confirm", data={"csrf": csrf})
    assert self_confirmed.status_code == 403
    assert 'role="alert"' in self_confirmed.text and "four eyes" in self_confirmed.text

    csrf = logged_in(client, "olga")
    queue = client.get("/app/referrals")
    assert CONFIRM.findall(queue.text) == made and "listed; same birth date" in queue.text
    confirmed = client.post(f"/app/decisions/{made[0]}/confirm", data={"csrf": csrf}, follow_redirects=False)
    assert confirmed.status_code == 303
    after = client.get(confirmed.headers["location"])
    assert "Deny confirmed" in after.text and "un-sokolov" not in decide_forms(after.text)
    listing = client.get("/app/decisions")
    assert "confirmed by olga" in listing.text and "RU travel ban" in listing.text

    export = client.get("/app/decisions.csv")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    assert export.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [
        (row["id"], row["decision"], row["status"], row["decided_by"], row["confirmed_by"]) for row in rows
    ] == [(made[0], "deny", "confirmed", "felix", "olga")]
    assert rows[0]["reason"] == "listed; same birth date" and "RU travel ban" in rows[0]["legal_basis"]
    assert json.loads(rows[0]["evidence"])["listing"] == "un-sokolov"
    assert audited(client, "decision.export") == ["felix", "olga"]

    # The same flight again: the denied person is raised with the decision beside the hit.
    csrf = logged_in(client, "felix")
    rescreened = client.get(upload(client, csrf, MANIFEST.encode()).headers["location"])
    assert "denied earlier by felix on " in words(rescreened.text)


def test_a_file_that_is_not_a_manifest_is_refused_whole_and_saves_nothing(client: TestClient) -> None:
    csrf = logged_in(client, "felix")
    before = manifest_count(client)
    refused = upload(client, csrf, b"name,birth_date\nIvan Sokolov,1975\n", name="notes.csv")
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert "notes.csv:1: field 'surname': no 'surname' column" in words(refused.text)
    assert "/tmp" not in refused.text  # the message names the user's file, not the server's copy
    assert 'value="API check of flight 9U112"' in refused.text  # the purpose comes back
    too_large = upload(client, csrf, b"surname\n" + b"x" * MAX_FILE_BYTES, name="huge.csv")
    assert too_large.status_code == 422
    assert f"huge.csv: larger than the {MAX_FILE_BYTES:,} bytes" in too_large.text
    no_purpose = upload(client, csrf, MANIFEST.encode(), purpose="")
    assert no_purpose.status_code == 422 and "field 'purpose'" in words(no_purpose.text)
    no_file = client.post("/app/manifests", data={"csrf": csrf, "purpose": "API check"})
    assert no_file.status_code == 422 and "choose a manifest file" in no_file.text
    assert manifest_count(client) == before
    assert "No manifest of your agency" in client.get("/app/manifests").text


@pytest.mark.parametrize(
    ("user", "says"),
    [("elena", "a first_responder does not decide"), ("avery", "the auditor role reads screenings")],
)
def test_a_first_responder_or_an_auditor_cannot_decide(client: TestClient, user: str, says: str) -> None:
    csrf = logged_in(client, "felix")
    assert upload(client, csrf, MANIFEST.encode()).status_code == 303
    referral = decide_forms(client.get("/app/referrals").text)["un-sokolov"]

    csrf = logged_in(client, user)
    queue = client.get("/app/referrals")
    assert queue.status_code == 200 and "Ivan Petrovich Sokolov" in queue.text
    assert decide_forms(queue.text) == {}  # no form for a role that cannot decide
    refused = client.post(
        f"/app/referrals/{referral}/decide",
        data={"csrf": csrf, "listing": "un-sokolov", "decision": "clear", "reason": "looks fine"},
    )
    assert refused.status_code == 403 and 'role="alert"' in refused.text and says in refused.text
    assert "un-sokolov" in decide_forms(logged_in(client, "felix") and client.get("/app/referrals").text)
