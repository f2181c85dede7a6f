"""The network and routes pages in Chromium, on the demo world.

Strategy: carmen (NCB-ES analyst) opens the network of Nataliia Petrenko in NCB-UA's recruitment
file, whose links reach NCB-ES's own victim file and the agency; expanding her brother adds his
passport and partner; the routes page lists the minibus crossings Odesa - Alicante. Read-only.
"""

from __future__ import annotations

from playwright.sync_api import expect

from liaison.demo.build import demo_id
from tests.e2e.conftest import Browsing, wait_until

NATALIA = demo_id("ncb_ua_trafficking", "natalia")
PETRENKO = demo_id("ncb_ua_trafficking", "petrenko")


def test_the_network_is_drawn_listed_and_grows_when_a_node_is_expanded(browsing: Browsing) -> None:
    page = browsing.page("carmen")
    page.get_by_role("link", name="Network").click()
    page.get_by_label("Entity id").fill(NATALIA)
    page.get_by_role("button", name="Show network").click()
    wait_until(page, "window.liaisonGraph && window.liaisonGraph.nodes().length > 1")
    drawn = page.evaluate("window.liaisonGraph.nodes().length")
    rows = page.locator("#node-rows tr")
    expect(rows).to_have_count(drawn)
    # Her victims, in carmen's own RED file, point at her; so does her brother in NCB-UA's file.
    expect(page.locator("#node-rows").get_by_role("link", name="Maria CEBAN")).to_be_visible()
    expect(page.locator("#node-rows").get_by_role("link", name="Олександр Іванович Петренко")).to_be_visible()
    assert page.evaluate(f"window.liaisonGraph.getElementById('{NATALIA}').hasClass('start')")

    page.evaluate(f"window.liaisonGraph.getElementById('{PETRENKO}').emit('tap')")
    expect(page.locator("#selected-name")).to_have_text("Олександр Іванович Петренко")
    expect(page.get_by_role("link", name="Open entity page")).to_have_attribute(
        "href", f"/app/entities/{PETRENKO}"
    )
    page.get_by_role("button", name="Expand").click()
    wait_until(page, f"window.liaisonGraph.nodes().length > {drawn}")
    grown = page.evaluate("window.liaisonGraph.nodes().length")
    expect(rows).to_have_count(grown)
    expect(page.locator("#node-rows").get_by_role("link", name="Ion RUSU")).to_be_visible()
    expect(page.locator("#graph-status")).to_contain_text("added around Олександр Іванович Петренко")
    expect(page.get_by_role("button", name="Expand")).to_be_disabled()


def test_the_network_of_a_phone_user_keeps_its_tables(browsing: Browsing) -> None:
    page = browsing.page("carmen", phone=True)
    page.goto(f"{browsing.server}/app/network?entity={NATALIA}&hops=1")
    wait_until(page, "window.liaisonGraph && window.liaisonGraph.nodes().length > 1")
    expect(page.locator("#graph")).to_be_visible()
    expect(page.get_by_role("heading", name="Links")).to_be_visible()
    expect(page.locator("#link-rows tr").first).to_be_visible()


def test_the_routes_page_lists_flows_and_hotspots_on_a_local_map(browsing: Browsing) -> None:
    page = browsing.page("carmen")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.get_by_role("link", name="Routes").click()
    expect(page.get_by_role("heading", name="Routes and hotspots")).to_be_visible()
    crossing = page.locator("#flows tbody tr").filter(has_text="Ukraine (UA)")
    expect(crossing).to_contain_text("Romania (RO)")
    expect(crossing).to_contain_text("Spain (ES)")
    expect(crossing.locator("td").nth(3)).to_have_text("2")
    # The pangolin seizures of the demo story (China, Viet Nam...) rank above Spain's trips.
    expect(page.locator("#hotspots tbody tr").filter(has_text="Spain (ES)")).to_have_count(1)
    expect(page.locator("svg.route-map circle").first).to_be_visible()
    assert all(url.startswith(browsing.server) for url in requests), requests
