"""Search by name: the candidate index's shortlist, each copy's relevance, and the floor under which
a hit is noise.

Two stages, so that the cost follows what the query shares with the data, not the size of the
store. The index adds up the weights (IDF) of the keys a record shares with the query, for
every record at once in numpy arrays, with the dataset and schema filters applied there,
before anything is ranked. Only the best `SCORED` of those, and only those within `INDEX_SHARE`
of the best weight, have their names compared, a few microseconds each; a hit below the
relevance floor is dropped. The caller applies the filters that need the store (owner agency,
handling, and who may read what), and the floor relative to the best hit left (`floor`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from liaison.matching.index import Candidates
from liaison.matching.model import MatchScore, Scorer, score_pair
from liaison.matching.record import MatchRecord
from liaison.matching.relevance import Relevance, search_relevance

__all__ = [
    "INDEX_SHARE",
    "MIN_RELEVANCE",
    "RELATIVE",
    "SCORED",
    "SearchHit",
    "Shortlisted",
    "floor",
    "search_hits",
]

SCORED = 2_000
"""Copies whose names are compared at most: beyond, the count says "at least" (a name as common
as "Mohammed" in a million records); 2,000 comparisons take about a third of a second."""
INDEX_SHARE = 0.25
"""A copy must share at least this share of the best copy's key weight to be compared at all.

The index weighs shared keys by rarity: a copy sharing only a common given name, or only
trigrams, with the query, where another shares its rare family name, cannot hold half of what
was typed (see `MIN_RELEVANCE`) and is not worth comparing."""
MIN_RELEVANCE = 0.5
"""Every hit holds more than half of the name typed (by token weight); half or less is noise.

At or under it a hit shares one part of a longer name, or a word that only sounds alike: for
"Aurora", JAMAAT-UL-AHRAR shares a phonetic code and nothing else and is out, the AVRORA
companies (0.83) are in; for "Ivan Sokolov", every other Ivan (0.4) is out and the other
Sokolovs (0.6: the longer, rarer part) are in; for "Maria Ceban", every other Maria (0.5)."""
RELATIVE = 0.6
"""When a hit holds the whole name, partial hits must hold at least this share of it too.

The floor rises with the best hit: beside a Natalia PETRENKO (1.0), every other Petrenko (0.53)
would be noise; where no one holds the whole name, the Petrenkos are what there is (her
relatives, perhaps) and are shown. It is taken over the hits the caller may read, so a hidden
record never raises it."""
# Relevance is a sum of float products: a hit of exactly the floor must not fall under it by rounding.
_HAIR = 1e-9


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One copy found: its record, the index's weight for it, its relevance and its match score."""

    record: MatchRecord
    weight: float
    relevance: Relevance
    score: MatchScore

    def rank(self) -> tuple[float, float, float, str]:
        """The sort key, best first: relevance, then the match score (the name nearest the one typed
        wins among those holding all of it), then the index weight, then the id for a stable order."""
        return (-self.relevance.score, -self.score.score, -self.weight, self.record.entity_id)


@dataclass(frozen=True, slots=True)
class Shortlisted:
    """The copies above `MIN_RELEVANCE`, unranked; `exact` unless `SCORED` cut the comparison short."""

    hits: tuple[SearchHit, ...]
    exact: bool


def search_hits(
    index: Candidates,
    query: MatchRecord,
    *,
    datasets: frozenset[str] | None,
    schemata: frozenset[str],
    weights: Scorer,
    keep: Callable[[MatchRecord], bool] | None = None,
    most: int = SCORED,
) -> Shortlisted:
    """Every copy relevant to the query in these datasets and schemata, and passing `keep`."""
    found = index.candidates(query, most, datasets=datasets, schemata=schemata)
    if not found:
        return Shortlisted((), exact=True)
    least = INDEX_SHARE * found[0][1]
    # Candidates come best first: the cut at `most` lost nothing when the last was under the share.
    exact = len(found) < most or found[-1][1] < least
    hits = []
    for record, weight in found:
        if weight < least:
            break
        if keep is not None and not keep(record):
            continue
        relevance = search_relevance(query, record)
        if relevance.score >= floor(0.0):
            hits.append(SearchHit(record, weight, relevance, score_pair(query, record, weights)))
    return Shortlisted(tuple(hits), exact)


def floor(best: float) -> float:
    """The least relevance shown beside a best hit of `best`: more than `MIN_RELEVANCE`, and at
    least `RELATIVE` of the best (a hair under it, so that rounding keeps a hit of exactly that)."""
    return max(MIN_RELEVANCE + _HAIR, RELATIVE * best - _HAIR)
