"""Search relevance, case by case: what was typed is found in a name, or it is not.

Strategy: a table of (typed, record's names, least, most) read as an analyst would: a name that
holds all of the query is 1.0, a spelling variant nearly so, one part of two about half, and a
word that only shares a phonetic code or an initial nothing. Then the floor and the shortlist on
a small index: the dataset and schema filters apply in the index, before anything is ranked.
"""

from __future__ import annotations

from typing import Any

import pytest
from followthemoney import model
from hypothesis import given
from hypothesis import strategies as st

from liaison.matching.index import CandidateIndex
from liaison.matching.model import PRIORS
from liaison.matching.record import MatchRecord, record_from_entity
from liaison.matching.relevance import search_relevance
from liaison.matching.search import MIN_RELEVANCE, floor, search_hits


def record(schema: str, *names: str, dataset: str = "d", entity_id: str = "e", **props: Any) -> MatchRecord:
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    proxy.add("name", names[0])
    for alias in names[1:]:
        proxy.add("alias", alias)
    for prop, value in props.items():
        proxy.add(prop, value)
    return record_from_entity(proxy, dataset)


def typed(text: str) -> MatchRecord:
    return record("LegalEntity", text, dataset="query", entity_id="query")


CASES = [
    # Found whole, as written, in any order or script.
    ("Petrenko", ("Person", "Oleksandr PETRENKO"), 1.0, 1.0),
    ("Natalia Petrenko", ("Person", "PETRENKO, Natalia Ivanivna"), 1.0, 1.0),
    ("Петренко", ("Person", "Natalia PETRENKO"), 1.0, 1.0),
    ("Petrenko", ("Person", "Наталія Іванівна Петренко"), 1.0, 1.0),
    ("Mohammed", ("Person", "Omar SAEED", "Omar Uthman Mohammed"), 1.0, 1.0),  # by an alias
    # Spelt another way: still found, a little less.
    ("Aurora", ("Organization", "AVRORA CAPITAL SRO"), 0.8, 0.9),
    ("Mohammed Ali", ("Person", "Muhammad ALI"), 0.85, 0.99),
    ("Hussein", ("Person", "صدام حسين"), 0.6, 1.0),
    # One part of two: about half, the heavier part counting for more.
    ("Ivan Sokolov", ("Person", "Aleksandr SOKOLOV"), 0.55, 0.65),
    ("Ivan Sokolov", ("Person", "Ivan OKOROKOV"), 0.35, 0.45),
    # Not found: a phonetic code shared, an initial, a different word.
    ("Aurora", ("Organization", "JAMAAT-UL-AHRAR", "جماعة الأحرار"), 0.0, MIN_RELEVANCE - 0.01),
    ("Aurora", ("Person", "A. SMITH"), 0.0, 0.0),
    ("Ivan Sokolov", ("Organization", "OOO S I ELEKTRONSCHIK"), 0.0, MIN_RELEVANCE - 0.01),
    ("Petrenko", ("Person", "Petr KOLBIN"), 0.0, MIN_RELEVANCE - 0.01),
    ("Maria Ceban", ("Person", "Maria BUTINA"), 0.5, 0.5),  # half: under the floor
]


@pytest.mark.parametrize(("query", "names", "least", "most"), CASES, ids=[f"{c[0]}|{c[1][1]}" for c in CASES])
def test_relevance_is_what_of_the_name_typed_a_record_holds(
    query: str, names: tuple[str, ...], least: float, most: float
) -> None:
    found = search_relevance(typed(query), record(*names))
    assert least <= found.score <= most, found


def test_relevance_names_the_name_that_holds_it() -> None:
    found = search_relevance(typed("Mohammed"), record("Person", "Omar SAEED", "Omar Uthman Mohammed"))
    assert found.name == "Omar Uthman Mohammed" and "Mohammed" in found.detail


@given(st.text(min_size=1, max_size=30), st.text(min_size=1, max_size=30))
def test_relevance_lies_in_the_unit_interval(query: str, name: str) -> None:
    probe = model.make_entity("LegalEntity")
    probe.id = "q"
    probe.add("name", query)
    if not probe.get("name"):
        return
    score = search_relevance(record_from_entity(probe, "query"), record("Person", name)).score
    assert 0.0 <= score <= 1.0


def test_the_floor_is_more_than_half_and_rises_with_the_best_hit() -> None:
    assert floor(1.0) == pytest.approx(0.6) and floor(0.7) == pytest.approx(MIN_RELEVANCE)
    assert floor(1.0) <= 0.6  # a hit of exactly 0.6 beside a whole one stays
    assert floor(0.0) > 0.5  # one of two name parts of equal weight is not enough


def test_the_shortlist_filters_by_dataset_and_schema_before_it_ranks_and_drops_noise() -> None:
    # Many exact hits in one dataset, and the only one of another ranked under them all.
    records = [record("Person", "Ivan Sokolov", dataset="big", entity_id=f"b{n:04d}") for n in range(300)]
    records.append(record("Person", "Ivan Petrovich Sokolov-Kuznetsov", dataset="small", entity_id="s1"))
    records.append(record("Vessel", "IVAN SOKOLOV", dataset="small", entity_id="v1"))
    records.append(record("Person", "Ivan OKOROKOV", dataset="small", entity_id="s2"))
    index = CandidateIndex.build(records)
    query = typed("Ivan Sokolov")
    person = frozenset({"Person", "LegalEntity"})

    everything = search_hits(index, query, datasets=None, schemata=person, weights=PRIORS, most=100)
    assert not everything.exact and len(everything.hits) <= 100  # cut: the count is a lower bound

    small = search_hits(
        index, query, datasets=frozenset({"small"}), schemata=person, weights=PRIORS, most=100
    )
    assert small.exact
    assert {hit.record.entity_id for hit in small.hits} == {"s1"}  # OKOROKOV is under the floor
    vessels = search_hits(index, query, datasets=None, schemata=frozenset({"Vessel"}), weights=PRIORS)
    assert [hit.record.entity_id for hit in vessels.hits] == ["v1"]
    keep = search_hits(
        index, query, datasets=None, schemata=person, weights=PRIORS, keep=lambda r: r.entity_id == "s1"
    )
    assert [hit.record.entity_id for hit in keep.hits] == ["s1"]
