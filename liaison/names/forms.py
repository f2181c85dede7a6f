"""A name analysed for matching: its original form, its scripts and a folded Latin form in tokens.

Every name is kept twice: as written (any script) and as lower-case ASCII Latin produced by
ICU transliteration (through rigour), with honorifics removed and, for organisations, legal
forms reduced to generic classes (`OOO`, `LLC`, `Sdn Bhd` -> `llc`) and set apart from the
distinctive tokens.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Hashable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from typing import TypeVar

from rapidfuzz.distance import OSA
from rigour.names import remove_person_prefixes, replace_org_types_compare, tokenize_name
from rigour.text import ascii_text, metaphone
from rigour.text.scripts import text_scripts

from liaison.names.numbers import fold_numbers
from liaison.names.scripts import ROUND_TRIP_SCRIPTS, round_trip
from liaison.names.weights import is_patronymic, org_weights, person_weights, plain_weights

__all__ = [
    "NameForm",
    "NameKind",
    "analyze_name",
    "is_generic_org_word",
    "is_patronymic",
    "kind_of_schema",
    "phonetic_key",
]

# Two lower-case letters first, so "McKesson" and "DeLorean" stay whole.
_CAMEL_JOIN = re.compile(r"(?<=[a-z]{2})(?=[A-Z][a-z])")
_NO_JOINERS = str.maketrans("", "", "\u200c\u200d")
# Longest name kept for matching. Real names are far shorter; a longer string is cut, not
# refused, so that a hostile value costs bounded time.
MAX_NAME_CHARS = 300

# Generic legal-form classes produced by rigour's `replace_org_types_compare(generic=True)`.
LEGAL_FORMS = frozenset(
    {"llc", "jsc", "lp", "llp", "plc", "sa", "spa", "ag", "gmbh", "inc", "corp", "ltd", "co"}
)


ORG_FORM_WORDS = {
    "corporation": "corp",
    "corp": "corp",
    "company": "co",
    "co": "co",
    "incorporated": "inc",
    "inc": "inc",
    "limited": "ltd",
    "ltd": "ltd",
}
# "Standard & Poor's" and "Standard and Poor's" are the same name.
ORG_STOPWORDS = frozenset({"and", "the", "und", "et", "y"})
# The words legal forms are spelt out in, when a source writes them in full and rigour cannot
# read them as one form (a typo, a dropped word, a transliteration): they name no one.
GENERIC_ORG_WORDS = frozenset(
    {
        "joint",
        "stock",
        "company",
        "companies",
        "limited",
        "liability",
        "open",
        "closed",
        "public",
        "private",
        "incorporated",
        "corporation",
        "society",
        "societe",
        "sociedad",
        "societatea",
        "anonima",
        "anonyme",
        "responsabilidad",
        "raspundere",
        "limitata",
        "limitada",
        "cu",
        "de",
        "of",
        "aktsionernoe",
        "obshchestvo",
        "otvetstvennostyu",
        "ogranichennoy",
        "zakrytoe",
        "otkrytoe",
        "publichnoe",
        "tovarystvo",
        "pvt",
        "pte",
        "bhd",
        "sdn",
        "gesellschaft",
        "mit",
        "beschrankter",
        "haftung",
        "aktiengesellschaft",
        "naamloze",
        "vennootschap",
        "besloten",
        "spolka",
        "z",
        "oo",
    }
)
"""Words of spelt-out legal forms; with rigour's generic legal forms they weigh little in a name."""


class NameKind(StrEnum):
    """Whose name it is; persons and organisations are normalised differently."""

    PERSON = "person"
    ORG = "org"
    OTHER = "other"


PERSON_SCHEMATA = frozenset({"Person"})
ORG_SCHEMATA = frozenset({"Organization", "Company", "LegalEntity", "PublicBody"})


