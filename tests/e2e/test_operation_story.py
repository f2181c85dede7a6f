"""The whole story of a coordinated operation, in Chromium: hugo (GS-LYON, coordinator) plans it
with NCB-ES and BP-MD and a checkpoint monitoring a flight, and watches its tally; carmen (NCB-ES)
files arrests; felix (BP-MD border officer) reports a stolen passport and screens the flight, whose
passengers and hits count in the operation; felix denies the listed traveller and olga confirms;
hugo's tally moves without a reload, and his after-action report holds it all.
"""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.e2e.conftest import Browsing
from tests.e2e.test_border import confirm_deny, deny_listed, report_stolen, upload
from tests.e2e.test_operations import plan_operation


def test_a_coordinated_operation_from_plan_to_report(browsing: Browsing) -> None:
    flight = f"9U{secrets.randbelow(9000) + 1000}"
    document = f"MD{secrets.token_hex(4).upper()}"
    name = f"Liberterra {secrets.token_hex(3)}"
    hugo = browsing.page("hugo")
    url = plan_operation(
        hugo,
        name,
        agencies=("NCB-ES", "BP-MD"),
        countries="es, md",
        checkpoints=f"RMO:airport:md:Chisinau:{flight}\nMAD:airport:es:Madrid Barajas",
    )
    expect(hugo.locator("#tally-status")).to_have_text("live")
    hugo.evaluate("window.__marker = 1")

    carmen = browsing.page("carmen")
    carmen.goto(url)
    carmen.get_by_label("Kind", exact=True).select_option("arrest")
    carmen.get_by_label("Count", exact=True).fill("2")
    carmen.get_by_label("Country", exact=True).select_option("es")
    carmen.get_by_label("Checkpoint", exact=True).select_option("MAD")
    carmen.get_by_role("button", name="File result").click()
    expect(carmen.get_by_text(re.compile(r"Result #\d+ filed"))).to_be_visible()
    expect(hugo.locator("#total-arrest")).to_have_text("2")

    felix = browsing.page("felix")
    report_stolen(felix, browsing.server, document)
    upload(felix, browsing.server, flight, document)
    # Three passengers were read (the fourth was refused); the listed one and the stolen
    # passport are hits. The coordinator's page counts them as they are filed.
    expect(hugo.locator("#total-person_screened")).to_have_text("3")
    expect(hugo.locator("#total-hit")).to_have_text("2")
    expect(hugo.locator('#tally-countries tr[data-key="md"] td[data-kind="hit"]')).to_have_text("2")

    deny_listed(felix, document)
    confirm_deny(browsing.page("olga", phone=True), browsing.server, document)
    felix.get_by_role("link", name="Decisions").click()
    expect(felix.locator("table tbody tr").filter(has_text=f"passport CD{document}").first).to_contain_text(
        "confirmed by olga"
    )

    assert hugo.evaluate("window.__marker") == 1  # every number above moved in place
    report = hugo.request.get(f"{url}/report")
    assert report.ok
    text = report.text()
    assert f"After-action report: {name}" in text and f"flight {flight}" in text
    for agency in ("GS-LYON", "NCB-ES", "BP-MD"):
        assert agency in text
    assert re.search(r"ERIC BADEGE|BADEGE, Eric|Eric BADEGE", text, re.I)  # the top hit, named
    with hugo.expect_download() as download:
        hugo.get_by_role("link", name="Report as PDF").click()
    path = download.value.path()
    assert path is not None and path.read_bytes().startswith(b"%PDF")
