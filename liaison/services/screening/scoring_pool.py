"""Scoring on every core: worker processes forked with an index snapshot score a large batch.

Scoring is pure Python and holds the interpreter lock, so threads cannot share it out. Forked
workers inherit the snapshot's index without copying or pickling it (the index is frozen out
of the garbage collector, so its pages stay shared), and only the queries and the scores
above the cutoff cross between processes. Workers keep the index as it was when they were
forked: when it changes, the matching service forks a new pool (`MatchingService._pool_for`).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from liaison.matching.index import CandidateIndex
from liaison.matching.model import Weights
from liaison.matching.scoring import Item, Passed, score_items

__all__ = ["ScoringPool"]

CHUNKS_PER_WORKER = 4
_INHERITED: CandidateIndex | None = None
"""The index a forked worker inherited from its parent, set just before the workers are forked."""


def _in_worker(
    items: Sequence[Item], candidates: int, weights: Weights, cutoff: float
) -> list[tuple[str, Passed]]:
    if _INHERITED is None:  # a worker not forked by ScoringPool: nothing to score against
        raise RuntimeError("scoring worker started without an index")
    return score_items(_INHERITED, items, candidates, weights, cutoff)


def _ready() -> bool:
    return _INHERITED is not None


class ScoringPool:
    """Worker processes holding the index as it was when they were forked; `close` once it changed.

    Create it while no one changes the index (under `LiveIndex.held`): the workers are forked here.
    """

    def __init__(self, index: CandidateIndex, workers: int) -> None:
        global _INHERITED
        _INHERITED = index
        self.workers = workers
        self._executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        # Fork every worker now, while the module holds this snapshot: a worker forked later
        # could inherit a newer one.
        started = [self._executor.submit(_ready) for _ in range(workers)]
        if not all(future.result() for future in started):
            raise RuntimeError("a scoring worker started without the index")

    def score(
        self, items: Sequence[Item], candidates: int, weights: Weights, cutoff: float
    ) -> list[tuple[str, Passed]]:
        """Score the items across the workers; answers in item order.

        A few chunks per worker, so a worker that drew the harder queries does not keep the others waiting.
        """
        size = -(-len(items) // (self.workers * CHUNKS_PER_WORKER))
        chunks = [items[start : start + size] for start in range(0, len(items), size)]
        futures = [self._executor.submit(_in_worker, chunk, candidates, weights, cutoff) for chunk in chunks]
        return [answer for future in futures for answer in future.result()]

    def close(self) -> None:
        """Stop the workers once they finish what they hold."""
        self._executor.shutdown(wait=False, cancel_futures=True)
