"""Search, entity pages and hit/no-hit in Chromium: a hidden record is asked for, granted, then read."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Browsing


def search(page: Page, server: str, name: str, purpose: str = "e2e case 1") -> None:
    """Search through the form, as a user types it."""
    page.goto(f"{server}/app/search")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Purpose").fill(purpose)
    page.get_by_role("button", name="Search").click()


def test_a_search_opens_an_entity_with_its_handling_and_its_readers(browsing: Browsing) -> None:
    page = browsing.page("alice")
    search(page, browsing.server, "Karim Benali")
    row = page.get_by_role("row").filter(has_text="Karim BENALI")
    expect(row.locator(".tlp")).to_have_text("TLP:AMBER")
    row.get_by_role("link", name="Karim BENALI").click()
    expect(page.get_by_role("heading", name=re.compile("Karim BENALI"))).to_be_visible()
    expect(page.get_by_role("note", name="Handling")).to_contain_text("TLP:AMBER")
    expect(page.get_by_text("كريم بن علي").first).to_be_visible()  # names in every script
    readers = page.get_by_role("region", name="Who read it")
    expect(readers.get_by_role("row").filter(has_text="e2e case 1").first).to_contain_text("alice")


def test_a_hidden_hit_is_requested_granted_by_its_owner_then_read(browsing: Browsing) -> None:
    alice = browsing.page("alice")
    search(alice, browsing.server, "Maria Ceban")
    hidden = alice.locator(".hit-reference").filter(has_text="NCB-ES")
    expect(hidden).to_have_count(1)
    expect(alice.get_by_role("link", name="Maria CEBAN")).to_have_count(0)
    hidden.get_by_role("link", name="Request access").click()
    expect(alice.get_by_label("Reference")).not_to_have_value("")
    alice.get_by_label("Why you need it").fill("Victim may be in Perpignan, case 118")
    alice.get_by_role("button", name="Request access").click()
    mine = alice.get_by_role("region", name="My requests")
    expect(mine.get_by_role("row").filter(has_text="NCB-ES")).to_contain_text("pending")

    carmen = browsing.page("carmen")
    carmen.goto(f"{browsing.server}/app/access")
    to_us = carmen.get_by_role("region", name="Requests to my agency")
    request = to_us.get_by_role("row").filter(has_text="case 118")
    request.get_by_role("button", name="Grant").click()
    expect(to_us.get_by_role("row").filter(has_text="case 118")).to_contain_text("granted")

    alice.reload()
    alice.get_by_role("region", name="My requests").get_by_role("link", name="open the record").click()
    expect(alice.get_by_role("heading", name=re.compile("Maria CEBAN"))).to_be_visible()
    expect(alice.get_by_role("note", name="Handling")).to_contain_text("TLP:RED")
    search(alice, browsing.server, "Maria Ceban", "e2e case 1, after the grant")
    expect(alice.get_by_role("link", name="Maria CEBAN")).to_be_visible()


def test_the_first_responder_pages_fit_a_phone(browsing: Browsing) -> None:
    page = browsing.page("elena", phone=True)
    page.goto(f"{browsing.server}/app/screen")
    page.get_by_label("Name").fill("Dmitrii Volkov")
    page.locator("#purpose").fill("border check")
    page.get_by_role("button", name="Screen", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("match"))).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the screening page is {width} px wide on a 390 px phone"
