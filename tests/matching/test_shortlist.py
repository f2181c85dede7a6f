"""The shortlist: the index's best half kept, the rest chosen by how the names read.

Strategy: a pool in a fixed index order, where the record that reads most like the query sits
at the end, shows both halves of the rule; one real index of look-alike names shows the pool
and the shortlist drawn from it.
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from liaison.matching.index import CandidateIndex
from liaison.matching.shortlist import POOL_FACTOR, candidates_for, name_likeness, pool_size, shortlist
from tests.matching.test_index import record


def test_keeps_the_index_best_half_then_the_most_name_like() -> None:
    query = record("q", ["Oleksandr Petrenko"])
    pool = [record(f"r{n}", [f"Ivan Sidorenko{n}"]) for n in range(9)] + [
        record("hit", ["Petrenko Olexandr"])
    ]
    chosen = shortlist(query, pool, 4)
    assert [r.entity_id for r in chosen[:2]] == ["r0", "r1"]
    assert "hit" in {r.entity_id for r in chosen} and len(chosen) == 4


def test_a_small_pool_is_kept_whole_in_order() -> None:
    query = record("q", ["Anna Berg"])
    pool = [record("a", ["Anna Berg"]), record("b", ["Bob Smith"])]
    assert shortlist(query, pool, 5) == pool


def test_likeness_takes_each_record_at_its_most_query_like_name() -> None:
    query = record("q", ["Ali Hassan Mohammed"])
    records = [record("aliases", ["Zhang Wei", "Mohammed Ali Hassan"]), record("other", ["Zhang Wei"])]
    likeness = name_likeness(query, records)
    assert likeness[0] == 100 and likeness[1] < 50
    assert name_likeness(record("empty", []), records).tolist() == [0, 0]


_TOKENS = st.text(alphabet="abeilnorsu", min_size=1, max_size=7)
_NAMES = st.lists(_TOKENS, min_size=1, max_size=4).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(
    query=st.lists(_NAMES, min_size=1, max_size=2),
    records=st.lists(st.lists(_NAMES, min_size=1, max_size=4), min_size=1, max_size=8),
)
def test_likeness_is_the_token_set_ratio_rounded_half_up(query: list[str], records: list[list[str]]) -> None:
    """Names sharing no token with the query take a cheaper road to the same score."""
    asked = record("q", query)
    pool = [record(f"r{n}", names) for n, names in enumerate(records)]
    expected = [
        max(
            (
                math.floor(fuzz.token_set_ratio(mine.sorted_key, theirs.sorted_key) + 0.5 + 1e-9)
                for mine in asked.names
                for theirs in candidate.names
            ),
            default=0,
        )
        for candidate in pool
    ]
    assert name_likeness(asked, pool).tolist() == expected


def test_candidates_come_from_a_pool_wider_than_the_shortlist() -> None:
    crowd = [record(f"p{n:02d}", [f"Oleksandr Kovalenko{n:02d}"], birth_dates=("1971",)) for n in range(60)]
    index = CandidateIndex.build(crowd)
    query = record("q", ["Oleksandr Kovalenko57"], birth_dates=("1971",))
    pool = [r.entity_id for r, _ in index.candidates(query, pool_size(6))]
    chosen = [r.entity_id for r in candidates_for(index, query, 6)]
    assert len(pool) == 6 * POOL_FACTOR and len(chosen) == 6
    assert set(chosen) <= set(pool) and chosen[:3] == pool[:3]
    # The exact name is in the shortlist however the index ranked it.
    assert "p57" in chosen
