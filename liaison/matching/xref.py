"""Xref: every record of a dataset against the index, for duplicates within it or links to another.

Blocking is the candidate index; each unordered pair is scored once, by the same `score_pair`
that screening uses, so a pair in the review queue explains itself exactly as a screening hit
does. Pairs, their ids and their data fingerprints are plain values, stable from run to run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import orjson

from liaison.matching.fellegi_sunter import COMPARISONS, FellegiSunter, comparison_levels, fit_fellegi_sunter
from liaison.matching.index import CandidateIndex
from liaison.matching.model import PRIORS, MatchScore, Scorer, compare_features, score_pair
from liaison.matching.record import MatchRecord

__all__ = [
    "XREF_CANDIDATES",
    "XREF_LEARN_CANDIDATES",
    "XrefPair",
    "candidate_pairs",
    "entity_fingerprint",
    "member_key",
    "pair_fingerprint",
    "pair_id",
    "xref",
    "xref_learned",
]

# Candidates scored per record. Every record of the dataset is a query, so this multiplies the
# run time. On the UN and UK lists every pair that the two cross-reference by UN number is among
# the first three candidates; going from five to ten adds a tenth more pairs above 0.7, none of
# them cross-referenced, for twice the time.
XREF_CANDIDATES = 5
# Learning sees more: EM must find the non-matches among the candidates as well as the matches,
# and the duplicates of one record (FEBRL has up to nine) must all be within reach.
XREF_LEARN_CANDIDATES = 10


def member_key(dataset: str, entity_id: str) -> str:
    """The key of an entity across datasets, `dataset/entity_id`, as pairs and clusters name it."""
    return f"{dataset}/{entity_id}"


def _digest(parts: Sequence[str]) -> str:
    # JSON keeps the parts apart whatever characters an id holds.
    return hashlib.sha1(orjson.dumps(list(parts))).hexdigest()


def pair_id(key_a: str, key_b: str) -> str:
    """The stable id of an unordered pair of member keys: `xp-` and 20 hex digits of a SHA-1."""
    return "xp-" + _digest(sorted((key_a, key_b)))[:20]


def entity_fingerprint(schema: str, properties: Mapping[str, Sequence[str]]) -> str:
    """A hash of an entity's data: schema and properties, with keys and values sorted.

    Values are sorted because a source listing the same aliases in another order has not changed.
    """
    data = {"schema": schema, "properties": {prop: sorted(values) for prop, values in properties.items()}}
    return hashlib.sha1(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


def pair_fingerprint(fingerprint_a: tuple[str, str], fingerprint_b: tuple[str, str]) -> str:
    """The data fingerprint of a pair from its two (member key, entity fingerprint); order does not matter."""
    first, second = sorted((fingerprint_a, fingerprint_b))
    return _digest((*first, *second))


@dataclass(frozen=True, slots=True)
class XrefPair:
    """A candidate pair at or above the threshold: `left` is the record whose member key sorts first."""

    pair_id: str
    left: MatchRecord
    right: MatchRecord
    score: MatchScore
    fingerprint: str

    @property
    def left_key(self) -> str:
        """The left record's member key."""
        return member_key(self.left.dataset, self.left.entity_id)

    @property
    def right_key(self) -> str:
        """The right record's member key."""
        return member_key(self.right.dataset, self.right.entity_id)


def candidate_pairs(
    index: CandidateIndex,
    queries: Iterable[MatchRecord],
    *,
    against: frozenset[str],
    candidates: int = XREF_CANDIDATES,
    progress: Callable[[int], None] | None = None,
) -> Iterator[tuple[str, MatchRecord, MatchRecord]]:
    """Each unordered pair of a query and one of its candidates among `against`, once: (pair id, left, right).

    A record is never paired with itself; `left` is the record whose member key sorts first.
    """
    seen: set[str] = set()
    count = 0
    for count, query in enumerate(queries, start=1):
        query_key = member_key(query.dataset, query.entity_id)
        # In a dataset against itself the query is its own best candidate: ask for one more.
        limit = candidates + 1 if query.dataset in against else candidates
        for record, _weight in index.candidates(query, limit=limit, datasets=against):
            record_key = member_key(record.dataset, record.entity_id)
            if record_key == query_key:
                continue
            identity = pair_id(query_key, record_key)
            if identity in seen:
                continue
            seen.add(identity)
            yield (identity, query, record) if query_key < record_key else (identity, record, query)
        if progress is not None and count % 100 == 0:
            progress(100)
    if progress is not None:
        progress(count % 100)


def xref(
    index: CandidateIndex,
    queries: Iterable[MatchRecord],
    fingerprints: Mapping[str, str],
    *,
    against: frozenset[str],
    threshold: float,
    candidates: int = XREF_CANDIDATES,
    weights: Scorer = PRIORS,
    progress: Callable[[int], None] | None = None,
) -> list[XrefPair]:
    """Score each query's candidates among the datasets `against`; return pairs at or above the threshold.

    `fingerprints` maps every member key the index may return to its `entity_fingerprint`.
    Pairs come best first, ties by pair id.
    """
    found = []
    for identity, left, right in candidate_pairs(
        index, queries, against=against, candidates=candidates, progress=progress
    ):
        result = score_pair(left, right, weights)
        if result.score >= threshold:
            found.append(_pair(identity, left, right, result, fingerprints))
    return _ranked(found)


def xref_learned(
    index: CandidateIndex,
    queries: Iterable[MatchRecord],
    fingerprints: Mapping[str, str],
    *,
    against: frozenset[str],
    threshold: float,
    candidates: int = XREF_LEARN_CANDIDATES,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[XrefPair], FellegiSunter]:
    """Like `xref`, with Fellegi-Sunter weights learned by EM from this run's own candidate pairs.

    Every pair is compared once and kept as a row of comparison levels (a few bytes); only the
    pairs that reach the threshold are compared again for their explanation.
    """
    pairs: list[tuple[str, MatchRecord, MatchRecord]] = []
    rows: list[tuple[int, ...]] = []
    for identity, left, right in candidate_pairs(
        index, queries, against=against, candidates=candidates, progress=progress
    ):
        pairs.append((identity, left, right))
        rows.append(comparison_levels(compare_features(left, right)))
    if not pairs:
        return [], fit_fellegi_sunter(np.zeros((1, len(COMPARISONS)), dtype=np.int8) - 1)
    levels = np.array(rows, dtype=np.int8)
    model = fit_fellegi_sunter(levels)
    found = []
    # The matrix and the explained score round differently; the explained one decides.
    for at in np.flatnonzero(model.probabilities(levels) >= threshold - 1e-9).tolist():
        identity, left, right = pairs[at]
        result = score_pair(left, right, model)
        if result.score >= threshold:
            found.append(_pair(identity, left, right, result, fingerprints))
    return _ranked(found), model


def _pair(
    identity: str, left: MatchRecord, right: MatchRecord, result: MatchScore, fingerprints: Mapping[str, str]
) -> XrefPair:
    left_key, right_key = member_key(left.dataset, left.entity_id), member_key(right.dataset, right.entity_id)
    fingerprint = pair_fingerprint((left_key, fingerprints[left_key]), (right_key, fingerprints[right_key]))
    return XrefPair(identity, left, right, result, fingerprint)


def _ranked(pairs: list[XrefPair]) -> list[XrefPair]:
    pairs.sort(key=lambda pair: (-pair.score.score, pair.pair_id))
    return pairs
