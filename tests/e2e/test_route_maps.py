"""The route maps draw country outlines, from Liaison's own server only, in Chromium.

Strategy: carmen (NCB-ES analyst) opens the routes and wildlife maps of the demo world; the
outlines are drawn under the legs and no request leaves the server. Read-only.
"""

from __future__ import annotations

from playwright.sync_api import expect

from liaison.web.outlines import OUTLINES
from tests.e2e.conftest import Browsing


def test_the_maps_draw_country_outlines_served_by_liaison_itself(browsing: Browsing) -> None:
    page = browsing.page("carmen")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    for path in ("/app/routes", "/app/wildlife?by=country&purpose=map+check"):
        page.goto(f"{browsing.server}{path}")
        land = page.locator("svg.route-map g.land path")
        expect(land.first).to_be_attached()
        assert land.count() > 20, path  # a region's countries at least, here Europe to Asia
        legs = page.locator("svg.route-map g.legs path")
        assert legs.count() > 0, path
        # Outlines under the legs: the land group comes first in the drawing.
        assert page.evaluate(
            "() => { const map = document.querySelector('svg.route-map');"
            " return map.querySelector('g.land').compareDocumentPosition(map.querySelector('g.legs'))"
            " & Node.DOCUMENT_POSITION_FOLLOWING; }"
        )
    asset = page.request.get(f"{browsing.server}/app/static/vendor/{OUTLINES.name}")
    assert asset.ok and len(asset.json()["countries"]) > 100
    assert all(url.startswith(browsing.server) for url in requests), requests
