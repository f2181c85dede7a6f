"""Notices and watches in Chromium: a red notice from alice's draft to grace's publication, and a
watch alice adds and finds on her dashboard.

The demo world is shared by the session, so each test names its notice and watch uniquely.
"""

from __future__ import annotations

import secrets

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing


def test_a_red_notice_is_drafted_submitted_and_published_by_the_secretariat(browsing: Browsing) -> None:
    title = f"Wanted for trafficking {secrets.token_hex(3)}"
    alice = browsing.page("alice")
    alice.get_by_role("link", name="Notices", exact=True).click()
    alice.get_by_role("link", name="Draft a notice").click()
    alice.get_by_label("Kind").select_option("red")
    alice.get_by_label("Title", exact=True).fill(title)
    alice.get_by_label("Summary").fill("Arrest for extradition to France.")
    alice.get_by_label("Name", exact=True).fill("Ivan Sokolov")
    alice.get_by_label("Birth date").fill("1975-03-02")
    alice.get_by_label("Nationality (ISO code)").fill("ru")
    alice.get_by_role("button", name="Save draft").click()
    expect(alice.get_by_role("heading", name=title)).to_be_visible()
    expect(alice.locator("strong.status")).to_have_text("draft")
    alice.get_by_role("button", name="Submit for review").click()
    expect(alice.locator("strong.status")).to_have_text("submitted")
    expect(alice.get_by_role("button", name="Publish")).to_have_count(0)
    notice_url = alice.url

    grace = browsing.page("grace")
    awaiting = grace.locator("section", has=grace.get_by_role("heading", name="Notices awaiting my review"))
    awaiting.get_by_role("link", name=title).click()
    expect(grace.get_by_text("Ivan Sokolov")).to_be_visible()
    grace.get_by_label("Note").fill("Checked against the file.")
    grace.get_by_role("button", name="Publish").click()
    expect(grace.locator("strong.status")).to_have_text("published")
    expect(grace.get_by_text("Checked against the file.")).to_be_visible()

    alice.goto(notice_url)
    expect(alice.locator("strong.status")).to_have_text("published")
    alice.goto(f"{browsing.server}/app/notices?status=published")
    expect(alice.get_by_role("link", name=title)).to_be_visible()


def test_a_watch_added_by_name_shows_on_the_dashboard(browsing: Browsing) -> None:
    label = f"case {secrets.token_hex(3)}"
    alice = browsing.page("alice", phone=True)
    alice.goto(f"{browsing.server}/app/watches")
    alice.get_by_label("Name", exact=True).fill("Dmitri Volkov")
    alice.get_by_label("Birth date (people)").fill("1980")
    alice.get_by_label("Label").fill(label)
    alice.get_by_role("button", name="Add watch").click()
    expect(alice.locator("ul.watches").get_by_text(label, exact=True)).to_be_visible()
    alice.get_by_role("link", name="Liaison", exact=True).click()
    watches = alice.locator("section", has=alice.get_by_role("heading", name="My watches"))
    expect(watches.get_by_text(label)).to_be_visible()
