"""Countries, gender and identifiers: agreement, conflict or nothing to compare."""

from __future__ import annotations

from rapidfuzz.distance import OSA

__all__ = ["compare_countries", "compare_gender", "near_identifiers", "shared_identifiers"]

# Identifiers this long or longer that differ by one keystroke are probably one number misread
# or mistyped; shorter ones differ by one keystroke by chance.
NEAR_MIN_LENGTH = 6
# Identifiers compared pairwise per side at most, so a hostile record cannot make it quadratic.
NEAR_MAX = 16


def compare_countries(left: frozenset[str], right: frozenset[str]) -> tuple[float, str] | None:
    """+1 when the sides share a country, -1 when both give countries and none is shared."""
    if not left or not right:
        return None
    shared = left & right
    if shared:
        return 1.0, f"both {', '.join(sorted(shared))}"
    return -1.0, f"{', '.join(sorted(left))} vs {', '.join(sorted(right))}"


def compare_gender(left: str | None, right: str | None) -> tuple[float, str] | None:
    """-1 when both give a different gender, +1 when the same; None when either is unknown."""
    if left is None or right is None:
        return None
    return (1.0, f"both {left}") if left == right else (-1.0, f"{left} vs {right}")


def shared_identifiers(left: frozenset[str], right: frozenset[str]) -> frozenset[str]:
    """Normalised identifiers (passport, IMO, wallet, IBAN…) found on both sides."""
    return left & right


def near_identifiers(left: frozenset[str], right: frozenset[str]) -> tuple[str, str] | None:
    """A pair of identifiers, one per side, one keystroke apart (a typo or a transposition), if any."""
    for a in sorted(left)[:NEAR_MAX]:
        if len(a) < NEAR_MIN_LENGTH:
            continue
        for b in sorted(right)[:NEAR_MAX]:
            if len(b) >= NEAR_MIN_LENGTH and a != b and OSA.distance(a, b, score_cutoff=1) <= 1:
                return a, b
    return None
