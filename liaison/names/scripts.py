"""Comparing a Latin name with one written in another script, in that script's terms.

ICU turns "Bank" into Greek "Βαγκ" and reads it back as "vang"; Arabic drops the short vowels,
so "Fikret" comes back as "fkrt". Comparing the Latin side only after the same trip through the
other side's script puts both names through the same losses. Abjads (Arabic, Hebrew) keep
mostly consonants, so their tokens are also compared by consonant skeleton.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import icu
from rigour.text import ascii_text

__all__ = ["ABJADS", "ROUND_TRIP_SCRIPTS", "round_trip", "skeleton"]

ROUND_TRIP_SCRIPTS: dict[str, str] = {
    "Arabic": "Latin-Arabic",
    "Cyrillic": "Latin-Cyrillic",
    "Greek": "Latin-Greek",
    "Hebrew": "Latin-Hebrew",
}
"""Scripts whose renderings of Latin names ICU can imitate, with the ICU rule that does it."""
ABJADS = frozenset({"Arabic", "Hebrew"})
"""Scripts that write consonants and leave most vowels out."""

# Vowels, semivowels and h are what abjads drop or write as carriers; what is left is the
# name's consonant frame, with letters no abjad tells apart merged.
_SKELETON_DROP = re.compile(r"[aeiouyhw]")
_SKELETON_MERGE = str.maketrans({"c": "k", "q": "k", "p": "b", "v": "f", "x": "k", "j": "g"})
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=8)
def _transliterator(rule: str) -> icu.Transliterator:
    return icu.Transliterator.createInstance(rule)


@lru_cache(maxsize=131_072)
def round_trip(token: str, script: str) -> str:
    """A Latin token written in `script` the way ICU would, without vowel marks, and read back to ASCII.

    Returns the token unchanged for a script ICU cannot imitate.
    """
    rule = ROUND_TRIP_SCRIPTS.get(script)
    if rule is None:
        return token
    written = unicodedata.normalize("NFD", _transliterator(rule).transliterate(token))
    # Names in Greek, Arabic and Hebrew are seldom written with breathings or short-vowel marks.
    bare = "".join(char for char in written if not unicodedata.combining(char))
    return str(ascii_text(unicodedata.normalize("NFC", bare))).lower().replace(" ", "")


@lru_cache(maxsize=131_072)
def skeleton(token: str) -> str:
    """The consonant frame of a Latin token: no vowels, y, w or h; look-alike letters merged; no doubles."""
    frame = _SKELETON_DROP.sub("", token.replace("ph", "f")).translate(_SKELETON_MERGE)
    return _DOUBLED.sub(r"\1", frame)
