"""The one shortlist-and-score loop: every screening, whatever its face, scores queries through it.

A query is shortlisted from the candidate index within the datasets and schemata it may match,
and each candidate is scored; only the candidates at or above the cutoff are kept, best first,
an entity held in several datasets counting once with its best copy.
"""

from __future__ import annotations

from collections.abc import Sequence

from liaison.matching.index import Candidates
from liaison.matching.model import MatchScore, Weights, score_reaching
from liaison.matching.record import MatchRecord
from liaison.matching.shortlist import candidates_for

__all__ = ["Item", "Passed", "best_scores", "score_items"]

Item = tuple[str, MatchRecord, frozenset[str], frozenset[str]]
"""A query to score: its key, its record, the datasets and the schemata it may match."""
Passed = list[tuple[str, MatchScore]]
"""A query's candidates scoring at or above the cutoff: (entity id, score), best first."""


def best_scores(
    query: MatchRecord, records: Sequence[MatchRecord], weights: Weights, cutoff: float
) -> dict[str, MatchScore]:
    """Each candidate entity's best score at or above the cutoff: copies in several datasets count once."""
    found: dict[str, MatchScore] = {}
    for record in records:
        score = score_reaching(query, record, weights, cutoff)
        if score is None or score.score < cutoff:
            continue
        seen = found.get(record.entity_id)
        if seen is None or score.score > seen.score:
            found[record.entity_id] = score
    return found


def score_items(
    index: Candidates, items: Sequence[Item], candidates: int, weights: Weights, cutoff: float
) -> list[tuple[str, Passed]]:
    """Shortlist and score each query; keep the candidates at or above the cutoff, best first."""
    answers = []
    for key, query, datasets, schemata in items:
        found = best_scores(
            query, candidates_for(index, query, candidates, datasets, schemata), weights, cutoff
        )
        passed = sorted(found.items(), key=lambda item: (-item[1].score, item[0]))
        answers.append((key, passed))
    return answers
