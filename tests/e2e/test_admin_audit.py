"""Administration and the audit trail, in Chromium: an admin adds a user, an auditor verifies."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from liaison.demo.world import DEMO_PASSWORD
from tests.e2e.conftest import Browsing


def test_an_admin_adds_a_user_who_then_logs_in(browsing: Browsing) -> None:
    page = browsing.page("bruno")
    page.get_by_role("link", name="Administration").click()
    expect(page.get_by_role("heading", name="Administration of NCB-FR")).to_be_visible()
    users = page.get_by_role("region", name="Users")
    expect(users.get_by_role("cell", name="alice", exact=True)).to_be_visible()
    expect(users.get_by_role("cell", name="carmen", exact=True)).to_have_count(0)  # NCB-ES is not bruno's

    form = page.get_by_role("region", name="Add a user")
    form.get_by_label("User name").fill("farid")
    form.get_by_label("Role").select_option("officer")
    # The demo login fixture logs in with the demo password, so the new user gets it too.
    form.get_by_label("Password for web login").fill(DEMO_PASSWORD)
    form.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("status")).to_have_text("User farid added.")
    expect(users.get_by_role("row", name=re.compile(r"^farid officer active yes"))).to_be_visible()

    newcomer = browsing.page("farid")
    expect(newcomer.get_by_text("farid · NCB-FR · officer")).to_be_visible()
    expect(newcomer.get_by_role("link", name="Administration")).to_have_count(0)


def test_an_auditor_verifies_the_audit_trail(browsing: Browsing) -> None:
    page = browsing.page("ines")
    page.get_by_role("link", name="Audit", exact=True).click()
    expect(page.get_by_role("heading", name="Audit trail", exact=True)).to_be_visible()
    events = page.get_by_role("region", name="Newest events")
    expect(events.get_by_role("row", name=re.compile(r"ines NCB-ES session\.start"))).not_to_have_count(0)

    page.get_by_role("button", name="Verify the audit trail").click()
    expect(page.get_by_role("status")).to_contain_text(
        re.compile(r"The audit trail is intact: \d+ events verified")
    )
    expect(page.get_by_role("alert")).to_have_count(0)
