"""Routes and hotspots from hand-built FtM trips and events: real flows, legs and ranks.

Strategy: a small world of places (Addresses with countries) and trips along two corridors, one
of them run twice, plus seizures; each test states the flows and ranks an analyst would draw by hand.
"""

from __future__ import annotations

from typing import Any

import pycountry
import pytest
from followthemoney import model
from followthemoney.proxy import EntityProxy

from liaison.analysis.routes import Flow, Record, centroids, flows, trip_path


def entity(schema: str, entity_id: str, **props: Any) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for name, value in props.items():
        proxy.add(name, value)
    return proxy


PLACES = {
    place.id: place
    for place in (
        entity("Address", "odesa", full="Odesa", country="ua"),
        entity("Address", "alicante", full="Alicante", country="es"),
        entity("Address", "lagos", full="Lagos", country="ng"),
        entity("Address", "haiphong", full="Hai Phong", country="vn"),
    )
}


def crossing(entity_id: str) -> EntityProxy:
    return entity(
        "Trip",
        entity_id,
        name=f"Minibus {entity_id}",
        startLocation="odesa",
        endLocation="alicante",
        country=["md", "ro"],
    )


VOYAGE = entity(
    "Trip",
    "voyage",
    name="Kestrel Dawn",
    startLocation="lagos",
    endLocation="haiphong",
    country=["ng", "th", "vn"],
)
SEIZURES = [
    entity("Event", "apapa", name="Seizure at Apapa", country="ng"),
    entity("Event", "ikeja", name="Seizure at Lagos airport", country="ng"),
    entity("Event", "haiphong-seizure", name="Seizure at Hai Phong", country="vn"),
]


def test_a_trip_runs_from_its_start_through_its_own_countries_to_its_end() -> None:
    assert trip_path(crossing("c1"), PLACES) == ("ua", "md", "ro", "es")
    # The voyage's own countries repeat its ends; only Thailand is crossed.
    assert trip_path(VOYAGE, PLACES) == ("ng", "th", "vn")


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        # The end is hidden from the caller (not among the places): the trip's last country stands in.
        ({"startLocation": "odesa", "endLocation": "secret", "country": ["md", "ro"]}, ("ua", "md", "ro")),
        # Countries only, in the order recorded.
        ({"country": ["es", "fr"]}, ("es", "fr")),
        # One country and no places: no route can be told.
        ({"country": ["es"]}, None),
        ({}, None),
    ],
)
def test_a_trip_without_both_ends_falls_back_on_its_countries(props: dict[str, Any], expected: Any) -> None:
    assert trip_path(entity("Trip", "t", name="t", **props), PLACES) == expected


def test_flows_are_counted_legs_summed_and_hotspots_ranked() -> None:
    trips = [crossing("c1"), crossing("c2"), VOYAGE]
    lost = entity("Trip", "lost", name="Unknown trip")
    person = entity("Person", "p1", name="Ion Rusu", country="md")  # not a route record: ignored
    found = flows([*trips, lost, person, *SEIZURES], PLACES)

    assert found.flows == [
        Flow("ua", ("md", "ro"), "es", 2, (Record("c1", "Minibus c1"), Record("c2", "Minibus c2"))),
        Flow("ng", ("th",), "vn", 1, (Record("voyage", "Kestrel Dawn"),)),
    ]
    assert [(leg.origin, leg.destination, leg.count) for leg in found.legs] == [
        ("md", "ro", 2),
        ("ro", "es", 2),
        ("ua", "md", 2),
        ("ng", "th", 1),
        ("th", "vn", 1),
    ]
    ranked = [(spot.country, spot.count, spot.incidents) for spot in found.hotspots]
    # Nigeria: two seizures and the voyage's start; Viet Nam: one seizure and its end.
    assert ranked[:2] == [("ng", 3, 2), ("vn", 2, 1)]
    # Ties on count are broken by incidents, then by country code.
    assert ranked[2:6] == [("es", 2, 0), ("md", 2, 0), ("ro", 2, 0), ("ua", 2, 0)]
    assert ranked[6:] == [("th", 1, 0)]
    nigeria = found.hotspots[0]
    assert (nigeria.origins, nigeria.transits, nigeria.destinations) == (1, 0, 0)
    assert [record.entity_id for record in nigeria.records] == ["apapa", "ikeja", "voyage"]
    assert found.unplaced == [Record("lost", "Unknown trip")]


def test_an_event_is_placed_by_its_address_entity_too() -> None:
    raid = entity("Event", "raid", name="Raid", addressEntity="alicante")
    found = flows([raid], PLACES)
    assert found.flows == [] and found.legs == []
    assert [(spot.country, spot.incidents) for spot in found.hotspots] == [("es", 1)]


def test_nothing_gives_nothing() -> None:
    found = flows([], {})
    assert (found.flows, found.legs, found.hotspots, found.unplaced) == ([], [], [], [])


def test_every_demo_and_iso_country_has_a_centroid_on_the_globe() -> None:
    table = centroids()
    assert {country.alpha_2.lower() for country in pycountry.countries} <= set(table)
    for place in table.values():
        assert -90 <= place.lat <= 90 and -180 <= place.lon <= 180, place
    # A few checks that the table is not shifted: Madrid's country lies west of Kyiv's and north of Lagos's.
    assert table["es"].lon < table["ua"].lon and table["es"].lat > table["ng"].lat
    assert table["vn"].lon > table["th"].lon > table["ng"].lon
