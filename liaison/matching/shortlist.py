"""The shortlist: which of the index's candidates are worth the full comparison.

The index ranks by shared keys, a bag of tokens, trigrams and phonetic codes: good at finding
candidates, rougher at ordering them. The full comparison is exact and costs far more. So a
query takes a wide pool from the index, keeps the index's best half of the shortlist, and fills
the rest with the pool's records whose names read most like the query's by a fast string measure
(rapidfuzz's token-set ratio over sorted, folded tokens, all name pairs in one vectorised call).
On the screening benchmark's development queries this finds more true matches in 25 fully
scored candidates than the index's first 50 did.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from liaison.matching.index import Candidates
from liaison.matching.record import MatchRecord

__all__ = ["POOL_FACTOR", "candidates_for", "name_likeness", "pool_size", "shortlist"]

POOL_FACTOR = 8
"""The index pool is this many times the shortlist."""
# Two computations of one score differ in the last bits (1e-14 at most); any real score lies
# far further than 1e-9 from a rounding boundary unless it sits exactly on one.
_HALF_UP = 0.5 + 1e-9


def pool_size(size: int) -> int:
    """How many candidates to take from the index for a shortlist of `size`."""
    return size * POOL_FACTOR


def name_likeness(query: MatchRecord, records: Sequence[MatchRecord]) -> npt.NDArray[np.uint8]:
    """For each record, 0-100: how much its most query-like name reads like one of the query's names.

    The measure is rapidfuzz's token-set ratio of the names' sorted, distinct tokens. For two names
    that share no token it is the plain ratio of those sorted keys, which is several times cheaper,
    so only the few names sharing a token with the query take the token-set ratio. Scores are
    rounded half up after a tolerance, so the two ways of working out one value round alike.
    """
    likeness = np.zeros(len(records), dtype=np.uint8)
    keys = [form.sorted_key for form in query.names]
    words = {token for form in query.names for token in form.tokens}
    names: list[str] = []
    shared: list[int] = []
    counts: list[int] = []
    for record in records:
        counts.append(len(record.names))
        for form in record.names:
            if not words.isdisjoint(form.tokens):
                shared.append(len(names))
            names.append(form.sorted_key)
    if not keys or not names:
        return likeness
    scores = process.cdist(keys, names, scorer=fuzz.ratio, dtype=np.float64)
    if shared:
        picked = [names[at] for at in shared]
        scores[:, shared] = process.cdist(keys, picked, scorer=fuzz.token_set_ratio, dtype=np.float64)
    best = np.floor(scores.max(axis=0) + _HALF_UP).astype(np.uint8)
    owners = np.repeat(np.arange(len(records), dtype=np.intp), counts)
    np.maximum.at(likeness, owners, best)
    return likeness


def shortlist(query: MatchRecord, pool: Sequence[MatchRecord], size: int) -> list[MatchRecord]:
    """At most `size` records of `pool` (index order, best first): the index's best half, then the most
    name-like of the rest. Returned in pool order."""
    if len(pool) <= size:
        return list(pool)
    half = size // 2
    likeness = name_likeness(query, pool[half:])
    # Stable: among equally name-like records the index's order decides.
    rest = np.argsort(-likeness.astype(np.int16), kind="stable")[: size - half] + half
    return [pool[at] for at in [*range(half), *sorted(rest.tolist())]]


def candidates_for(
    index: Candidates,
    query: MatchRecord,
    size: int,
    datasets: frozenset[str] | None = None,
    schemata: frozenset[str] | None = None,
) -> list[MatchRecord]:
    """The shortlist of `size` records for a query, from a pool of the index's best (see `shortlist`)."""
    pool = index.candidates(query, pool_size(size), datasets=datasets, schemata=schemata)
    return shortlist(query, [record for record, _weight in pool], size)
