"""Finding the same seizure reported twice, in two sources (the EIA incidents and the China
seizure table, say), with the reasons for each pair.

Seizures are compared only within the same country, year and unit, and only when their
quantities differ by at most 5 %; sorted by quantity, each seizure meets just that window, so
the cost grows with the number of seizures, not their pairs. A pair is **likely** the same
seizure when the place agrees too (one place's words all appear in the other's: "Wenzhou" and
"Wenzhou, Zhejiang Province", a typo allowed) and the dates, where both have one, are within two weeks;
**possible** when the place differs but the quantity is large (10 kg or 10 animals or more)
and the commodity the same. Small seizures in different places are left out: one live pangolin
is seized somewhere every week.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import normality
from rapidfuzz import fuzz

__all__ = ["TOLERANCE", "Duplicate", "Reported", "duplicates"]

TOLERANCE = 0.05
"""Largest relative difference of two quantities of the same seizure."""
LARGE = 10.0
CLOSE_DAYS = 14
_SAME_KIND = {"whole": {"live", "carcass", "other"}, "other": {"live", "carcass", "whole"}}


@dataclass(frozen=True, slots=True)
class Reported:
    """A seizure as one source reported it."""

    key: str
    year: int
    day: dt.date | None
    country: str
    location: str
    commodity: str
    unit: str
    quantity: float


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Two reports that may be one seizure, how sure, and why."""

    first: str
    second: str
    verdict: str
    reasons: tuple[str, ...]


def _words(place: str) -> frozenset[str]:
    folded = normality.normalize(place, lowercase=True, latinize=True) or ""
    generic = {"province", "district", "city", "county", "airport", "port", "autonomous", "region", "xian"}
    return frozenset(word for word in folded.split() if word not in generic and len(word) > 2)


def _word_in(word: str, words: frozenset[str]) -> bool:
    # A transposed letter ("Lahsa" for "Lhasa") is still the same place.
    return word in words or (len(word) >= 5 and any(fuzz.ratio(word, other) >= 80 for other in words))


def _place_agrees(first: str, second: str) -> bool:
    one, other = _words(first), _words(second)
    if not one or not other:
        return False
    return all(_word_in(word, other) for word in one) or all(_word_in(word, one) for word in other)


def _compare(one: Reported, other: Reported) -> Duplicate | None:
    low, high = sorted((one.quantity, other.quantity))
    reasons = [
        f"same country {one.country.upper()}, year {one.year}",
        f"quantities {one.quantity:g} and {other.quantity:g} {one.unit}",
    ]
    if high > 0 and (high - low) / high > TOLERANCE:
        return None
    same_kind = one.commodity == other.commodity
    if not same_kind and other.commodity not in _SAME_KIND.get(one.commodity, set()) | {
        kind for kind, near in _SAME_KIND.items() if one.commodity in near
    }:
        return None
    reasons.append(
        f"commodity {one.commodity}" if same_kind else f"commodities {one.commodity} and {other.commodity}"
    )
    if one.day and other.day:
        apart = abs((one.day - other.day).days)
        if apart > CLOSE_DAYS:
            return None
        reasons.append(f"{apart} days apart")
    if _place_agrees(one.location, other.location):
        return Duplicate(
            one.key, other.key, "likely", (*reasons, f"places agree: {one.location} / {other.location}")
        )
    if same_kind and high >= LARGE:
        return Duplicate(
            one.key, other.key, "possible", (*reasons, f"places differ: {one.location} / {other.location}")
        )
    return None


def duplicates(first: Iterable[Reported], second: Iterable[Reported]) -> list[Duplicate]:
    """Pairs (one report of each source) that may be the same seizure, likely ones first."""
    blocks: dict[tuple[str, int, str], list[Reported]] = defaultdict(list)
    for report in second:
        blocks[(report.country, report.year, report.unit)].append(report)
    sorted_blocks: dict[tuple[str, int, str], tuple[list[Reported], list[float]]] = {}
    for key, block in blocks.items():
        block.sort(key=lambda report: report.quantity)
        sorted_blocks[key] = (block, [report.quantity for report in block])
    found: list[Duplicate] = []
    for one in first:
        block, quantities = sorted_blocks.get((one.country, one.year, one.unit), ([], []))
        start = bisect.bisect_left(quantities, one.quantity * (1 - TOLERANCE))
        end = bisect.bisect_right(quantities, one.quantity / (1 - TOLERANCE))
        found.extend(pair for other in block[start:end] if (pair := _compare(one, other)) is not None)
    return sorted(found, key=lambda pair: (pair.verdict != "likely", pair.first, pair.second))
