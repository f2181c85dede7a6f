"""Search relevance: how much of the name a user typed a record's names hold, token by token.

A match score asks whether two records are one entity, so a surname typed alone scores low
against the full name it belongs to ("Petrenko" against "Oleksandr PETRENKO" is 0.005). Search
asks the other question: is what was typed in this record's name? Relevance is the share of
the typed tokens' weight that the best of the record's names holds, each token at its
similarity, as the name comparison aligns them. Only a spelling of the token counts: a
variant (Avrora, Aleksandr for Alexander, a slip of one letter), not a different word that
happens to share a phonetic code (metaphone drops vowels: "Aurora" and "Ahrar" are both ARR)
nor an initial ("A." stands for any name starting so, which is evidence for a match, not a
hit for a search).
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from liaison.matching.compare.names import TOKEN_MATCH, compare_names, spelling_fold
from liaison.matching.record import MatchRecord
from liaison.names import NameForm
from liaison.names.scripts import ABJADS, round_trip

__all__ = ["SPELLING", "Relevance", "search_relevance"]

SPELLING = 0.6
"""The least similarity of two tokens' folded spellings for one to count as a spelling of the other.

Variants of one name keep most letters in place (Mohammed and Muhammad 0.71, Aurora and Avrora
0.83); words that only sound alike to metaphone do not (Aurora and Ahrar 0.5). Across an abjad
the consonants are compared (Hussein spelt in Arabic and back is hssn, حسين reads hsyn: 0.75;
Aurora is rr against احرار, ahrar: 0.4)."""


@dataclass(frozen=True, slots=True)
class Relevance:
    """How much of the query a record's names hold, in [0, 1], in which of its names (`name`, as
    written: an alias, perhaps, where the caption is another name), and which tokens it found."""

    score: float
    name: str
    detail: str


NOTHING = Relevance(0.0, "", "no name part found")


def search_relevance(query: MatchRecord, record: MatchRecord) -> Relevance:
    """The best, over the query's and the record's names, of the share of the query found.

    A token found exactly counts whole; a variant counts at its similarity. A record whose
    names hold every typed token as written is 1.0 without aligning anything, which is the
    common case of a good hit and keeps a search over thousands of candidates cheap.
    """
    best = NOTHING
    for typed in query.names:
        total = sum(typed.weights)
        if total <= 0.0:
            continue
        wanted = set(typed.tokens)
        for name in record.names:
            if wanted <= set(name.tokens):
                return Relevance(1.0, name.original, f"{typed.original!r} in {name.original!r}")
            found = _found(typed, name, total)
            if found.score > best.score:
                best = found
    return best


def _found(typed: NameForm, name: NameForm, total: float) -> Relevance:
    weights = dict(zip(typed.tokens, typed.weights, strict=True))
    # A name written in an abjad (Arabic, Hebrew) reads as its consonants: a Latin token on the
    # other side is spelt through that script and back first, as the comparison does.
    typed_abjad, name_abjad = typed.scripts & ABJADS, name.scripts & ABJADS
    through = next(iter(name_abjad or typed_abjad), "") if typed_abjad != name_abjad else ""
    got, parts = 0.0, []
    for mine, theirs, similarity in compare_names(typed, name).pairs:
        if similarity < TOKEN_MATCH or len(theirs) < 2:
            continue
        if through and name_abjad:
            left, right = round_trip(mine, through), theirs
        elif through:
            left, right = mine, round_trip(theirs, through)
        else:
            left, right = spelling_fold(mine), spelling_fold(theirs)
        if Levenshtein.normalized_similarity(left, right) < SPELLING:
            continue
        # Dense scripts pair whole names, not tokens: such a pair stands for the whole query.
        got += similarity * min(weights.get(mine, total), total)
        parts.append(f"{mine}~{theirs} {similarity:.2f}")
    score = min(1.0, got / total)
    if not parts:
        return NOTHING
    return Relevance(score, name.original, f"{typed.original!r} in {name.original!r}: {', '.join(parts)}")
