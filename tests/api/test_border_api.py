"""Border screening over HTTP on both backends: manifests, the document register, the referral
queue, decisions with four eyes, decision memory, rechecks, exports and asset-freeze screening."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from followthemoney import model
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.api.app import create_app
from liaison.ingest import Record
from liaison.ingest.manifest import read_manifest, write_paxlst
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.services.sharing.imports import import_records
from liaison.settings import Settings
from tests.api.test_alerts_api import token

NOW = dt.datetime.now(dt.UTC)
TODAY = NOW.date()
HEADER = "surname,given_names,birth_date,nationality,gender,document_type,document_number,document_country,flight,departure,arrival\n"  # noqa: E501
MANIFEST = HEADER + (
    "Sokolov,Ivan Petrovich,1975-03-02,RUS,M,P,720000001,RUS,UX1094,MAD,KIV\n"
    "Bout,Viktor,1967-01-13,RUS,M,P,720000002,RUS,UX1094,MAD,KIV\n"
    "Popescu,Ana,1990-02-03,MDA,F,P,MD0001111,MDA,UX1094,MAD,KIV\n"
    "Kovalenko,Petro,1980-07-07,UKR,M,P,FA123456,UKR,UX1094,MAD,KIV\n"
    f"Ivanova,Maria,{TODAY.year + 1}-01-01,UKR,F,P,UA0005555,UKR,UX1094,MAD,KIV\n"
    "Popescu,Ana,1990-02-03,MDA,F,P,MD0001111,MDA,UX1094,MAD,KIV\n"
)


FROZEN_IBAN = "AE070331234567890123456"


def entity(schema: str, entity_id: str, **properties: list[str]) -> Record:
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for prop, values in properties.items():
        for value in values:
            proxy.add(prop, value)
    return Record(proxy, entity_id)


def load(engine: Engine, owner: str, dataset: str, handling: Handling, records: list[Record]) -> None:
    envelope = Envelope(owner, dataset, handling, "sanctions screening", TODAY.replace(year=TODAY.year + 5))
    import_records(
        engine, records, envelope=envelope, title=dataset.upper(), kind="test", source="test", now=NOW
    )


@pytest.fixture
def client(engine: Engine, database_url: str, agency: Agency) -> Iterator[TestClient]:
    for code, country, kind in (("BP-MD", "MD", AgencyKind.BORDER), ("SEC", "FR", AgencyKind.SECRETARIAT)):
        agencies.register(engine, Agency(code, code, country, kind))
    users = (
        ("felix", "BP-MD", Role.OFFICER),
        ("olga", "BP-MD", Role.OFFICER),
        ("elena", "BP-MD", Role.FIRST_RESPONDER),
        ("hugo", "SEC", Role.COORDINATOR),
    )
    for user, code, role in users:
        access.add_user(engine, Identity.operator(), user, code, role, NOW)
    listed = [
        entity(
            "Person", "sdn-1", name=["Ivan Petrovich Sokolov"], birthDate=["1975-03-02"], nationality=["ru"]
        ),
        entity("Sanction", "sdn-1-s", entity=["sdn-1"], authority=["OFAC"], program=["RUSSIA-EO14024"]),
        entity("Company", "sdn-2", name=["Ocean Star Shipping LLC"], jurisdiction=["ae"]),
        entity("BankAccount", "sdn-3", name=["Ocean Star Shipping, USD account"], iban=[FROZEN_IBAN]),
    ]
    load(engine, "SEC", "sdn", Handling.CLEAR, listed)
    secret = [entity("Person", "fr-9", name=["Viktor Bout"], birthDate=["1967-01-13"], nationality=["ru"])]
    load(engine, "NCB-FR", "fr_cases", Handling.RED, secret)
    with TestClient(create_app(Settings(database_url=database_url))) as test_client:
        yield test_client


def post_manifest(client: TestClient, headers: dict[str, str], text: str, name: str = "ux1094.csv") -> Any:
    return client.post(
        "/api/v1/manifests",
        params={"purpose": "advance passenger information UX1094", "name": name},
        content=text.encode(),
        headers={**headers, "Content-Type": "text/csv"},
    )


def test_a_flight_is_screened_referred_and_decided_with_four_eyes(client: TestClient, engine: Engine) -> None:
    felix, olga, elena, hugo = (token(engine, user) for user in ("felix", "olga", "elena", "hugo"))
    plan = {
        "name": "Liberterra III",
        "area": "trafficking",
        "starts": TODAY.isoformat(),
        "ends": TODAY.isoformat(),
        "agencies": ["BP-MD"],
        "countries": ["md", "es"],
        "checkpoints": [{"code": "KIV", "kind": "airport", "country": "md", "monitored": ["UX1094"]}],
    }
    operation = client.post("/api/v1/operations", json=plan, headers=hugo).json()["id"]
    document = {"number": "fa 123456", "country": "UKR", "status": "stolen"}
    assert client.post("/api/v1/documents", json=document, headers=felix).status_code == 201
    assert client.post("/api/v1/documents", json=document, headers=olga).status_code == 409

    screened = post_manifest(client, felix, MANIFEST)
    assert screened.status_code == 201, screened.text
    body = screened.json()
    assert body["operation"] == operation
    assert body["counts"] == {
        "passengers": 4,
        "errors": 2,
        "clear": 1,
        "possible_match": 2,
        "document_hit": 1,
    }
    problems = [error["problem"] for error in body["errors"]]
    assert "is in the future" in problems[0] and "duplicates passenger 3" in problems[1]
    status = {passenger["name"]: passenger["status"] for passenger in body["passengers"]}
    assert status == {
        "Ivan Petrovich Sokolov": "possible_match",
        "Viktor Bout": "possible_match",
        "Ana Popescu": "clear",
        "Petro Kovalenko": "document_hit",
    }
    bout = next(passenger for passenger in body["passengers"] if passenger["name"] == "Viktor Bout")
    assert [(hit["type"], hit["owner_agency"]) for hit in bout["hits"]] == [("reference", "NCB-FR")]
    assert "Viktor" not in str(bout["hits"])
    tally = client.get(f"/api/v1/operations/{operation}/tally", headers=hugo).json()
    assert tally["by_country"]["md"]["person_screened"] == 4 and tally["totals"]["hit"] == 3

    queue = client.get("/api/v1/referrals", headers=felix).json()
    assert [referral["reason"] for referral in queue] == ["possible_match", "possible_match", "document_hit"]
    sokolov = queue[0]["id"]
    decide = f"/api/v1/referrals/{sokolov}/decisions"
    deny = {"listing": "sdn-1", "decision": "deny", "reason": "name, birth date and nationality agree"}
    assert client.post(decide, json={**deny, "reason": " "}, headers=felix).status_code == 422
    for out_of_range in ("-100000000000000000000", "0"):  # the first was a 500 (found by the fuzzer)
        far = f"/api/v1/referrals/{out_of_range}/decisions"
        assert client.post(far, json=deny, headers=felix).status_code == 422
    assert client.post(decide, json=deny, headers=elena).status_code == 403
    assert client.post(decide, json={**deny, "listing": "sdn-2"}, headers=felix).status_code == 422
    made = client.post(decide, json=deny, headers=felix).json()
    assert (
        made["status"] == "pending"
        and "RUSSIA-EO14024" in made["legal_basis"]
        and "OFAC" in made["legal_basis"]
    )
    assert made["evidence"]["score"] > 0.9 and made["evidence"]["explanation"]
    assert client.post(f"/api/v1/decisions/{made['id']}/confirm", headers=felix).status_code == 403
    confirmed = client.post(f"/api/v1/decisions/{made['id']}/confirm", headers=olga).json()
    assert (confirmed["status"], confirmed["confirmed_by"]) == ("confirmed", "olga")
    assert client.post(f"/api/v1/decisions/{made['id']}/confirm", headers=olga).status_code == 409
    document_referral = queue[2]["id"]
    cleared = {
        "listing": "document:ua/FA123456",
        "decision": "clear",
        "reason": "found and returned to its holder",
    }
    assert (
        client.post(
            f"/api/v1/referrals/{document_referral}/decisions", json=cleared, headers=olga
        ).status_code
        == 201
    )
    assert [referral["id"] for referral in client.get("/api/v1/referrals", headers=felix).json()] == [
        queue[1]["id"]
    ]

    again = post_manifest(client, felix, MANIFEST).json()
    by_name = {passenger["name"]: passenger for passenger in again["passengers"]}
    assert by_name["Petro Kovalenko"]["status"] == "clear"
    assert by_name["Petro Kovalenko"]["hits"][0]["earlier"]["decision"] == "clear"
    shown = by_name["Ivan Petrovich Sokolov"]
    assert shown["status"] == "possible_match" and shown["hits"][0]["earlier"]["decision"] == "deny"

    exported = client.get("/api/v1/decisions", params={"format": "csv"}, headers=olga)
    assert exported.headers["content-type"].startswith("text/csv")
    assert "RUSSIA-EO14024" in exported.text and "found and returned" in exported.text
    with Session(engine) as session:
        actions = {chained.event.action for chained in store.iter_events(session)}
    assert {
        "manifest.screen",
        "decision.deny",
        "decision.confirm",
        "decision.clear",
        "decision.export",
    } <= actions


def test_an_operation_s_flights_are_screened_against_its_watchlists_and_hidden_hits_still_told(
    client: TestClient, engine: Engine
) -> None:
    # The bench of 2026-12-06 found 2 of 100 listed travellers because its officer's agency was
    # in such an operation: narrowing is what the coordinator asked for, and it must be exact.
    other_listing = [entity("Person", "o-1", name=["Ana Popescu"], birthDate=["1990-02-03"])]
    load(engine, "SEC", "other", Handling.CLEAR, other_listing)
    felix, hugo = token(engine, "felix"), token(engine, "hugo")
    plan = {
        "name": "Narrow",
        "area": "trafficking",
        "starts": TODAY.isoformat(),
        "ends": TODAY.isoformat(),
        "agencies": ["BP-MD"],
        "countries": ["md"],
        "watchlists": ["sdn"],
        "checkpoints": [{"code": "KIV", "kind": "airport", "country": "md"}],
    }
    assert client.post("/api/v1/operations", json=plan, headers=hugo).status_code == 201
    body = post_manifest(client, felix, MANIFEST).json()
    assert body["operation"] is not None
    hits = {
        passenger["name"]: [hit.get("listing") or hit["type"] for hit in passenger["hits"]]
        for passenger in body["passengers"]
    }
    assert hits["Ivan Petrovich Sokolov"] == ["sdn-1"]
    assert hits["Ana Popescu"] == []  # listed in `other`, which the operation does not screen
    assert hits["Viktor Bout"] == ["reference"]  # NCB-FR's RED record, outside the watchlists


def test_bad_manifests_are_refused_whole_and_save_nothing(client: TestClient, engine: Engine) -> None:
    felix = token(engine, "felix")
    refused = post_manifest(client, felix, "this is not a manifest\nat all\n", name="notes.txt")
    assert refused.status_code == 422 and "notes.txt" in refused.json()["detail"]
    crowd = HEADER + "".join(
        f"Person{n},Ann,1980-01-01,MDA,F,P,MD{n:07d},MDA,UX1,MAD,KIV\n" for n in range(5_000)
    )
    refused = post_manifest(client, felix, crowd)
    assert refused.status_code == 422 and "5000 passengers exceed" in refused.json()["detail"]
    edifact = "UNA:+.? 'UNB+UNOA:4+SENDER+RECEIVER+261203:1200+1'UNH+1+CUSRES:D:02B:UN'UNT+2+1'UNZ+1+1'"
    refused = post_manifest(client, felix, edifact, name="cusres.edi")
    assert refused.status_code == 422 and "PAXLST" in refused.json()["detail"]
    assert client.get("/api/v1/manifests", headers=felix).json() == []
    assert client.get("/api/v1/referrals", headers=felix).json() == []


def test_cleared_subjects_come_back_when_their_data_or_a_listing_changes(
    client: TestClient, engine: Engine
) -> None:
    felix = token(engine, "felix")
    one = HEADER + "Sokolov,Ivan Petrovich,1975-03-02,RUS,M,P,720000001,RUS,UX1094,MAD,KIV\n"
    post_manifest(client, felix, one)
    referral = client.get("/api/v1/referrals", headers=felix).json()[0]["id"]
    clear = {
        "listing": "sdn-1",
        "decision": "clear",
        "reason": "a namesake: other father's name on the passport",
    }
    assert (
        client.post(f"/api/v1/referrals/{referral}/decisions", json=clear, headers=felix).status_code == 201
    )
    assert post_manifest(client, felix, one).json()["passengers"][0]["status"] == "clear"
    changed = one.replace("720000001", "720000099")
    hits = post_manifest(client, felix, changed).json()["passengers"][0]["hits"]
    assert hits[0]["cleared"] is False and hits[0]["earlier"]["data_changed"] is True
    for open_referral in client.get("/api/v1/referrals", headers=felix).json():
        clear_it = {**clear, "listing": open_referral["hits"][0]["listing"]}
        client.post(f"/api/v1/referrals/{open_referral['id']}/decisions", json=clear_it, headers=felix)
    assert client.post("/api/v1/decisions/recheck", headers=felix).json() == {"referred": 0}

    def review() -> list[tuple[str, list[str]]]:
        found = client.get("/api/v1/referrals", headers=felix).json()
        return [(referral["reason"], [hit["listing"] for hit in referral["hits"]]) for referral in found]

    # The list is imported again with the listing changed: the cleared subject is referred at once.
    changed_listing = [
        entity(
            "Person",
            "sdn-1",
            name=["Ivan Petrovich Sokolov"],
            birthDate=["1975-03-02"],
            nationality=["ru"],
            alias=["Ivan Sokolov-Belsky"],
        ),
        entity("Sanction", "sdn-1-s", entity=["sdn-1"], authority=["OFAC"], program=["RUSSIA-EO14024"]),
    ]
    load(engine, "SEC", "sdn", Handling.CLEAR, changed_listing)
    assert review() == [("review", ["sdn-1"])]
    reopened = client.get("/api/v1/referrals", headers=felix).json()[0]["id"]
    client.post(f"/api/v1/referrals/{reopened}/decisions", json=clear, headers=felix)
    load(engine, "SEC", "sdn", Handling.CLEAR, changed_listing)  # unchanged now: no news
    assert review() == []

    # A new listing of the same person on another list: referred at once, and not twice.
    newly = [entity("Person", "un-7", name=["Ivan Petrovich Sokolov"], birthDate=["1975-03-02"])]
    load(engine, "SEC", "un", Handling.CLEAR, newly)
    assert review() == [("review", ["un-7"])]
    client.app.state.matching.refresh()  # type: ignore[attr-defined]
    assert client.post("/api/v1/decisions/recheck", headers=felix).json() == {"referred": 0}
    assert review() == [("review", ["un-7"])]


def test_asset_freeze_screening_refers_companies_and_accounts(client: TestClient, engine: Engine) -> None:
    felix = token(engine, "felix")
    body = {
        "purpose": "freeze request 2026/118",
        "subjects": [
            {"schema": "Company", "properties": {"name": ["Ocean Star Shipping"], "jurisdiction": ["ae"]}},
            {"schema": "Vessel", "properties": {"name": ["Quiet Harbour"]}},
            # The frozen account by its number alone, written as a bank prints it.
            {"schema": "BankAccount", "properties": {"iban": ["AE07 0331 2345 6789 0123 456"]}},
            # Named like the frozen account, but another account.
            {
                "schema": "BankAccount",
                "properties": {
                    "name": ["Ocean Star Shipping, USD account"],
                    "iban": ["DE89370400440532013000"],
                },
            },
        ],
    }
    answered = client.post("/api/v1/screenings", json=body, headers=felix)
    assert answered.status_code == 200, answered.text
    company, vessel, account, other_account = answered.json()
    assert company["status"] == "possible_match" and company["hits"][0]["listing"] == "sdn-2"
    assert company["referral"] is not None and vessel == {**vessel, "status": "clear", "referral": None}
    assert account["status"] == "possible_match" and account["referral"] is not None
    assert [hit["listing"] for hit in account["hits"]] == ["sdn-3"]
    assert other_account == {**other_account, "status": "clear", "referral": None}
    bad = {**body, "subjects": [{"schema": "Banana", "properties": {}}]}
    assert client.post("/api/v1/screenings", json=bad, headers=felix).status_code == 422


def test_a_paxlst_manifest_screens_like_its_csv(client: TestClient, engine: Engine, tmp_path: Any) -> None:
    felix = token(engine, "felix")
    source = tmp_path / "ux1094.csv"
    source.write_text(MANIFEST)
    paxlst = write_paxlst(read_manifest(source, TODAY), now=NOW)
    assert paxlst.startswith("UNA") and "PAXLST" in paxlst
    as_csv = post_manifest(client, felix, MANIFEST).json()
    as_paxlst = post_manifest(client, felix, paxlst, name="ux1094.edi").json()
    assert as_paxlst["format"] == "paxlst" and as_paxlst["flight"] == "UX1094"
    statuses = [[(p["name"], p["status"]) for p in body["passengers"]] for body in (as_csv, as_paxlst)]
    assert statuses[0] == statuses[1] and len(statuses[0]) == 4
