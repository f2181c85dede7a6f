"""Border screening in Chromium: a stolen passport reported, a manifest uploaded and screened, a
listed person denied by one officer and confirmed by another (on a phone), then found again.

The demo world holds the UN list (ERIC BADEGE, born 1971, of the DR Congo); felix and olga are
BP-MD's border officers. The world lives for the whole session, so the flight and the document
number are this test's own.
"""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Page, expect

from tests.e2e.conftest import Browsing
from tests.e2e.test_accessibility import UNNAMED


def _manifest(flight: str, document: str) -> bytes:
    rows = (
        "flight,departure,arrival,surname,given_names,birth_date,nationality,"
        "document_type,document_number,document_country",
        f"{flight},IST,RMO,BADEGE,ERIC,1971,cd,P,CD{document},cd",
        f"{flight},IST,RMO,Carrier,Anna,1988-05-05,md,P,{document},md",
        f"{flight},IST,RMO,Nobody-Clear,Johanna,1990-01-01,se,P,SE{document},se",
        f"{flight},IST,RMO,Future,Baby,2099-01-01,md,,,",
    )
    return "\n".join(rows).encode()


def report_stolen(page: Page, server: str, document: str) -> None:
    """Report a Moldovan passport stolen on the documents page."""
    page.goto(f"{server}/app/documents")
    page.get_by_label("Document number").fill(document)
    page.get_by_label("Issuing country (ISO code)").fill("md")
    page.get_by_label("Status").select_option("stolen")
    page.get_by_label("Note").fill("stolen at Chisinau airport")
    page.get_by_role("button", name="Report the document").click()
    expect(page.get_by_role("status")).to_contain_text("The document is in the register")
    expect(page.get_by_role("cell", name=f"MD {document}")).to_be_visible()


def deny_listed(page: Page, document: str) -> None:
    """From a manifest's page, deny ERIC BADEGE (travelling on CD<document>) in the referral queue."""
    page.get_by_role("navigation", name="Border screening").get_by_role("link", name="Referral queue").click()
    referral = page.locator("li.referral").filter(has_text=f"passport CD{document}")
    expect(referral).to_have_count(1)
    decide = referral.get_by_role("form", name=re.compile("Decide on .*BADEGE", re.I)).first
    decide.get_by_label("Deny entry").check()
    decide.get_by_label("Reason").fill("UN travel ban; name, birth year and nationality agree")
    decide.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("Deny recorded")
    mine = page.locator("ul.pending li").filter(has_text=f"passport CD{document}")
    expect(mine).to_contain_text("Your deny: waiting for another officer.")
    expect(mine.get_by_role("button")).to_have_count(0)


def confirm_deny(page: Page, server: str, document: str) -> None:
    """As a second officer, confirm the deny of the traveller on CD<document>."""
    page.goto(f"{server}/app/referrals")
    waiting = page.locator("ul.pending li").filter(has_text=f"passport CD{document}")
    expect(waiting).to_contain_text("UN travel ban")
    waiting.get_by_role("button", name=re.compile("Confirm the deny")).click()
    expect(page.get_by_role("status")).to_contain_text("Deny confirmed")


def upload(page: Page, server: str, flight: str, document: str) -> None:
    """Screen the test's four-passenger manifest of a flight through the upload form."""
    page.goto(f"{server}/app/manifests")
    page.get_by_label("Manifest file").set_input_files(
        {"name": f"{flight}.csv", "mimeType": "text/csv", "buffer": _manifest(flight, document)}
    )
    page.get_by_label("Purpose").fill(f"API check of flight {flight}")
    page.get_by_role("button", name="Screen the manifest").click()
    expect(page.get_by_role("heading", name=f"Flight {flight}", level=1)).to_be_visible()


def test_a_listed_traveller_is_denied_with_four_eyes_and_recalled(browsing: Browsing) -> None:
    flight = f"9U{secrets.randbelow(9000) + 1000}"
    document = f"MD{secrets.token_hex(4).upper()}"
    felix = browsing.page("felix")

    report_stolen(felix, browsing.server, document)
    upload(felix, browsing.server, flight, document)
    rows = felix.locator("table.passengers tbody tr")
    expect(rows.filter(has_text="ERIC").locator(".outcome")).to_have_text("possible match")
    expect(
        rows.filter(has_text="ERIC").get_by_role("link", name=re.compile("BADEGE", re.I)).first
    ).to_be_visible()
    expect(rows.filter(has_text="Carrier").locator(".outcome")).to_have_text("document hit")
    expect(rows.filter(has_text="Carrier")).to_contain_text("reported stolen by BP-MD")
    expect(rows.filter(has_text="Nobody-Clear").locator(".outcome")).to_have_text("clear")
    expect(felix.locator("table.refused")).to_contain_text("2099-01-01 is in the future")
    assert felix.evaluate(UNNAMED) == []

    deny_listed(felix, document)
    assert felix.evaluate(UNNAMED) == []

    olga = browsing.page("olga", phone=True)
    confirm_deny(olga, browsing.server, document)
    olga.get_by_role("link", name="Decisions").click()
    expect(olga.locator("table tbody tr").filter(has_text=f"passport CD{document}").first).to_contain_text(
        "confirmed by olga"
    )

    upload(felix, browsing.server, flight, document)
    again = felix.locator("table.passengers tbody tr").filter(has_text="ERIC")
    expect(again.locator(".earlier").first).to_contain_text("denied earlier by felix")
