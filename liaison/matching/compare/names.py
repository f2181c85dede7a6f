"""Name comparison: the best alignment of tokens between two names, across scripts and orders.

Tokens are paired greedily by similarity, so "MOHAMMED Ali Hassan" aligns with "Ali Hassan
Mohammed". A token's similarity is the best of its spelling (Jaro-Winkler), its edit distance,
its phonetic key (metaphone, which carries transliterated Arabic and Hebrew consonants) and the
initial and short-form rules ("J." = "John", "Ben" = "Benjamin").
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from liaison.names import NameForm, phonetic_key
from liaison.names.scripts import ABJADS, ROUND_TRIP_SCRIPTS, round_trip, skeleton
from liaison.names.weights import GENERIC_WEIGHT, PARTICLES, token_weight

__all__ = [
    "FULL_TOKEN",
    "NameComparison",
    "Shortfall",
    "Worth",
    "best_name_comparison",
    "compare_names",
    "shortfall",
    "token_similarity",
]

DENSE_SCRIPTS = frozenset({"Han", "Hangul", "Hiragana", "Katakana"})
# Below this, two tokens are different words, not variants of one.
TOKEN_MATCH = 0.8
_DOUBLED = re.compile(r"(.)\1+")


@dataclass(frozen=True, slots=True)
class NameComparison:
    """How two names compare: aligned similarity, coverage of each side, and what was paired."""

    similarity: float
    coverage: float
    joined: float
    unmatched: float
    subset: bool
    pairs: tuple[tuple[str, str, float], ...]
    left: NameForm
    right: NameForm

    def detail(self) -> str:
        """A readable account of the alignment, for explanations."""
        paired = ", ".join(f"{a}~{b} {score:.2f}" for a, b, score in self.pairs)
        return f"{self.left.original!r} vs {self.right.original!r}: {paired or 'no tokens aligned'}"


# The weight of a token of eight letters or more: a whole given or family name.
FULL_TOKEN = token_weight("x" * 8)
# Tokens this short or shorter are syllables ("Li", "Yong", "Han"): spelling similarity says
# little, since most syllables lie an edit or two from many others.
SHORT_TOKEN = 4


# Screening compares the same common tokens ("mohammed", "ali", "bank") again and again.
@lru_cache(maxsize=262_144)
def token_similarity(a: str, b: str, phonetic_a: str, phonetic_b: str) -> float:
    """Similarity of two Latin tokens in [0, 1]."""
    if a == b:
        return 1.0
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) == 1:
        return 0.9 if long.startswith(short) else 0.0
    if len(short) <= SHORT_TOKEN:
        # A short form ("Alex", "Abdul") is the start of the long one and keeps most of it;
        # "Han" is not "Hannah" nor "Pak" "Parker".
        if len(short) == SHORT_TOKEN and long.startswith(short):
            return 0.85
        # One slip in a longer word ("Ahmd" for "Ahmad") is still that word.
        if len(long) > SHORT_TOKEN and OSA.distance(a, b, score_cutoff=1) <= 1:
            return TOKEN_MATCH
        return min(Levenshtein.normalized_similarity(a, b), 0.75)
    if long.startswith(short):
        return 0.85
    # Spellings of one name differ by an edit or two once transliteration habits are folded
    # ("Dmitriy", "Dmitry"; "Aleksandr", "Alexander"); other names of the same shape differ by
    # more ("Kravchenko", "Kharchenko"). Past the allowed edits a token only partly agrees.
    folded_a, folded_b = spelling_fold(a), spelling_fold(b)
    if folded_a == folded_b or (phonetic_a and phonetic_a == phonetic_b):
        return 0.9
    allowed = 1 if max(len(folded_a), len(folded_b)) <= 10 else 2
    edits = OSA.distance(folded_a, folded_b, score_cutoff=allowed + 1)
    if edits <= allowed:
        return max(TOKEN_MATCH, 1.0 - edits / max(len(a), len(b)))
    return min(Levenshtein.normalized_similarity(a, b), 0.75)


# Transliteration habits folded before counting edits: what one system writes `ks`, `kh`, `iy`
# or `ou`, another writes `x`, `h`, `i` or `u`.
_SPELLING_FOLDS = (
    ("ks", "x"),
    ("kh", "h"),
    ("ph", "f"),
    ("iy", "i"),
    ("ij", "i"),
    ("yi", "i"),
    ("y", "i"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("w", "v"),
    ("dzh", "j"),
    ("zh", "j"),
    ("q", "k"),
    ("ck", "k"),
    ("c", "k"),
)


@lru_cache(maxsize=131_072)
def spelling_fold(token: str) -> str:
    """A token with common transliteration variants folded to one spelling and doubled letters collapsed."""
    for variant, folded in _SPELLING_FOLDS:
        token = token.replace(variant, folded)
    return _DOUBLED.sub(r"\1", token)


@lru_cache(maxsize=131_072)
def cross_script_similarity(latin: str, foreign: str, script: str) -> float:
    """Similarity of a Latin token and the Latin reading of a token written in `script`.

    The Latin token first makes the trip through `script` and back, so both carry the same
    losses; tokens of an abjad are also compared by their consonant skeletons.
    """
    trip = round_trip(latin, script)
    if trip == foreign:
        return 1.0
    if script not in ABJADS:
        return token_similarity(trip, foreign, phonetic_key(trip), phonetic_key(foreign))
    # What the trip leaves is short (Arabic "hsn" for "Hassan"), so the short-token rule of
    # Latin syllables does not apply: one slip in four letters or more is still that name.
    best = Levenshtein.normalized_similarity(trip, foreign)
    if min(len(trip), len(foreign)) >= SHORT_TOKEN:
        best = max(best, JaroWinkler.normalized_similarity(trip, foreign) * 0.95)
    else:
        best = min(best, 0.75)
    if script in ABJADS:
        frame_latin, frame_foreign = skeleton(latin), skeleton(foreign)
        if min(len(frame_latin), len(frame_foreign)) >= 2:
            best = max(best, Levenshtein.normalized_similarity(frame_latin, frame_foreign) * 0.95)
    return best


def _foreign_script(left: NameForm, right: NameForm) -> tuple[bool, str] | None:
    """(whether the left side is the Latin one, the other side's script) when one name is Latin and
    the other is written wholly in a script whose renderings ICU can imitate."""
    return _foreign_between(left.scripts, right.scripts)


# Names share a handful of script sets, so every pair of them is worked out once.
@lru_cache(maxsize=1_024)
def _foreign_between(left: frozenset[str], right: frozenset[str]) -> tuple[bool, str] | None:
    for left_is_latin, (latin, other) in ((True, (left, right)), (False, (right, left))):
        if latin <= {"Latin"} and len(other) == 1:
            (script,) = other
            if script in ROUND_TRIP_SCRIPTS:
                return left_is_latin, script
    return None


def _pair_similarities(left: NameForm, right: NameForm) -> list[tuple[float, float, int, int]]:
    """Every token pair's (similarity, combined weight, minus left and right positions), best first.

    Among equally similar pairs the heavier goes first, so an initial ("A.") is read as the
    given name it stands for ("Anton"), not as a patronymic or a particle beside it.
    """
    foreign = _foreign_script(left, right)
    others = tuple(
        zip(range(0, -len(right.tokens), -1), right.tokens, right.phonetics, right.weights, strict=True)
    )
    # The scorer's innermost loop: kept to plain comprehensions, as it runs for every name pair.
    lefts = zip(range(0, -len(left.tokens), -1), left.tokens, left.phonetics, left.weights, strict=True)
    if foreign is None:
        scored = [
            (1.0 if a == b else token_similarity(a, b, pa, pb), wa + wb, i, j)
            for i, a, pa, wa in lefts
            for j, b, pb, wb in others
        ]
    else:
        left_is_latin, script = foreign
        scored = [
            (
                1.0
                if a == b
                else max(
                    token_similarity(a, b, pa, pb),
                    cross_script_similarity(a, b, script)
                    if left_is_latin
                    else cross_script_similarity(b, a, script),
                ),
                wa + wb,
                i,
                j,
            )
            for i, a, pa, wa in lefts
            for j, b, pb, wb in others
        ]
    # Descending by score and weight; then by position, the earlier tokens first.
    scored.sort(reverse=True)
    return scored


def compare_names(left: NameForm, right: NameForm, joined: float | None = None) -> NameComparison:
    """Align the tokens of two names and measure how much of each is accounted for.

    `joined` is their `joined_similarity`, when the caller has worked it out already.
    """
    if left.scripts & right.scripts & DENSE_SCRIPTS:
        return _compare_dense(left, right)
    scored = _pair_similarities(left, right)
    weights_left, weights_right = list(left.weights), list(right.weights)
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs: list[tuple[str, str, float]] = []
    matched = 0.0
    covered_left = covered_right = 0.0
    strong = 0
    most = min(len(left.tokens), len(right.tokens))
    for score, _weight, minus_i, minus_j in scored:
        # Best first: past 0.5 nothing else aligns, and once one side is used up nothing can.
        if score < 0.5 or len(pairs) == most:
            break
        i, j = -minus_i, -minus_j
        if i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        a, b = left.tokens[i], right.tokens[j]
        # A generic word aligned with anything (a misspelt "Compny") weighs as generic on both sides.
        if min(weights_left[i], weights_right[j]) <= GENERIC_WEIGHT:
            weights_left[i] = weights_right[j] = GENERIC_WEIGHT
        weight_a, weight_b = weights_left[i], weights_right[j]
        pairs.append((a, b, score))
        matched += score * (weight_a + weight_b)
        if score >= TOKEN_MATCH:
            covered_left += weight_a
            covered_right += weight_b
            strong += a not in PARTICLES and weight_a > GENERIC_WEIGHT
    total_left, total_right = sum(weights_left), sum(weights_right)
    similarity = matched / (total_left + total_right)
    coverage = min(covered_left / total_left, covered_right / total_right)
    # The heavier side of what is left unexplained: a whole given name missing on one side
    # is evidence of another person, however well the rest agrees. Sums taken in another order
    # differ in the last bits: that is nothing missing.
    missing = max(total_left - covered_left, total_right - covered_right)
    unmatched = 0.0 if missing < 1e-9 else min(1.0, missing / FULL_TOKEN)
    # One name wholly inside the other, on two or more real tokens: "Saddam Hussein" within
    # "Saddam Hussein al-Tikriti" is a shortened name, where "Walijan" alone is not. The
    # longer name must keep its first token: "Uday Saddam Hussein al-Tikriti" is his son.
    left_whole = covered_left >= total_left - 1e-9
    right_whole = covered_right >= total_right - 1e-9
    longer_first = (0 in used_right) if left_whole else (0 in used_left)
    subset = strong >= 2 and (left_whole or right_whole) and unmatched > 0 and longer_first
    if subset:
        # The shorter name partly explains what is missing (a dropped middle name or
        # patronymic), but a common given and family name alone is weaker evidence.
        unmatched /= 2
    if joined is None:
        joined = joined_similarity(left, right)
    return NameComparison(similarity, coverage, joined, unmatched, subset, tuple(pairs), left, right)


@lru_cache(maxsize=65_536)
def _joins(tokens: tuple[str, ...]) -> tuple[str, str]:
    return "".join(tokens), "".join(sorted(tokens))


def joined_similarity(left: NameForm, right: NameForm) -> float:
    """Similarity of the names written as one string, as given and with tokens sorted."""
    left_joins, right_joins = _joins(left.tokens), _joins(right.tokens)
    return max(
        Levenshtein.normalized_similarity(left_joins[0], right_joins[0]),
        Levenshtein.normalized_similarity(left_joins[1], right_joins[1]),
    )


def _compare_dense(left: NameForm, right: NameForm) -> NameComparison:
    # In Chinese, Japanese and Korean each character is a syllable of the name: one different
    # character is another person (习近平, 习近朋), so the written forms are compared as such.
    a = "".join(left.original.split())
    b = "".join(right.original.split())
    similarity = Levenshtein.normalized_similarity(a, b)
    unmatched = 0.0 if similarity == 1.0 else 1.0
    pair = ((a, b, similarity),)
    return NameComparison(similarity, similarity, similarity, unmatched, False, pair, left, right)


class Shortfall(NamedTuple):
    """What two names must leave unexplained, known before they are aligned.

    Tokens pair one to one, so the surplus tokens of the longer name stay unpaired: at least the
    lightest of them (`missing`) is uncovered, out of the longer name's weight and the pair's.
    Only names of different lengths, both of two tokens or more, can lie one inside the other:
    equal lengths wholly covered on one side are covered on both. (A named tuple: one is made
    for every pair of names screened, and tuples are the cheapest to make.)
    """

    missing: float
    longer_total: float
    both_total: float
    subset_possible: bool


def shortfall(left: NameForm, right: NameForm) -> Shortfall:
    """The `Shortfall` of a pair of names."""
    shorter, longer = (left, right) if len(left.tokens) <= len(right.tokens) else (right, left)
    surplus = len(longer.tokens) - len(shorter.tokens)
    longer_total, lightest = _weight_sums(longer.weights)
    both_total = longer_total + _weight_sums(shorter.weights)[0]
    return Shortfall(lightest[surplus], longer_total, both_total, surplus > 0 and len(shorter.tokens) >= 2)


# Names share a few thousand weight patterns (one tuple object each, see `analyze_name`).
@lru_cache(maxsize=16_384)
def _weight_sums(weights: tuple[float, ...]) -> tuple[float, tuple[float, ...]]:
    """The total of a name's token weights, and the sums of its k lightest for each k from 0."""
    return sum(weights), (0.0, *itertools.accumulate(sorted(weights)))


Worth = Callable[[NameForm, NameForm], float]
"""The least joined similarity at which a pair of names could still matter to the caller."""


def best_name_comparison(
    lefts: tuple[NameForm, ...],
    rights: tuple[NameForm, ...],
    worth: Worth | None = None,
    reaches: Callable[[NameComparison], bool] | None = None,
) -> NameComparison | None:
    """The best-scoring pairing of any name on the left with any name on the right (the first, on ties).

    A pair's rank is at most 2 + joined/2 (similarity and coverage at most 1 each), and its joined
    similarity is cheap: pairs that cannot beat the best so far are not aligned at all. Pairs the
    caller's `worth` says cannot matter (their joined similarity is under the least it names) are
    aligned only if they could still outrank the best of the others; when no pair is left, None.
    With `reaches`, the caller's test of a comparison, None also when the best of the pairs
    worth aligning fails it: a pair that cannot matter would fail it too, so none is aligned.
    """
    best: NameComparison | None = None
    best_rank, best_at = -math.inf, -1
    deferred: list[tuple[int, NameForm, NameForm]] = []
    for at, (left, right) in enumerate((left, right) for left in lefts for right in rights):
        if left.scripts & right.scripts & DENSE_SCRIPTS:
            comparison = _compare_dense(left, right)
        else:
            weak = 0.5 * (left.weak or right.weak)
            if 2.5 - weak <= best_rank:
                continue
            least = -math.inf if worth is None else worth(left, right)
            if least > 1.0:
                deferred.append((at, left, right))
                continue
            joined = joined_similarity(left, right)
            if 2.0 + 0.5 * joined - weak <= best_rank:
                continue
            if joined < least:
                deferred.append((at, left, right))
                continue
            comparison = compare_names(left, right, joined)
        rank = _rank(comparison)
        if rank > best_rank:
            best, best_rank, best_at = comparison, rank, at
    if best is None or (deferred and reaches is not None and not reaches(best)):
        return None
    for at, left, right in deferred:
        joined = joined_similarity(left, right)
        bound = 2.0 + 0.5 * joined - 0.5 * (left.weak or right.weak)
        # Earlier pairs win ties, so one that comes first may tie the best and still take its place.
        if bound < best_rank or (bound == best_rank and at > best_at):
            continue
        comparison = compare_names(left, right, joined)
        rank = _rank(comparison)
        if rank > best_rank or (rank == best_rank and at < best_at):
            best, best_rank, best_at = comparison, rank, at
    return best


def _rank(comparison: NameComparison) -> float:
    weak = comparison.left.weak or comparison.right.weak
    agreement = comparison.similarity + comparison.coverage + 0.5 * comparison.joined
    return agreement - comparison.unmatched - 0.5 * weak
