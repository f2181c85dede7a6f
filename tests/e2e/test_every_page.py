"""Every page of every demo user's menu opens and shows something, in Chromium, on the demo world.

Strategy: one test per demo user, in the session's one browser (tests/e2e/conftest.py). Each
logs in, reads its own menu off the dashboard (so the menu tested is the one the user sees), and
opens the dashboard and every page of it. A page fails when it answers an error status, shows an
error (`role="alert"`), throws a script error, or shows no content. Content is what the page is
for, defined per page in `SHOWN` below: a table row, a list item, a drawing, a result. An
explicit empty state ("No threads yet.", `class="empty"`) is no content. Pages that answer a
question (search, screening, statistics) are opened with the question a user would ask of the
demo world. Every problem of one user is reported together. Read-only, but for the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import Browsing

USERS = ("alice", "bruno", "carmen", "dmitri", "elena", "grace", "hugo", "ines", "felix", "olga")
PURPOSE = "purpose=every+page+check"
NOT_EMPTY = ":not(.empty):not(:has(.empty))"
"""A row or item that is not an empty-state message."""


@dataclass(frozen=True)
class Shown:
    """How a page is opened (its query, the one a user would ask) and what counts as its content:
    elements in the main region matching `content`, at least one."""

    content: str
    query: str = ""


SHOWN: dict[str, Shown] = {
    # An alert, a current operation, a thread, a watch, or a notice to review.
    "/app": Shown(f".card li{NOT_EMPTY}"),
    "/app/search": Shown(f"#search-results tbody tr{NOT_EMPTY}, .hit-reference", f"?q=Petrenko&{PURPOSE}"),
    "/app/screen": Shown(
        "section[aria-labelledby=h-result] details, .hit-reference", f"?name=Dmitrii+Volkov&{PURPOSE}"
    ),
    "/app/review": Shown("#review-form"),
    # Opened on an entity the user found by search, as from an entity page: a node listed is content.
    "/app/network": Shown(f"#node-rows tr{NOT_EMPTY}"),
    "/app/routes": Shown(f"#flows tbody tr{NOT_EMPTY}, #hotspots tbody tr{NOT_EMPTY}"),
    "/app/watches": Shown(f".watches li{NOT_EMPTY}"),
    "/app/messages": Shown(f"tbody tr{NOT_EMPTY}"),
    "/app/notices": Shown(f"tbody tr{NOT_EMPTY}"),
    "/app/access": Shown(f"tbody tr{NOT_EMPTY}"),
    "/app/operations": Shown(f"tbody tr{NOT_EMPTY}"),
    "/app/manifests": Shown(f"tbody tr{NOT_EMPTY}"),
    "/app/referrals": Shown(f".referrals > li{NOT_EMPTY}, .pending > li{NOT_EMPTY}"),
    "/app/trafficking": Shown(f"#stats-table tbody tr{NOT_EMPTY}", f"?by=year&{PURPOSE}"),
    "/app/wildlife": Shown(f"#trend-chart svg, #trend-table tbody tr{NOT_EMPTY}", f"?by=country&{PURPOSE}"),
    # The TAXII collections the user may export, or STIX/MISP imported: rows of the sharing table.
    "/app/cyber": Shown(f"tbody tr{NOT_EMPTY}"),
    "/app/indicators": Shown("#indicator-form label.choice"),
    "/app/admin": Shown(f"tbody tr{NOT_EMPTY}"),
    "/app/audit": Shown(f"tbody tr{NOT_EMPTY}"),
}


def _found_entity(page: Page, server: str) -> str:
    """The first entity a search for Petrenko finds for this user, to start a network from."""
    page.goto(f"{server}/app/search?q=Petrenko&{PURPOSE}")
    link = page.locator("#search-results tbody a[href^='/app/entities/']").first
    if not link.count():
        return ""
    href = link.get_attribute("href") or ""
    return href.removeprefix("/app/entities/").split("?")[0]


def _problem(page: Page, server: str, path: str, shown: Shown, errors: list[str]) -> str:
    """What is wrong with the page at `path`, or ""."""
    query = shown.query
    if path == "/app/network":
        entity = _found_entity(page, server)
        query = f"?entity={quote(entity)}&hops=2" if entity else ""
    errors.clear()
    answer = page.goto(f"{server}{path}{query}")
    main = page.locator("main")
    if answer is None or answer.status >= 400:
        return f"{path}: status {answer.status if answer else 'none'}"
    if main.locator("[role=alert]").count():
        return f"{path}: shows an error: {main.locator('[role=alert]').first.inner_text()[:200]}"
    if errors:
        return f"{path}: script error: {errors[0][:200]}"
    if not main.locator(shown.content).count():
        said = [text.strip()[:80] for text in main.locator(".empty").all_inner_texts()]
        return f"{path}: no content ({'; '.join(said) or 'nothing matched ' + shown.content})"
    return ""


@pytest.mark.parametrize("user", USERS)
def test_every_page_of_the_menu_opens_with_content(browsing: Browsing, user: str) -> None:
    page = browsing.page(user)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    menu = page.locator("nav.menu a").evaluate_all("links => links.map((a) => a.getAttribute('href'))")
    assert menu, f"{user} has an empty menu"
    unknown = [path for path in menu if path not in SHOWN]
    assert not unknown, f"the menu links pages this test does not know: {unknown}"
    problems = [_problem(page, browsing.server, path, SHOWN[path], errors) for path in ["/app", *menu]]
    problems = [problem for problem in problems if problem]
    assert not problems, f"{user}:\n" + "\n".join(problems)
