"""Numbers written as words or ordinals ("forty-four", "1st", "Three") folded to digits."""

from __future__ import annotations

import re
from functools import lru_cache

from rigour._core import ordinals_dict
from rigour.text import ascii_text

__all__ = ["fold_numbers"]

_ROMAN = re.compile(r"^[ivxlcdm]+(th)?$")


@lru_cache(maxsize=1)
def _number_words() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """Single-token and two-token spellings of numbers, from rigour's ordinal tables."""
    single: dict[str, str] = {}
    double: dict[tuple[str, str], str] = {}
    for number, forms in ordinals_dict().items():
        for form in forms:
            text = ascii_text(form).lower().replace("-", " ")
            # Roman numerals ("LI", "MIX") and "No. 5" would turn names into numbers.
            if not text or _ROMAN.match(text) or text.startswith(("no", "#", "(", "number")):
                continue
            words = text.split()
            if len(words) == 1 and not words[0].isdigit():
                single.setdefault(words[0], str(number))
            elif len(words) == 2:
                double.setdefault((words[0], words[1]), str(number))
    return single, double


def fold_numbers(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Replace number words and ordinals by digits: ("brigade", "forty", "four") -> ("brigade", "44")."""
    single, double = _number_words()
    folded: list[str] = []
    index = 0
    while index < len(tokens):
        pair = tokens[index : index + 2]
        if len(pair) == 2 and (pair[0], pair[1]) in double:
            folded.append(double[(pair[0], pair[1])])
            index += 2
            continue
        folded.append(single.get(tokens[index], tokens[index]))
        index += 1
    return tuple(folded)
