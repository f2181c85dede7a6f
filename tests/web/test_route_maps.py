"""The route maps' country outlines: shipped in the package, served, and drawn under the legs in
the map's own projection.

Strategy: the outlines file as committed; the map laid out by `routes.draw` from plain flows and
rendered by its template; the file fetched from the real app on an empty SQLite store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from liaison.analysis.routes import Flows, Hotspot, Leg
from liaison.api.app import create_app
from liaison.settings import Settings
from liaison.web import outlines
from liaison.web.render import TEMPLATES
from liaison.web.routes import draw
from liaison.web.wildlife import route_map

ASSETS = Path(__file__).parents[2] / "liaison" / "web" / "assets"


def _flows(*legs: tuple[str, str]) -> Flows:
    countries = sorted({country for leg in legs for country in leg})
    return Flows([], [Leg(a, b, 1) for a, b in legs], [Hotspot(c, 1, 0, 0, 0, 0, ()) for c in countries], [])


def _land(svg: str) -> list[str]:
    found = re.search(r'<g class="land" transform="scale\(([\d.]+)\)">(.*?)</g>', svg, re.S)
    assert found is not None, svg[:500]
    return re.findall(r'<path d="([^"]+)"></path>', found.group(2))


def _svg(flows: Flows) -> str:
    template = TEMPLATES.env.get_template("_route_map.html")
    return template.render(route_map=draw(flows), map_title="t", map_desc="d")


def test_the_outlines_file_names_its_source_and_licence_and_holds_every_country() -> None:
    document = json.loads(outlines.OUTLINES.read_text(encoding="utf-8"))
    assert "world-atlas 2.0.2" in document["source"] and "Natural Earth" in document["source"]
    assert "public domain" in document["licence"] and "ISC" in document["licence"]
    assert document["made_by"] == "liaison/web/assets/outlines.mjs" and (ASSETS / "outlines.mjs").is_file()
    names = {country.name for country in outlines.outlines()}
    assert len(names) > 170 and {"France", "Nigeria", "Ukraine", "China", "Brazil"} <= names
    pinned = json.loads((ASSETS / "package.json").read_text())["dependencies"]
    assert pinned["world-atlas"] == "2.0.2" and pinned["topojson-client"] == "3.1.0"


def test_a_world_wide_map_draws_the_countries_under_the_legs() -> None:
    svg = _svg(_flows(("br", "jp"), ("za", "ca"), ("au", "ru")))
    land = _land(svg)
    assert len(land) > 100
    assert svg.index('class="land"') < svg.index('class="spots"') < svg.index('class="legs"')


def test_a_regional_map_draws_only_the_countries_in_its_frame() -> None:
    land = set(_land(_svg(_flows(("es", "fr"), ("ua", "es")))))
    by_name = {country.name: country.d for country in outlines.outlines()}
    assert {by_name["France"], by_name["Spain"], by_name["Ukraine"]} <= land
    assert by_name["Australia"] not in land and by_name["Brazil"] not in land
    assert 20 < len(land) < 100


def test_the_outlines_share_the_centroids_projection() -> None:
    # France's centroid (about 46.6 N, 2.4 E) falls inside France's outline box, both projected
    # as the map projects (x = lon + 180, y = 90 - lat, times the scale).
    laid = draw(_flows(("fr", "de")))
    [france] = [spot for spot in laid.spots if spot.country == "FR"]
    [outline] = [country for country in outlines.outlines() if country.name == "France"]
    west, south, east, north = outline.bbox
    assert (west + 180) * laid.scale <= france.x <= (east + 180) * laid.scale
    assert (90 - north) * laid.scale <= france.y <= (90 - south) * laid.scale


def test_the_wildlife_map_has_the_outlines_too() -> None:
    assert route_map([("ng", "cn", 3), ("vn", "cn", 5)]).land


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/liaison.db", cookie_secure=False)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_the_outlines_file_is_served_from_the_server_itself(client: TestClient) -> None:
    answer = client.get(f"/app/static/vendor/{outlines.OUTLINES.name}")
    assert answer.status_code == 200
    assert len(answer.json()["countries"]) == len(outlines.outlines())
