"""Small-cell suppression for statistics about people, as CTDC publishes them (k = 11).

A cell counting fewer than `k` people is withheld (primary suppression). A withheld cell must
also not be recoverable by subtraction from a total published elsewhere: along every line of
the table (all cells sharing every key but one), one withheld cell among published ones is
revealed by the line's total, so the smallest published cell of that line is withheld too
(secondary suppression), until no line has exactly one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

__all__ = ["K", "suppress"]

K = 11
"""Fewest people a published cell may count."""

Key = tuple[str, ...]


def suppress(cells: Mapping[Key, int], k: int = K) -> dict[Key, int | None]:
    """Each cell's count, or None where withheld; empty cells are left out, not published as zero."""
    counts = {key: count for key, count in cells.items() if count > 0}
    hidden = {key for key, count in counts.items() if count < k}
    width = len(next(iter(counts), ()))
    changed = bool(hidden)
    while changed:
        changed = False
        for axis in range(width):
            for line in _lines(counts, axis).values():
                withheld = [key for key in line if key in hidden]
                shown = [key for key in line if key not in hidden]
                if len(withheld) == 1 and shown:
                    hidden.add(min(shown, key=lambda key: (counts[key], key)))
                    changed = True
    return {key: None if key in hidden else count for key, count in sorted(counts.items())}


def _lines(counts: Mapping[Key, int], axis: int) -> dict[Key, list[Key]]:
    """The cells grouped by every key but the one at `axis`."""
    lines: dict[Key, list[Key]] = defaultdict(list)
    for key in counts:
        lines[key[:axis] + key[axis + 1 :]].append(key)
    return lines
