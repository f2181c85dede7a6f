"""Coordinated operations in Chromium: hugo (GS-LYON, coordinator) plans one with NCB-ES and NCB-UA,
carmen (NCB-ES) watches its tally while dmitri (NCB-UA, on a phone) files a result, and her numbers
change in place without a reload; hugo downloads the after-action report and finds the operation
on his dashboard.

The demo world is shared by the session, so each test names its operation uniquely.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Browsing
from tests.e2e.test_accessibility import UNNAMED

TODAY = dt.datetime.now(dt.UTC).date()


def plan_operation(
    hugo: Page,
    name: str,
    agencies: tuple[str, ...] = ("NCB-ES", "NCB-UA"),
    countries: str = "es, ua",
    checkpoints: str = "KBP:airport:ua:Kyiv Boryspil:PS101,TK458\nMAD:airport:es",
) -> str:
    """Plan an operation through the form as a coordinator; the URL of its page."""
    hugo.get_by_role("link", name="Operations", exact=True).click()
    hugo.get_by_role("link", name="Plan an operation").click()
    hugo.get_by_label("Name", exact=True).fill(name)
    hugo.get_by_label("Crime area").select_option("trafficking")
    hugo.get_by_label("First day").fill((TODAY - dt.timedelta(days=1)).isoformat())
    hugo.get_by_label("Last day").fill((TODAY + dt.timedelta(days=5)).isoformat())
    for agency in agencies:
        hugo.get_by_role("checkbox", name=re.compile(rf"^{agency}\b")).check()
    hugo.get_by_label("Participating countries").fill(countries)
    hugo.get_by_label("Objectives").fill("Identify victims on the Kyiv to Madrid flights.")
    hugo.get_by_label("Checkpoints").fill(checkpoints)
    hugo.get_by_role("button", name="Create operation").click()
    expect(hugo.get_by_role("heading", name=name, exact=True)).to_be_visible()
    return hugo.url


def test_a_result_filed_in_the_field_moves_the_tally_live(browsing: Browsing) -> None:
    name = f"Liberterra {secrets.token_hex(3)}"
    hugo = browsing.page("hugo")
    url = plan_operation(hugo, name)
    expect(hugo.get_by_role("cell", name="PS101, TK458")).to_be_visible()

    carmen = browsing.page("carmen")
    carmen.goto(url)
    expect(carmen.locator("#tally-status")).to_have_text("live")
    expect(carmen.locator("#total-arrest")).to_have_text("0")
    expect(carmen.locator("#results-stale")).to_be_hidden()
    carmen.evaluate("window.__marker = 1")

    dmitri = browsing.page("dmitri", phone=True)
    dmitri.goto(url)
    expect(dmitri.get_by_label("What was seized")).to_be_hidden()  # seizure fields for seizures only
    dmitri.get_by_label("Kind", exact=True).select_option("arrest")
    dmitri.get_by_label("Count", exact=True).fill("3")
    dmitri.get_by_label("Country", exact=True).select_option("ua")
    dmitri.get_by_label("Checkpoint", exact=True).select_option("KBP")
    dmitri.get_by_label("Note", exact=True).fill("Two couriers and their handler at gate D4.")
    dmitri.get_by_role("button", name="File result").click()
    expect(dmitri.get_by_text(re.compile(r"Result #\d+ filed"))).to_be_visible()
    expect(dmitri.locator("#total-arrest")).to_have_text("3")
    # On a phone the page scrolls down, not sideways: wide tables scroll within themselves.
    assert dmitri.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Carmen's page counts it without a reload: the same document, now with the new numbers.
    expect(carmen.locator("#total-arrest")).to_have_text("3")
    expect(carmen.locator('#tally-countries tr[data-key="ua"] td[data-kind="arrest"]')).to_have_text("3")
    expect(carmen.locator('#tally-countries tr[data-key="es"] td[data-kind="arrest"]')).to_have_text("0")
    expect(
        carmen.locator(f'#tally-days tr[data-key="{TODAY.isoformat()}"] td[data-kind="arrest"]')
    ).to_have_text("3")
    expect(carmen.locator("#results-stale")).to_be_visible()
    assert carmen.evaluate("window.__marker") == 1
    expect(carmen.locator("#tally-status")).to_have_text("live")

    hugo.reload()
    with hugo.expect_download() as download:
        hugo.get_by_role("link", name="Report as PDF").click()
    report = download.value
    assert report.suggested_filename.startswith("after-action-") and report.suggested_filename.endswith(
        ".pdf"
    )
    path = report.path()
    assert path is not None and path.read_bytes().startswith(b"%PDF")
    hugo.get_by_role("link", name="After-action report").click()
    expect(hugo.get_by_role("heading", name=f"After-action report: {name}")).to_be_visible()

    hugo.goto(f"{browsing.server}/app")
    current = hugo.locator("section", has=hugo.get_by_role("heading", name="Current operations"))
    expect(current.get_by_role("link", name=name)).to_be_visible()
    expect(current.locator("li", has_text=name)).to_contain_text("3 arrests")
    current.get_by_role("link", name=name).click()
    expect(hugo.get_by_role("heading", name=name, exact=True)).to_be_visible()


def test_the_operation_pages_have_their_landmarks_and_name_every_control(browsing: Browsing) -> None:
    name = f"Thunderball {secrets.token_hex(3)}"
    hugo = browsing.page("hugo")
    url = plan_operation(hugo, name)
    dmitri = browsing.page("dmitri", phone=True)
    for page, path in ((hugo, "/app/operations"), (hugo, "/app/operations/new"), (hugo, url), (dmitri, url)):
        page.goto(path if path.startswith("http") else f"{browsing.server}{path}")
        assert page.locator("main").count() == 1, path
        assert page.locator("h1").count() == 1, path
        assert page.get_by_role("navigation", name="Main").count() == 1, path
        assert page.evaluate(UNNAMED) == [], path
    # A seizure shows its own fields, each named.
    dmitri.get_by_label("Kind", exact=True).select_option("seizure")
    expect(dmitri.get_by_label("What was seized")).to_be_visible()
    assert dmitri.evaluate(UNNAMED) == []


def test_the_tally_says_when_its_stream_drops_and_comes_back(browsing: Browsing) -> None:
    name = f"Lionfish {secrets.token_hex(3)}"
    url = plan_operation(browsing.page("hugo"), name)
    carmen = browsing.page("carmen")
    carmen.route("**/tally/stream", lambda route: route.abort())
    carmen.goto(url)
    expect(carmen.locator("#tally-status")).to_have_text("reconnecting")
    carmen.unroute("**/tally/stream")
    expect(carmen.locator("#tally-status")).to_have_text("live", timeout=15_000)
