"""Urgent messages and live alerts in Chromium: the dashboard shows them without a reload."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing, World


def test_an_urgent_message_alerts_the_other_agency_live_and_its_reading_is_receipted(
    browsing: Browsing,
) -> None:
    carmen = browsing.page("carmen")
    alerts = carmen.locator("#alerts")
    expect(carmen.locator("#live")).to_have_text("live")

    alice = browsing.page("alice")
    alice.goto(f"{browsing.server}/app/messages/new")
    alice.get_by_label("To agencies").select_option("NCB-ES")
    alice.get_by_label("Subject").fill("Van on the A9 tonight")
    alice.get_by_label("Priority").select_option("urgent")
    alice.get_by_label("Message").fill("White van, Spanish plates, two victims suspected on board.")
    alice.get_by_role("button", name="Send").click()
    expect(alice.get_by_role("heading", name="Van on the A9 tonight")).to_be_visible()

    fresh = alerts.locator("li.urgent").filter(has_text="Van on the A9 tonight")
    expect(fresh).to_be_visible()  # no reload: the stream brought it
    fresh.get_by_role("link", name="Van on the A9 tonight").click()
    expect(carmen.get_by_text("two victims suspected on board")).to_be_visible()

    alice.reload()
    expect(alice.locator(".receipts")).to_contain_text("carmen")


def test_an_import_matching_a_watch_alerts_the_dashboard_live(
    browsing: Browsing, world: World, tmp_path: Path
) -> None:
    world.cli("--as", "alice", "watch", "add", "--name", "Zoltan Kereszturi", "--birth-date", "1971")
    page = browsing.page("alice")
    expect(page.locator("#live")).to_have_text("live")
    record = tmp_path / "arrivals.json"
    record.write_text(
        '{"id": "e2e-zk-1", "schema": "Person", "properties": {"name": ["Zoltan KERESZTURI"],'
        ' "birthDate": ["1971-03-02"]}}\n'
    )
    world.cli(
        "import", "ftm", str(record), "--dataset", "e2e_arrivals", "--agency", "NCB-FR", "--handling", "AMBER"
    )
    alert = page.locator("#alerts li").filter(has_text="Zoltan KERESZTURI")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("watch.hit")
