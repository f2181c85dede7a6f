"""Screening a name and a CSV, and reviewing a pair with the keyboard, in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing


def test_a_name_is_screened_with_its_explained_matches_and_hidden_hits(browsing: Browsing) -> None:
    page = browsing.page("alice")
    page.goto(f"{browsing.server}/app/screen")
    page.get_by_label("Name").fill("Dmitrii Volkov")
    page.locator("#purpose").fill("airport check")
    page.get_by_role("button", name="Screen", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(r"1 match and 2 hidden"))).to_be_visible()
    expect(page.locator(".hit-reference").filter(has_text="FIU-NL")).to_have_count(1)
    expect(page.get_by_role("cell", name="name_similarity").first).to_be_visible()


def test_a_csv_is_screened_with_progress_and_offered_as_a_download(browsing: Browsing) -> None:
    page = browsing.page("alice")
    page.goto(f"{browsing.server}/app/screen")
    manifest = "name,birth_date,nationality\nDmitrii Volkov,,\nJohanna Nobody-Clear,1990-01-01,se\n,,\n"
    page.get_by_label("CSV file").set_input_files(
        {"name": "manifest.csv", "mimeType": "text/csv", "buffer": manifest.encode()}
    )
    page.locator("#file-purpose").fill("flight LX 123 manifest")
    page.get_by_role("button", name="Screen the file").click()
    expect(page.get_by_role("status")).to_have_text("done: 2 rows screened, 1 with matches or hidden hits")
    link = page.get_by_role("link", name="Download the result (CSV)")
    with page.expect_download() as download:
        link.click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("row,name,status")
    assert any(line.startswith("1,Dmitrii Volkov,reference") for line in lines)
    assert any(line.startswith("2,Johanna Nobody-Clear,clear") for line in lines)


def test_a_csv_without_a_name_column_is_refused_with_the_reason(browsing: Browsing) -> None:
    page = browsing.page("alice")
    page.goto(f"{browsing.server}/app/screen")
    page.get_by_label("CSV file").set_input_files(
        {"name": "wrong.csv", "mimeType": "text/csv", "buffer": b"surname\nVolkov\n"}
    )
    page.locator("#file-purpose").fill("flight LX 123 manifest")
    page.get_by_role("button", name="Screen the file").click()
    expect(page.get_by_role("status")).to_contain_text("no 'name' column")


def test_a_pair_is_confirmed_with_the_keyboard(browsing: Browsing) -> None:
    page = browsing.page("alice")
    page.goto(f"{browsing.server}/app/review")
    expect(page.get_by_role("region", name="Left record")).to_contain_text("PETRENKO")
    expect(page.get_by_role("region", name="Right record")).to_contain_text("Петренко")
    page.keyboard.press("c")
    expect(page.get_by_text("No pair awaits a decision")).to_be_visible()
