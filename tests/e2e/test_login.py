"""Logging in and the dashboard, in Chromium."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing


def test_a_wrong_password_is_refused_and_the_right_one_opens_the_dashboard(browsing: Browsing) -> None:
    page = browsing.page()
    page.goto(f"{browsing.server}/app/search")
    expect(page).to_have_url(f"{browsing.server}/app/login?next=/app/search")
    page.get_by_label("User name").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("Unknown user or wrong password")
    browsing.page("alice")  # a second context logs in through the same form


def test_logging_out_ends_the_session(browsing: Browsing) -> None:
    page = browsing.page("carmen")
    expect(page.get_by_text("carmen · NCB-ES")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(f"{browsing.server}/app")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