def kind_of_schema(schema: str) -> NameKind:
    """The kind of name an FtM schema carries."""
    if schema in PERSON_SCHEMATA:
        return NameKind.PERSON
    if schema in ORG_SCHEMATA:
        return NameKind.ORG
    return NameKind.OTHER


@dataclass(frozen=True, slots=True)
class NameForm:
    """One name ready to compare: original text, scripts, Latin tokens, phonetic keys, legal forms."""

    original: str
    scripts: frozenset[str]
    tokens: tuple[str, ...]
    phonetics: tuple[str, ...]
    legal_forms: tuple[str, ...]
    kind: NameKind
    # What each token says about identity, in token order (see `liaison.names.weights`).
    weights: tuple[float, ...]
    # A weak alias ("Abu Ali", a nickname) is no one's name of record: a match on it alone is weak.
    weak: bool = False
    # The distinct tokens sorted and joined, order-free: the shortlist compares every candidate's
    # names by it on every query, so it is made once here (a one-token name shares its token's string).
    sorted_key: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        key = self.tokens[0] if len(self.tokens) == 1 else " ".join(sorted(set(self.tokens)))
        object.__setattr__(self, "sorted_key", key)

    @property
    def latin(self) -> str:
        """The folded Latin form, tokens joined by spaces."""
        return " ".join(self.tokens)


# Spelt-out words long enough that one slip still leaves them recognisable ("Compny").
_LONG_GENERIC_WORDS = tuple(word for word in GENERIC_ORG_WORDS if len(word) >= 6)


@lru_cache(maxsize=16)
def _generic_words_through(script: str) -> frozenset[str]:
    """The spelt-out legal-form words as they read back after ICU wrote them in `script`."""
    return frozenset(round_trip(word, script) for word in GENERIC_ORG_WORDS)


@lru_cache(maxsize=65_536)
def is_generic_org_word(token: str, script: str | None = None) -> bool:
    """True for a legal form (`llc`, `jsc`), a word legal forms are spelt out in, or one with a slip.

    With `script`, also for those words as written in that script and read back ("ЦОМПАНЫ", `tsompany`).
    """
    if token in LEGAL_FORMS or token in GENERIC_ORG_WORDS or token in ORG_FORM_WORDS:
        return True
    if script is not None and token in _generic_words_through(script):
        return True
    if len(token) < 5:
        return False
    return any(OSA.distance(token, word, score_cutoff=1) <= 1 for word in _LONG_GENERIC_WORDS)


def _org_tokens(latin: str, tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """An organisation's tokens, legal forms read as their generic class, and its specific legal forms.

    Legal forms stay among the tokens (a name without them matches one with them, since they
    weigh little); the specific forms kept apart (`ag`, `gmbh`, `ltd`) let "Deutsche Bank AG"
    and "Deutsche Bank GmbH" differ while "Limited" and "Ltd" agree.
    """
    generic = tuple(
        token
        for token in _tokens(replace_org_types_compare(latin, generic=True))
        if token not in ORG_STOPWORDS
    )
    distinctive = [token for token in generic if not is_generic_org_word(token)]
    # rigour reads a leading "AT" (as in AT&T) as a legal form: when too little would be
    # left, the name keeps its tokens as written.
    if sum(len(token) for token in distinctive) < 3:
        return tuple(token for token in tokens if token not in ORG_STOPWORDS) or tokens, ()
    specific = _tokens(replace_org_types_compare(latin, generic=False))
    kept = set(distinctive) | ORG_STOPWORDS
    # A misspelt spelt-out word ("LIMITTED") is no legal form of its own.
    forms = [
        token
        for token in specific
        if token not in kept
        and token not in GENERIC_ORG_WORDS
        and (token in LEGAL_FORMS or not is_generic_org_word(token))
    ]
    # rigour leaves the commonest English forms alone; they say little about identity.
    forms += [ORG_FORM_WORDS[token] for token in generic if token in ORG_FORM_WORDS]
    return generic, tuple(dict.fromkeys(forms))


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(token for token in tokenize_name(text) if token))


