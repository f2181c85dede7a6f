"""What a screen reader needs on every main page: one main landmark, one h1, a name for every control."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Browsing

PAGES = (
    "/app",
    "/app/search?q=Karim+Benali&purpose=a11y+check",
    "/app/entities/f489fde47d00d5431d4176d4d0e7c4766cef44a3",
    "/app/screen?name=Dmitrii+Volkov&purpose=a11y+check",
    "/app/review",
    "/app/network?entity=f489fde47d00d5431d4176d4d0e7c4766cef44a3",
    "/app/routes",
    "/app/messages",
    "/app/messages/new",
    "/app/notices",
    "/app/notices/new",
    "/app/operations",
    "/app/watches",
    "/app/access",
    "/app/manifests",
    "/app/referrals",
    "/app/decisions",
    "/app/documents",
    "/app/cyber?values=192.0.2.211&purpose=a11y+check",
    "/app/wildlife?by=country&purpose=a11y+check",
    "/app/wildlife/duplicates?dataset=cus_ng_wildlife_seizures&against=other&purpose=a11y+check",
    "/app/indicators?lang=fr",
    "/app/trafficking?by=year&purpose=a11y+check",
)
# Controls without a label, an aria-label or a title: a screen reader announces them as "edit text".
UNNAMED = """() => Array.from(document.querySelectorAll('input, select, textarea, button'))
  .filter((el) => el.type !== 'hidden' && !el.closest('[hidden]'))
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
    && !el.getAttribute('title') && !(el.tagName === 'BUTTON' && el.textContent.trim()))
  .map((el) => el.outerHTML.slice(0, 120))"""


@pytest.mark.parametrize("path", PAGES)
def test_each_page_has_its_landmarks_and_names_every_control(browsing: Browsing, path: str) -> None:
    page = browsing.page("alice")
    page.goto(f"{browsing.server}{path}")
    assert page.locator("main").count() == 1
    assert page.locator("h1").count() == 1
    # The menu is named in the page's language: "Principal" on the French form.
    menu = "Principal" if path.endswith("lang=fr") else "Main"
    assert page.get_by_role("navigation", name=menu, exact=True).count() == 1
    assert page.evaluate(UNNAMED) == []
