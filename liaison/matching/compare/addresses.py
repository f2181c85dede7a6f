"""Postal addresses: how specifically two records' addresses agree.

rigour aligns the tokens of the best pair of addresses (abbreviations, spellings and scripts
folded) and scores whether they are the same place: a different house number or postcode
makes that 0, though the rest of the address still agrees, as it does in a record with one
mistyped digit. So agreement is the better of rigour's score and the share of tokens it
aligned, scaled by how many tokens aligned, up to a street, a number and a town: "Moscow"
agrees with "Moscow, Russia" perfectly, and says little.
"""

from __future__ import annotations

from dataclasses import dataclass

from rigour.addresses import match_addresses

__all__ = ["AddressComparison", "compare_addresses"]

# Aligned tokens that make an address specific: a street, a house number and a town.
SPECIFIC_TOKENS = 3
# Below this rigour score two addresses are different places.
DIFFERENT = 0.2


@dataclass(frozen=True, slots=True)
class AddressComparison:
    """The best address pair: its agreement scaled by specificity, whether they differ, and a detail."""

    agreement: float
    different: bool
    detail: str


def compare_addresses(left: tuple[str, ...], right: tuple[str, ...]) -> AddressComparison | None:
    """Compare two sets of addresses; None when either side has none."""
    if not left or not right:
        return None
    # rigour's best pair can depend on which side is the query and on list order: compare in
    # one canonical order, so that the comparison is symmetric.
    first, second = sorted((sorted(left), sorted(right)))
    best = match_addresses(first, second)
    if best is None:
        return None
    # rigour's detail lists the aligned tokens first, then `-token` and `+token` for the rest.
    spaced = " " + best.detail
    only_left, only_right = spaced.count(" -"), spaced.count(" +")
    aligned = len(spaced.split()) - only_left - only_right
    unaligned = max(only_left, only_right)
    overlap = aligned / (aligned + unaligned) if aligned else 0.0
    agreement = max(best.score, overlap) * min(aligned, SPECIFIC_TOKENS) / SPECIFIC_TOKENS
    detail = f"{best.query!r} vs {best.result!r}: {best.detail}"
    return AddressComparison(agreement, max(best.score, overlap) < DIFFERENT, detail)
