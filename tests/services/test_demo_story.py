"""The demo story: after `liaison demo`, every demo role finds real work waiting.

Strategy: one demo world for the module (SQLite in a temporary folder, the real reference data),
loaded once as `liaison demo` loads it; each test reads it as a demo user through the services
and the web application's pages, and changes nothing but the audit trail. The last claims are
that the story is drawn from its seed and that telling it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from liaison import demo, store
from liaison.api.app import create_app
from liaison.demo import story as demo_story
from liaison.demo.story_border import FLIGHT, stolen_passport
from liaison.demo.story_cases import case_file
from liaison.demo.story_cooperation import ACTION_DAY_THREAD, MINIBUS_THREAD, RED_NOTICE
from liaison.demo.story_cyber import SHARED_VALUES
from liaison.demo.story_operations import LIBERTERRA, SYNERGIA
from liaison.demo.story_scene import Scene
from liaison.demo.world import DEMO_PASSWORD
from liaison.model import Identity
from liaison.model.observables import guess_observable
from liaison.model.operation import OperationStatus
from liaison.services.accounts import access
from liaison.services.cyber import correlation
from liaison.services.messaging import alerts, messages, notices
from liaison.services.operations import operations, takedowns
from liaison.services.screening import entry_decisions, manifests, watches, xref
from liaison.services.sharing import hits
from liaison.services.trafficking import trafficking_cases
from liaison.services.wildlife import seizures
from liaison.settings import Settings
from tests.web.pages import logged_in, text_of

SEED = 7


@dataclass(frozen=True, slots=True)
class World:
    engine: Engine
    settings: Settings


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path_factory.mktemp('story') / 'liaison.db'}"
    engine = store.open_engine(url)
    store.migrate(engine)
    settings = Settings(database_url=url, shared_data=shared_data, cookie_secure=False)
    demo.load(engine, settings, seed=SEED)
    yield World(engine, settings)
    engine.dispose()


@pytest.fixture(scope="module")
def client(world: World) -> Iterator[TestClient]:
    with TestClient(create_app(world.settings)) as opened:
        yield opened


def who(world: World, user: str) -> Identity:
    return access.identity_of(world.engine, user)


def page_as(client: TestClient, user: str, path: str) -> str:
    """The words of a page as a demo user reads it."""
    logged_in(client, user, DEMO_PASSWORD)
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.text[:500])
    return text_of(answer.text)


NOW = dt.datetime.now(dt.UTC)


def test_hugo_follows_a_running_operation_with_its_tally_and_takedowns(
    world: World, client: TestClient
) -> None:
    hugo = who(world, "hugo")
    found = {operation.plan.name: operation for operation in operations.list_operations(world.engine, hugo)}
    liberterra = found[LIBERTERRA]
    assert operations.status(liberterra, NOW.date()) is OperationStatus.ACTIVE
    assert [point.code for point in liberterra.plan.checkpoints] == ["KIV", "LEU", "MAD", "PER"]
    _operation, tally = operations.tally(world.engine, hugo, LIBERTERRA)
    for kind in ("arrest", "victim_identified", "victim_rescued", "person_screened", "hit", "seizure"):
        assert tally.totals.get(kind, 0) > 0, kind
    assert tally.by_country["md"]["hit"] >= 4  # the flight's referrals, filed by its screening
    _operation, targets, shares = takedowns.listing(world.engine, hugo, SYNERGIA, NOW)
    assert {target.stage.value for target in targets} == {"seized", "taken_down", "notified", "identified"}
    ended = {share.country: share.taken_down + share.seized for share in shares}
    assert ended == {"de": 0, "nl": 2}
    text = page_as(client, "hugo", "/app/operations")
    assert LIBERTERRA in text and SYNERGIA in text
    shown = page_as(client, "hugo", f"/app/operations/{liberterra.operation_id}")
    assert "Chisinau International" in shown and "UX1094" in shown
    listed = page_as(client, "hugo", f"/app/operations/{found[SYNERGIA].operation_id}/takedowns")
    assert "192.0.2.211" in listed


def test_grace_reviews_notices_and_reads_the_published_ones_and_the_diffusion(
    world: World, client: TestClient
) -> None:
    grace = who(world, "grace")
    shown, _total = notices.list_notices(world.engine, grace, limit=notices.MAX_PAGE)
    by_title = {notice.title: notice for notice in shown}
    red = by_title[RED_NOTICE]
    assert (red.kind.value, red.status.value, red.reviewed_by) == ("red", "published", "grace")
    kinds = {(notice.kind.value, notice.status.value) for notice in shown}
    assert {("diffusion", "published"), ("purple", "published"), ("yellow", "submitted")} <= kinds
    assert all(notice.status.value not in ("draft", "refused") for notice in shown)  # the agencies' own
    refused = notices.list_notices(world.engine, who(world, "carmen"), "refused")[0]
    assert [notice.reviewed_by for notice in refused] == ["grace"]
    text = page_as(client, "grace", "/app/notices")
    assert RED_NOTICE in text and "Locate: Viktor MOROZ" in text
    dashboard = page_as(client, "grace", "/app")
    assert "Missing: Olena BONDAR" in dashboard  # awaiting her review


@pytest.mark.parametrize("user", ["alice", "carmen"])
def test_analysts_find_the_urgent_thread_unread_messages_and_alerts_waiting(
    world: World, client: TestClient, user: str
) -> None:
    identity = who(world, user)
    threads, _total = messages.list_threads(world.engine, identity)
    thread = next(thread for thread in threads if thread.subject == MINIBUS_THREAD)
    assert thread.unread > 0 and {"NCB-ES", "NCB-FR", "NCB-UA", "BP-MD"} == set(thread.participants)
    waiting = {alert.kind for alert in alerts.list_alerts(world.engine, identity, limit=alerts.MAX_PAGE)}
    assert {"message.urgent", "watch.hit"} <= waiting
    assert watches.list_watches(world.engine, identity)
    text = page_as(client, user, "/app/messages")
    assert MINIBUS_THREAD in text
    assert "watch.hit" in page_as(client, user, "/app")


def test_watches_are_alerted_by_the_notices_and_the_case_file_imported_after_them(world: World) -> None:
    for user, dataset in (("alice", "notices"), ("dmitri", "ncb_es_htcds_cases")):
        identity = who(world, user)
        found = alerts.list_alerts(world.engine, identity, limit=alerts.MAX_PAGE)
        assert dataset in {alert.detail.get("dataset") for alert in found if alert.kind == "watch.hit"}, user


def test_reviewers_find_xref_pairs_pending_and_alice_the_one_the_browser_confirms(
    world: World, client: TestClient
) -> None:
    pending = xref.review(world.engine, identity=who(world, "grace"))
    assert len(pending) >= 3
    assert {pair.left_dataset for pair in pending} >= {"ncb_es_trafficking", "cyb_nl_ransomware"}
    [alices] = xref.review(world.engine, identity=who(world, "alice"))
    assert "PETRENKO" in (alices.left_caption or "") + (alices.right_caption or "")
    assert "Are these the same?" in page_as(client, "grace", "/app/review")


def test_the_wildlife_pages_count_real_pangolin_seizures(world: World, client: TestClient) -> None:
    hugo = who(world, "hugo")
    rows = seizures.trend(world.engine, hugo, "species", species="Manis", purpose="review", now=NOW)
    assert sum(row.seizures for row in rows) > 1_000 and {row.key for row in rows} >= {"Manis javanica"}
    legs = seizures.routes(world.engine, hugo, species="Manis", purpose="review", now=NOW)
    assert legs and all(count > 0 for _source, _target, count in legs)
    query = urlencode({"species": "Manis", "purpose": "pangolin review"})
    text = page_as(client, "hugo", f"/app/wildlife?{query}")
    assert "Manis javanica" in text


def test_trafficking_statistics_publish_some_cells_and_withhold_others(
    world: World, client: TestClient
) -> None:
    readers: tuple[tuple[str, Literal["cases", "victims"]], ...] = (("carmen", "victims"), ("hugo", "cases"))
    for user, counted in readers:
        found = trafficking_cases.statistics(
            world.engine, who(world, user), counted, ["year"], purpose="annual report", now=NOW
        )
        shown = [count for count in found.cells.values() if count is not None]
        assert shown and min(shown) >= 11 and found.withheld >= 1, (user, found.cells)
    query = urlencode({"counted": "victims", "by": "year", "purpose": "annual report"})
    text = page_as(client, "carmen", f"/app/trafficking?{query}")
    assert "cells withheld" in text and "&lt;11" in text


def test_values_of_the_stix_bundle_and_the_misp_event_correlate_with_the_forensic_report(
    world: World, client: TestClient
) -> None:
    hugo = who(world, "hugo")
    wanted = [guess_observable(SHARED_VALUES["apt1_md5"]), guess_observable(SHARED_VALUES["fallchill_ip"])]
    found = correlation.correlate(world.engine, hugo, wanted, purpose="case 2026/77", now=NOW)
    holders = [{held.entity.envelope.dataset for held in item.records} for item in found]
    assert holders[0] >= {"gs_lyon_apt1", "cyb_nl_forensics"}
    assert holders[1] >= {"gs_lyon_misp", "cyb_nl_forensics"}
    query = urlencode({"values": SHARED_VALUES["apt1_md5"], "purpose": "case 2026/77"})
    text = page_as(client, "hugo", f"/app/cyber?{query}")
    assert "svchost32.exe cyb_nl_forensics" in text and "gs_lyon_apt1" in text


def test_felix_finds_the_screened_flight_its_referrals_and_a_confirmed_deny(
    world: World, client: TestClient
) -> None:
    felix = who(world, "felix")
    [flight] = [found for found in manifests.list_manifests(world.engine, felix) if found.flight == FLIGHT]
    assert flight.counts["passengers"] == 30 and flight.counts["document_hit"] == 1
    assert flight.operation is not None
    waiting, _total = entry_decisions.list_referrals(world.engine, felix)
    assert {referral.reason for referral in waiting} == {"possible_match", "document_hit"}
    made, _total = entry_decisions.list_decisions(world.engine, felix, now=NOW)
    decided = {(decision.decision, decision.status, decision.confirmed_by) for decision in made}
    assert decided == {("deny", "confirmed", "olga"), ("clear", "final", None), ("refer", "final", None)}
    assert [request.status for request in hits.list_requests(world.engine, felix)] == ["pending"]
    screened = {
        (stored.agency, stored.flight)
        for stored in manifests.list_manifests(world.engine, Identity.operator())
    }
    assert {("BP-MD", FLIGHT), ("GS-LYON", "TK269"), ("NCB-UA", "PS9117")} <= screened
    assert "Daniela ROTARU" in page_as(client, "felix", "/app/referrals")
    assert "confirmed by olga" in page_as(client, "felix", "/app/decisions")
    assert f"Flight {FLIGHT}" in page_as(client, "felix", f"/app/manifests/{flight.manifest_id}")
    assert stolen_passport(SEED) in page_as(client, "felix", "/app/documents")
    assert "pending" in page_as(client, "felix", "/app/access")


PAGES = (
    ("alice", "/app/access", "pending"),
    ("carmen", "/app/access", "Our yellow notice"),
    ("carmen", "/app/review", "Are these the same?"),
    ("dmitri", "/app/manifests", "PS9117"),
    ("dmitri", "/app/referrals", "PETRENKO"),
    ("elena", "/app/messages", MINIBUS_THREAD),
    ("grace", "/app/messages", ACTION_DAY_THREAD),
    ("grace", "/app/watches", "Nataliia PETRENKO"),
    ("hugo", "/app/watches", "Lazarus Group"),
    ("hugo", "/app/referrals", "NGABU NJABU"),
    ("hugo", "/app/access", "FIU-NL"),
    ("grace", "/app/access", "Valencia port"),
    ("felix", "/app/review", "Are these the same?"),
    ("olga", "/app/decisions", "confirmed by olga"),
    ("ines", "/app/audit", "access.request"),  # the story's last chapter: the newest events
    ("bruno", "/app/admin", "alice"),
)


@pytest.mark.parametrize(("user", "path", "expected"), PAGES)
def test_each_roles_pages_show_the_story(client: TestClient, user: str, path: str, expected: str) -> None:
    assert expected in page_as(client, user, path)


def test_the_story_is_drawn_from_its_seed(world: World) -> None:
    first, again, other = (
        case_file(Scene(world.engine, world.settings, seed, NOW)) for seed in (SEED, SEED, SEED + 1)
    )
    assert first == again and first != other
    assert len(first["cases"]) == 10 and sum(len(case["victims"]) for case in first["cases"]) == 50


def test_telling_the_story_again_adds_nothing(world: World) -> None:
    def counts() -> dict[str, int]:
        operator, felix = Identity.operator(), who(world, "felix")
        return {
            "alerts": len(alerts.list_alerts(world.engine, operator, limit=alerts.MAX_PAGE)),
            "notices": notices.list_notices(world.engine, who(world, "grace"))[1],
            "threads": messages.list_threads(world.engine, who(world, "carmen"))[1],
            "results": len(operations.results(world.engine, operator, LIBERTERRA, NOW)[1]),
            "pairs": len(xref.review(world.engine, status=None)),
            "referrals": entry_decisions.list_referrals(world.engine, felix, None)[1],
            "decisions": entry_decisions.list_decisions(world.engine, felix, now=NOW)[1],
            "manifests": len(manifests.list_manifests(world.engine, felix)),
            "watches": len(watches.list_watches(world.engine, who(world, "alice"))),
        }

    before = counts()
    told = demo_story.tell(world.engine, world.settings, SEED, NOW + dt.timedelta(hours=1))
    assert told.told == () and len(told.skipped) == len(demo_story.CHAPTERS)
    assert counts() == before
