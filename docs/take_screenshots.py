"""Screenshots of the main pages, for docs/screenshots/: `python docs/take_screenshots.py [URL]`.

Point it at a server on a fresh demo world (`make run`, then this with its URL, by default
http://localhost:8000). It logs in as the demo users through the login form, in Debian's
Chromium, and saves one PNG per page. It changes nothing but the audit trail.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from liaison.services.demo_world import DEMO_PASSWORD  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, DESK, PHONE  # noqa: E402

OUT = Path(__file__).parent / "screenshots"
BENALI = "f489fde47d00d5431d4176d4d0e7c4766cef44a3"


def _login(page: Page, url: str, user: str) -> None:
    page.goto(f"{url}/app/login")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{url}/app")


def main() -> None:
    """Log in as each user a page needs and save the pages."""
    url = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8000"
    OUT.mkdir(exist_ok=True)
    shots = {
        "alice": [
            ("dashboard", "/app"),
            ("search", "/app/search?q=Natalia+Petrenko&purpose=case+118"),
            ("search-hit-no-hit", "/app/search?q=Maria+Ceban&purpose=case+118"),
            ("entity", f"/app/entities/{BENALI}?purpose=case+118"),
            ("screening", "/app/screen?name=Dmitrii+Volkov&purpose=airport+check"),
            ("review", "/app/review"),
            ("network", f"/app/network?entity={BENALI}&hops=2"),
            ("routes", "/app/routes"),
            ("notices", "/app/notices"),
            ("messages-new", "/app/messages/new"),
        ],
        "bruno": [("admin", "/app/admin")],
        "ines": [("audit", "/app/audit")],
    }
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for user, pages in shots.items():
            page = browser.new_context(viewport=DESK).new_page()
            _login(page, url, user)
            for name, path in pages:
                page.goto(f"{url}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=name != "network")
        phone = browser.new_context(viewport=PHONE).new_page()
        _login(phone, url, "elena")
        phone.goto(f"{url}/app/screen?name=Dmitrii+Volkov&purpose=border+check")
        phone.screenshot(path=str(OUT / "phone-screening.png"), full_page=False)
        browser.close()


if __name__ == "__main__":
    main()
