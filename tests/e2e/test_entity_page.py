"""The entity page in Chromium: its tables fit a desk and a phone, it names files not server paths,
Watch says what it did, and no page asks for anything that is not there (the icon included).

Strategy: the operator imports, for NCB-FR, one GREEN person of long unbroken values (a wallet-like
hash, a long e-mail, releasability to many agencies and countries) from a file deep in folders,
under a long name; alice opens it at 1280 px and at 390 px. Changes the world by one dataset and a
watch of alice's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect

from tests.e2e.conftest import Browsing, World, login

ENTITY = "layout-check-1"
FILE = "seizure_report_port_of_constanta_2026_q3_container_MSKU1234567_annex.ftm.json"
HASH = "0x" + "9f3c2a7be1d04f5c" * 8  # 130 characters and not one place to break
RELEASE = [
    "agency:NCB-ES",
    "agency:NCB-UA",
    "agency:BP-MD",
    "agency:GS-LYON",
    "country:es",
    "country:md",
    "country:ua",
    "country:ro",
    "country:bg",
]


@pytest.fixture(scope="module")
def imported(world: World, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("deep") / "srv" / "liaison-imports" / "ncb-fr" / "2026" / "incoming"
    folder.mkdir(parents=True)
    path = folder / FILE
    person = {
        "id": ENTITY,
        "schema": "Person",
        "properties": {
            "name": ["Ivan Petrovich Sokolov-Kuznetsov"],
            "notes": [HASH],
            "email": ["ivan.petrovich.sokolov-kuznetsov.logistics@example-forwarding-company.test"],
            "birthDate": ["1975-03-02"],
        },
    }
    path.write_text(json.dumps(person))
    release = [option for entry in RELEASE for option in ("--release", entry)]
    purpose = "Investigation 2026/118 into container seizures at the port of Constanta and onward routes"
    into = ["--dataset", "fr_layout_check", "--agency", "NCB-FR", "--handling", "GREEN", "--purpose", purpose]
    world.cli("import", "ftm", str(path), *into, *release)
    return folder


def overflowing(page: Page) -> list[str]:
    """What sticks out sideways: the page itself, or a table, list or definition list of its content."""
    found: list[str] = page.evaluate(
        """() => {
          const out = [];
          const root = document.documentElement;
          if (root.scrollWidth > root.clientWidth) out.push(`page ${root.scrollWidth} > ${root.clientWidth}`);
          const main = document.querySelector('main').getBoundingClientRect();
          for (const el of document.querySelectorAll('main table, main dl, main ul, main h1')) {
            const box = el.getBoundingClientRect();
            const parent = el.parentElement.clientWidth;
            if (box.right > main.right + 1 || el.scrollWidth > parent + 1) {
              out.push(`${el.tagName}#${el.id} ${el.scrollWidth} in ${parent}, right ${box.right}`);
            }
          }
          return out;
        }"""
    )
    return found


@pytest.mark.parametrize("phone", [False, True], ids=["desk-1280", "phone-390"])
def test_the_entity_page_fits_and_names_the_file_not_the_path(
    browsing: Browsing, imported: Path, phone: bool
) -> None:
    failed: list[str] = []
    page = browsing.page(phone=phone)

    def note(response: Response) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    page.on("response", note)
    login(page, browsing.server, "alice")
    page.goto(f"{browsing.server}/app/entities/{ENTITY}")
    expect(page.get_by_role("heading", name="Held by")).to_be_visible()
    held = page.locator("#held-by")
    expect(held).to_contain_text(f"{FILE}, line 1")
    assert str(imported) not in page.content() and "liaison-imports" not in page.content()
    expect(page.locator("dl.props")).to_contain_text(f"from fr_layout_check (NCB-FR), {FILE}, line 1")
    assert overflowing(page) == []
    # The browser found the icon the layout links, and asked for nothing that is not there.
    page.wait_for_load_state("networkidle")
    assert failed == []


def test_watch_says_what_it_did(browsing: Browsing, imported: Path) -> None:
    page = browsing.page("alice")
    page.goto(f"{browsing.server}/app/entities/{ENTITY}")
    page.get_by_role("button", name="Watch").click()
    expect(page).to_have_url(f"{browsing.server}/app/entities/{ENTITY}")
    expect(page.locator("#flash[role=status]")).to_have_text(
        "Watching Ivan Petrovich Sokolov-Kuznetsov (fr_layout_check): you will be alerted when new "
        "records match (score 0.70 or more)."
    )
    page.reload()
    expect(page.locator("#flash")).to_have_count(0)  # said once
