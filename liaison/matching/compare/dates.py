"""Birth dates compared at the precision both sides give: "1970" agrees with "1970-05-02"."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DateComparison", "compare_dates"]


@dataclass(frozen=True, slots=True)
class DateComparison:
    """The best agreement between two sets of dates.

    `agreement` is 1.0 for the same day, 0.8 for the same month, 0.6 for the same year when one
    side gives only a year, 0.3 for the same year with another month or day (a typo), and 0
    otherwise. `disjoint` says every pair of years is more than a year apart: a year either
    way is a common error, so it neither adds nor takes away.
    """

    agreement: float
    disjoint: bool
    detail: str


# Agreement by the precision both sides give: a day, a month, else a year.
_AGREEMENT = {10: 1.0, 7: 0.8}


def _agreement(a: str, b: str) -> float:
    common = min(len(a), len(b))
    if a[:common] == b[:common]:
        return _AGREEMENT.get(common, 0.6)
    if a[:4] == b[:4]:
        return 0.3
    return 0.0


def _years_apart(a: str, b: str) -> bool:
    if not (a[:4].isdigit() and b[:4].isdigit()):
        return a[:4] != b[:4]
    return abs(int(a[:4]) - int(b[:4])) > 1


def compare_dates(left: tuple[str, ...], right: tuple[str, ...]) -> DateComparison | None:
    """Compare two sets of ISO date prefixes; None when either side has none."""
    if not left or not right:
        return None
    best, pair = -1.0, (left[0], right[0])
    # The first best pair, as `max` would give it; a plain loop, since every scored pair runs it.
    for a in left:
        for b in right:
            agreement = _agreement(a, b)
            if agreement > best:
                best, pair = agreement, (a, b)
    disjoint = best == 0.0 and all(_years_apart(a, b) for a in left for b in right)
    detail = f"{pair[0]} vs {pair[1]}" if best > 0 else f"{', '.join(left)} vs {', '.join(right)}"
    return DateComparison(best, disjoint, detail)
