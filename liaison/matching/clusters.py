"""Clusters of one real-world entity from pairwise decisions, never joining what a reviewer kept apart.

Confirmed pairs are applied in decision order, then any accepted pairs (high scores, best first),
by union-find. A pair that would put both ends of a dismissed pair in one cluster is refused
and reported, whichever members the dismissed pair links ("never together").

A cluster's canonical id is `lc-` and 20 hex digits of the SHA-1 of its anchor: the member key
that sorts first in the pair that founded it. Growing a cluster keeps its id; when two clusters
merge, the one founded earlier keeps its id. The id depends only on the order of the cluster's
own pairs, so clusters elsewhere can come and go without changing it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Cluster", "Clustering", "Refusal", "canonical_id", "cluster_pairs"]

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Cluster:
    """Member keys (`dataset/entity_id`, sorted) held to be one entity, with a stable canonical id."""

    canonical_id: str
    anchor: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Refusal:
    """A pair not applied because it would join the two ends of a dismissed pair."""

    pair: Pair
    dismissed: Pair


@dataclass(frozen=True, slots=True)
class Clustering:
    """Clusters of two or more members, ordered by their first member, and the pairs refused."""

    clusters: tuple[Cluster, ...]
    refused: tuple[Refusal, ...]


def canonical_id(anchor: str) -> str:
    """The canonical id of the cluster anchored on this member key."""
    return "lc-" + hashlib.sha1(anchor.encode()).hexdigest()[:20]


class _Forest:
    """Union-find over member keys; each root holds its members and whom they must never join."""

    __slots__ = ("anchor", "dismissed", "forbidden", "founded", "members", "parent")

    def __init__(self, dismissed: Iterable[Pair]) -> None:
        self.parent: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}
        # Per root: outsider key -> the member whose dismissed pair keeps that outsider away.
        self.forbidden: dict[str, dict[str, str]] = {}
        self.anchor: dict[str, str] = {}
        self.founded: dict[str, int] = {}
        self.dismissed: dict[str, set[str]] = {}
        for a, b in dismissed:
            if a != b:
                self.dismissed.setdefault(a, set()).add(b)
                self.dismissed.setdefault(b, set()).add(a)

    def find(self, key: str) -> str:
        if key not in self.parent:
            self.parent[key] = key
            self.members[key] = {key}
            self.forbidden[key] = dict.fromkeys(self.dismissed.get(key, ()), key)
            return key
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str, order: int) -> Pair | None:
        """Join the clusters of a and b; the dismissed pair that forbids it, if any, instead."""
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return None
        small, large = sorted((root_a, root_b), key=lambda root: len(self.members[root]))
        for member in sorted(self.members[small]):
            keeper = self.forbidden[large].get(member)
            if keeper is not None:
                first, second = sorted((keeper, member))
                return first, second
        # The surviving anchor is the one founded first; a singleton founds nothing.
        founders = [root for root in (root_a, root_b) if root in self.founded]
        if founders:
            oldest = min(founders, key=lambda root: self.founded[root])
            anchor, founded = self.anchor[oldest], self.founded[oldest]
        else:
            anchor, founded = min(a, b), order
        self.parent[small] = large
        self.members[large] |= self.members.pop(small)
        self.forbidden[large].update(self.forbidden.pop(small))
        self.anchor.pop(small, None)
        self.founded.pop(small, None)
        self.anchor[large], self.founded[large] = anchor, founded
        return None


def cluster_pairs(
    confirmed: Sequence[Pair], dismissed: Iterable[Pair], accepted: Sequence[Pair] = ()
) -> Clustering:
    """Cluster confirmed pairs (in decision order), then accepted ones (best first).

    No cluster ever holds both ends of a dismissed pair; pairs that would are refused. A pair of
    a key with itself is ignored. Only clusters of two or more members are returned.
    """
    forest = _Forest(dismissed)
    refused: list[Refusal] = []
    for order, (a, b) in enumerate((*confirmed, *accepted)):
        if a == b:
            continue
        blocked = forest.union(a, b, order)
        if blocked is not None:
            refused.append(Refusal((a, b), blocked))
    clusters = [
        Cluster(canonical_id(forest.anchor[root]), forest.anchor[root], tuple(sorted(members)))
        for root, members in forest.members.items()
        if len(members) > 1
    ]
    clusters.sort(key=lambda cluster: cluster.members[0])
    return Clustering(tuple(clusters), tuple(refused))
