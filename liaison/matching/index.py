"""The candidate index: which records share enough rare keys with a query to be worth scoring.

Postings live in compact numpy arrays (CSR: sorted key hashes, offsets, record positions), so
millions of records cost a few bytes per key occurrence rather than a Python list per key.
Additions go to a small delta and are merged in bulk; removals are tombstones. A key's weight
is its kind's weight times its IDF, computed at lookup from live counts, so an index grown by
additions and removals ranks exactly as one built afresh from the same records.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable
from itertools import repeat
from typing import Protocol, TypeVar

import numpy as np
import numpy.typing as npt

from liaison.matching.keys import KIND_WEIGHTS, KINDS, index_keys, key_hash, key_kind, packed_keys
from liaison.matching.record import MatchRecord

__all__ = ["CandidateIndex", "Candidates", "compatible_schemata"]

PERSON_CANDIDATES = frozenset({"Person", "LegalEntity"})
ORG_CANDIDATES = frozenset({"Organization", "Company", "LegalEntity", "PublicBody"})
# Delta postings held as Python lists before they are merged into the arrays.
MERGE_AT = 50_000
# A key on more than this share of the records, and on more than COMMON_FLOOR of them, is
# skipped at lookup: it would cost a long scan and say almost nothing (IDF near zero).
COMMON_SHARE = 0.05
COMMON_FLOOR = 10_000
_IDENTIFIER = KINDS.index("i")
_KIND_WEIGHTS = np.array(KIND_WEIGHTS)
_Item = TypeVar("_Item", bound=np.generic)
# A query gathering more postings than 1/_DENSE of the records sums them in a dense array,
# which is cheaper than sorting them.
_DENSE = 8


def compatible_schemata(schema: str) -> frozenset[str]:
    """The schemata a query of `schema` may match: a Person never an Organization, a Vessel only a Vessel."""
    if schema == "Person":
        return PERSON_CANDIDATES
    if schema in ORG_CANDIDATES:
        return ORG_CANDIDATES
    return frozenset({schema})


class Candidates(Protocol):
    """What shortlisting asks of an index: a `CandidateIndex`, or a view of one kept current."""

    def candidates(
        self,
        query: MatchRecord,
        limit: int = 50,
        datasets: frozenset[str] | None = None,
        schemata: frozenset[str] | None = None,
    ) -> list[tuple[MatchRecord, float]]:
        """The `limit` live records sharing the most weighted keys with `query`, best first."""
        ...


def _grown(values: npt.NDArray[_Item], capacity: int) -> npt.NDArray[_Item]:
    grown = np.zeros(capacity, dtype=values.dtype)
    grown[: len(values)] = values
    return grown


class CandidateIndex:
    """An in-memory inverted index from blocking keys to records, for candidate search.

    Record positions are stable for the life of the index: a removed or replaced record keeps
    its position (and its place in memory) until the index is rebuilt. Not safe to read while
    another thread adds or removes: `services.live_index` guards one that a follower updates.
    """

    def __init__(self, *, merge_at: int = MERGE_AT, common_floor: int = COMMON_FLOOR) -> None:
        self._merge_at = merge_at
        self._common_floor = common_floor
        self._records: list[MatchRecord] = []
        self._positions: dict[tuple[str, str], int] = {}
        self._datasets: dict[str, int] = {}
        self._schemata: dict[str, int] = {}
        self._live = 0
        # Per position, with spare capacity beyond len(self._records).
        self._alive = np.zeros(0, dtype=np.bool_)
        self._dataset_codes = np.zeros(0, dtype=np.int32)
        self._schema_codes = np.zeros(0, dtype=np.int32)
        # The merged postings: positions below self._merged, grouped by sorted key hash.
        self._merged = 0
        self._keys = np.zeros(0, dtype=np.uint64)
        self._kinds = np.zeros(0, dtype=np.uint8)
        self._offsets = np.zeros(1, dtype=np.int64)
        self._postings = np.zeros(0, dtype=np.int32)
        # Tombstoned postings per key, subtracted from its document frequency until compaction.
        self._dead = np.zeros(0, dtype=np.int32)
        # The delta: key hash -> positions (ascending), for records added since the last merge.
        self._delta: dict[int, list[int]] = {}
        self._delta_kinds: dict[int, int] = {}
        self._delta_size = 0

    @classmethod
    def build(
        cls, records: Iterable[MatchRecord], *, merge_at: int = MERGE_AT, common_floor: int = COMMON_FLOOR
    ) -> CandidateIndex:
        """Index many records at once: one sort of all (key hash, position) pairs, no per-key lists."""
        index = cls(merge_at=merge_at, common_floor=common_floor)
        hashes, kinds, counts = bytearray(), bytearray(), array("i")
        for record in records:
            index._append(record)
            packed_hashes, packed_kinds = packed_keys(record)
            hashes += packed_hashes
            kinds += packed_kinds
            counts.append(len(packed_kinds))
        # A fresh index appends records at positions 0, 1, 2...
        positions = np.repeat(np.arange(len(counts), dtype=np.int32), np.frombuffer(counts, dtype=np.int32))
        pairs = _sorted(
            np.frombuffer(hashes, dtype="<u8").astype(np.uint64, copy=False),
            positions,
            np.frombuffer(kinds, dtype=np.uint8),
        )
        # The packed buffers are as large as the sorted pairs: let them go before merging.
        del hashes, kinds, positions
        index._merge(*pairs)
        return index

    def add(self, records: Iterable[MatchRecord]) -> None:
        """Index more records; one with the (dataset, entity_id) of an indexed record replaces it."""
        for record in records:
            position = self._append(record)
            keys = index_keys(record)
            for key in keys:
                digest = key_hash(key)
                self._delta.setdefault(digest, []).append(position)
                self._delta_kinds[digest] = key_kind(key)
            self._delta_size += len(keys)
            if self._delta_size > self._merge_at:
                self.compact()

    def remove(self, entity_ids: Iterable[str], dataset: str | None = None) -> int:
        """Tombstone entities, in one dataset or in all; returns how many records were removed."""
        datasets = [dataset] if dataset is not None else list(self._datasets)
        removed = 0
        for entity_id in entity_ids:
            for name in datasets:
                position = self._positions.pop((name, entity_id), None)
                if position is not None:
                    self._tombstone(position)
                    removed += 1
        return removed

    def compact(self) -> None:
        """Merge the delta into the arrays and drop the postings of removed records."""
        hashes, positions, kinds = array("Q"), array("i"), array("B")
        for digest, listed in self._delta.items():
            hashes.extend(repeat(digest, len(listed)))
            positions.extend(listed)
            kinds.extend(repeat(self._delta_kinds[digest], len(listed)))
        self._merge(
            *_sorted(
                np.frombuffer(hashes, dtype=np.uint64),
                np.frombuffer(positions, dtype=np.int32),
                np.frombuffer(kinds, dtype=np.uint8),
            )
        )
        self._delta, self._delta_kinds, self._delta_size = {}, {}, 0

    def candidates(
        self,
        query: MatchRecord,
        limit: int = 50,
        datasets: frozenset[str] | None = None,
        schemata: frozenset[str] | None = None,
    ) -> list[tuple[MatchRecord, float]]:
        """The `limit` live records sharing the most weighted keys with `query`, best first.

        Without `schemata`, only schemata compatible with the query's are returned. The score is
        the sum of shared keys' weights: a ranking for the scorer, not a probability.
        """
        if limit <= 0 or self._live == 0:
            return []
        hits, scores = self._accumulate(query)
        keep = self._alive[hits]
        if datasets is not None:
            keep &= _allowed(self._datasets, datasets)[self._dataset_codes[hits]]
        allowed = _allowed(
            self._schemata, compatible_schemata(query.schema) if schemata is None else schemata
        )
        if not allowed.all():
            keep &= allowed[self._schema_codes[hits]]
        hits, scores = hits[keep], scores[keep]
        if len(scores) > limit:
            # Scores take few distinct values; numpy's selection is several times faster on
            # such ties with kth near the start. Every record tied at the cut is kept, so ties
            # fall to the lower position below.
            threshold = -np.partition(-scores, limit - 1)[limit - 1]
            best = scores >= threshold
            hits, scores = hits[best], scores[best]
        order = np.argsort(-scores, kind="stable")[:limit]
        records = self._records
        # Plain ints and floats first: indexing numpy arrays element by element is slow.
        return [
            (records[hit], score)
            for hit, score in zip(hits[order].tolist(), scores[order].tolist(), strict=True)
        ]

    def position(self, dataset: str, entity_id: str) -> int | None:
        """The position of a live record, or None."""
        return self._positions.get((dataset, entity_id))

    def record(self, position: int) -> MatchRecord:
        """The record at a position, live or removed."""
        return self._records[position]

    def __len__(self) -> int:
        return self._live

    @property
    def removed(self) -> int:
        """Records removed or replaced whose places the index keeps until it is built afresh."""
        return len(self._records) - self._live

    def memory_bytes(self) -> int:
        """Bytes held in numpy arrays; the records and the id lookup are Python objects on top."""
        arrays = (self._alive, self._dataset_codes, self._schema_codes, self._keys, self._kinds)
        return sum(a.nbytes for a in (*arrays, self._offsets, self._postings, self._dead))

    def _append(self, record: MatchRecord) -> int:
        identity = (record.dataset, record.entity_id)
        replaced = self._positions.get(identity)
        if replaced is not None:
            self._tombstone(replaced)
        position = len(self._records)
        if position >= len(self._alive):
            capacity = max(1024, 2 * len(self._alive))
            self._alive = _grown(self._alive, capacity)
            self._dataset_codes = _grown(self._dataset_codes, capacity)
            self._schema_codes = _grown(self._schema_codes, capacity)
        self._records.append(record)
        self._positions[identity] = position
        self._alive[position] = True
        self._dataset_codes[position] = self._datasets.setdefault(record.dataset, len(self._datasets))
        self._schema_codes[position] = self._schemata.setdefault(record.schema, len(self._schemata))
        self._live += 1
        return position

    def _tombstone(self, position: int) -> None:
        self._alive[position] = False
        self._live -= 1
        digests = [key_hash(key) for key in index_keys(self._records[position])]
        if position >= self._merged:
            for digest in digests:
                listed = self._delta.get(digest)
                if listed is not None and position in listed:
                    listed.remove(position)
                    self._delta_size -= 1
                    if not listed:
                        del self._delta[digest], self._delta_kinds[digest]
            return
        at, found = self._find(np.array(digests, dtype=np.uint64))
        self._dead[at[found]] += 1

    def _find(self, digests: npt.NDArray[np.uint64]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
        """Where each hash is (or would be) in the merged keys, and whether it is there."""
        at = np.searchsorted(self._keys, digests)
        found = at < len(self._keys)
        found[found] = self._keys[at[found]] == digests[found]
        return at, found

    def _accumulate(self, query: MatchRecord) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """Every position sharing a usable key with the query, and its summed key weights.

        Vectorised over the query's keys: each merged key's posting run is gathered with one
        fancy index, not a slice per key; only the small delta of recent adds is walked in Python.
        """
        digests = np.unique(np.array([key_hash(key) for key in index_keys(query)], dtype=np.uint64))
        at, found = self._find(digests)
        at = at[found]
        starts, ends = self._offsets[at], self._offsets[at + 1]
        df = ends - starts - self._dead[at]
        kinds = self._kinds[at].astype(np.intp)
        extra: list[list[int]] = []
        if self._delta:
            extra = [self._delta.get(digest, []) for digest in digests[found].tolist()]
            df = df + np.array([len(listed) for listed in extra], dtype=np.int64)
        cap = max(COMMON_SHARE * self._live, self._common_floor)
        usable = (df > 0) & ((df <= cap) | (kinds == _IDENTIFIER))
        weights = _KIND_WEIGHTS[kinds] * np.log1p(self._live / np.maximum(df, 1))
        lengths = np.where(usable, ends - starts, 0)
        total = int(lengths.sum())
        # Position k of the gathered run of key i is postings[starts[i] + k].
        run_starts = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        positions = self._postings[run_starts + np.arange(total)]
        spread = np.repeat(weights, lengths)
        if self._delta:
            positions, spread = self._with_delta(digests, found, usable, weights, extra, positions, spread)
        if not len(positions):
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float64)
        if len(positions) * _DENSE > len(self._records):
            totals = np.bincount(positions, weights=spread).astype(np.float64, copy=False)
            hits = np.flatnonzero(totals > 0)
            return hits, totals[hits]
        hits, inverse = np.unique(positions, return_inverse=True)
        return hits.astype(np.intp), np.bincount(inverse, weights=spread).astype(np.float64, copy=False)

    def _with_delta(
        self,
        digests: npt.NDArray[np.uint64],
        found: npt.NDArray[np.bool_],
        usable: npt.NDArray[np.bool_],
        weights: npt.NDArray[np.float64],
        extra: list[list[int]],
        positions: npt.NDArray[np.int32],
        spread: npt.NDArray[np.float64],
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]:
        """Add the delta's postings: of merged keys (weights known) and of keys only the delta holds."""
        parts, spreads = [positions], [spread]
        for listed, use, weight in zip(extra, usable.tolist(), weights.tolist(), strict=True):
            if use and listed:
                parts.append(np.array(listed, dtype=np.int32))
                spreads.append(np.full(len(listed), weight))
        cap = max(COMMON_SHARE * self._live, self._common_floor)
        for digest in digests[~found].tolist():
            only = self._delta.get(digest, [])
            kind = self._delta_kinds.get(digest, _IDENTIFIER)
            if not only or (len(only) > cap and kind != _IDENTIFIER):
                continue
            parts.append(np.array(only, dtype=np.int32))
            spreads.append(np.full(len(only), KIND_WEIGHTS[kind] * math.log1p(self._live / len(only))))
        return np.concatenate(parts), np.concatenate(spreads)

    def _merge(
        self, hashes: npt.NDArray[np.uint64], positions: npt.NDArray[np.int32], kinds: npt.NDArray[np.uint8]
    ) -> None:
        """Merge pairs sorted by hash into the arrays, dropping repeats and tombstoned postings.

        All positions must lie above the merged ones, so inserting each at the end of its key's
        run keeps every run ascending.
        """
        keep = self._alive[positions]
        # A key two tokens of one record share is packed twice, next to itself once sorted.
        keep[1:] &= (hashes[1:] != hashes[:-1]) | (positions[1:] != positions[:-1])
        if not keep.all():
            hashes, positions, kinds = hashes[keep], positions[keep], kinds[keep]
        old_counts = np.diff(self._offsets)
        postings = self._postings
        if self._dead.any():
            kept = self._alive[postings]
            running = np.concatenate(([0], np.cumsum(kept)))
            old_counts = running[self._offsets[1:]] - running[self._offsets[:-1]]
            postings = postings[kept]
        if len(postings):
            old_offsets = np.concatenate(([0], np.cumsum(old_counts)))
            at = old_offsets[np.searchsorted(self._keys, hashes, side="right")]
            postings = np.insert(postings, at, positions)
        else:
            postings = positions
        starts = np.ones(len(hashes), dtype=np.bool_)
        starts[1:] = hashes[1:] != hashes[:-1]
        firsts = np.flatnonzero(starts)
        new_keys, new_counts = hashes[firsts], np.diff(np.append(firsts, len(hashes)))
        # Both key arrays are sorted and distinct: insert the new ones rather than re-sort all.
        known, found = self._find(new_keys)
        keys = np.insert(self._keys, known[~found], new_keys[~found])
        counts = np.zeros(len(keys), dtype=np.int64)
        key_kinds = np.zeros(len(keys), dtype=np.uint8)
        old_at, new_at = np.searchsorted(keys, self._keys), np.searchsorted(keys, new_keys)
        counts[old_at] += old_counts
        counts[new_at] += new_counts
        key_kinds[old_at], key_kinds[new_at] = self._kinds, kinds[firsts]
        used = counts > 0
        self._keys, self._kinds = keys[used], key_kinds[used]
        self._offsets = np.concatenate(([0], np.cumsum(counts[used]))).astype(np.int64, copy=False)
        self._postings = postings.astype(np.int32, copy=False)
        self._dead = np.zeros(len(self._keys), dtype=np.int32)
        self._merged = len(self._records)


def _sorted(
    hashes: npt.NDArray[np.uint64], positions: npt.NDArray[np.int32], kinds: npt.NDArray[np.uint8]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
    """Pairs sorted by hash; the sort is stable, so each hash's positions stay ascending."""
    order = np.argsort(hashes, kind="stable")
    return hashes[order], positions[order], kinds[order]


def _allowed(table: dict[str, int], names: frozenset[str]) -> npt.NDArray[np.bool_]:
    """A mask over the codes of `table`, true for the codes of `names`."""
    allowed = np.zeros(len(table), dtype=np.bool_)
    allowed[[table[name] for name in names if name in table]] = True
    return allowed
