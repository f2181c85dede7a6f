"""Countries, gender and identifiers: agreement, conflict or nothing to compare."""

from __future__ import annotations

__all__ = ["compare_countries", "compare_gender", "shared_identifiers"]


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