@lru_cache(maxsize=65_536)
def phonetic_key(token: str) -> str:
    """Metaphone of a Latin token; empty for digits and one-letter tokens."""
    if len(token) < 2 or token.isdigit():
        return ""
    return str(metaphone(token))


def analyze_name(text: str, kind: NameKind, patronymics: frozenset[str] = frozenset()) -> NameForm | None:
    """Analyse a name; None when nothing name-like is left (empty, punctuation, control codes).

    `patronymics` are folded tokens the source gives as the person's father's name: they weigh
    as patronymics wherever they appear, as the suffixes of East Slavic ones do.
    """
    original = " ".join(text[:MAX_NAME_CHARS].split())
    if not original:
        return None
    # "SergeiLavrov" and "FridrichBuchenberg" are two words run together. ZWNJ and ZWJ, which
    # stored names keep, shape letters but do not tell names apart, and ICU cannot write them.
    spaced = _CAMEL_JOIN.sub(" ", original).translate(_NO_JOINERS)
    latin = _han_person(original) if kind is NameKind.PERSON else None
    latin = latin or _latinize(spaced)
    if kind is NameKind.PERSON:
        latin = remove_person_prefixes(latin)
    tokens = tuple(dict.fromkeys(token for token in tokenize_name(latin) if token))
    legal_forms: tuple[str, ...] = ()
    if kind is NameKind.ORG:
        tokens, legal_forms = _org_tokens(latin, tokens)
    if kind is not NameKind.PERSON:
        tokens = fold_numbers(tokens)
    if not tokens:
        return None
    scripts = _shared(frozenset(text_scripts(original)))
    # Millions of names share a few thousand tokens, a handful of script sets and weight
    # patterns: one object each, not one per name, keeps an index of millions in memory.
    tokens = tuple(sys.intern(token) for token in tokens)
    return NameForm(
        original=original,
        scripts=scripts,
        tokens=tokens,
        phonetics=tuple(sys.intern(phonetic_key(token)) for token in tokens),
        legal_forms=legal_forms,
        kind=kind,
        weights=_shared(_weights(tokens, kind, scripts, patronymics)),
    )


_Value = TypeVar("_Value", bound=Hashable)


@lru_cache(maxsize=65_536)
def _shared(value: _Value) -> _Value:
    """One shared object for equal values: the cache hands back the first one it saw."""
    return value


def _weights(
    tokens: tuple[str, ...], kind: NameKind, scripts: frozenset[str], patronymics: frozenset[str]
) -> tuple[float, ...]:
    if kind is NameKind.PERSON:
        return person_weights(tokens, patronymics)
    if kind is NameKind.ORG:
        # A legal-form word written in Cyrillic or Greek reads back misspelt ("tsompany").
        script = next(iter(scripts)) if len(scripts) == 1 else None
        through = script if script in ROUND_TRIP_SCRIPTS else None
        return org_weights(tokens, lambda token: is_generic_org_word(token, through))
    return plain_weights(tokens)


_HAN_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")


def _han_person(original: str) -> str | None:
    """A Chinese name in Han characters written as pinyin convention has it: family, then given in one word.

    ICU reads 习近平 syllable by syllable ("xi jin ping"); Latin sources write "Xi Jinping", and a
    given name split into syllables would let "Zhang Wei" stand inside 张志伟 (Zhang Zhiwei).
    Two-character family names are rare and are left as the first syllable.
    """
    if not _HAN_NAME.match(original):
        return None
    family, given = ascii_text(original[0]).lower(), ascii_text(original[1:]).lower()
    return f"{family} {given.replace(' ', '')}"


def _latinize(text: str) -> str:
    """ICU transliteration to lower-case ASCII; words ICU cannot write (Khmer, say) stay as written."""
    words = []
    for word in text.split():
        latin = ascii_text(word).lower()
        words.append(word.lower() if "?" in latin else latin)
    return " ".join(words)
