"""A name analysed for matching: its original form, its scripts and a folded Latin form in tokens.

Every name is kept twice: as written (any script) and as lower-case ASCII Latin produced by
ICU transliteration (through rigour), with honorifics removed and, for organisations, legal
forms reduced to generic classes (`OOO`, `LLC`, `Sdn Bhd` -> `llc`) and set apart from the
distinctive tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rigour.names import remove_person_prefixes, replace_org_types_compare, tokenize_name
from rigour.text import ascii_text, metaphone
from rigour.text.scripts import text_scripts

from liaison.names.numbers import fold_numbers

__all__ = ["NameForm", "NameKind", "analyze_name", "kind_of_schema", "phonetic_key"]

# Two lower-case letters first, so "McKesson" and "DeLorean" stay whole.
_CAMEL_JOIN = re.compile(r"(?<=[a-z]{2})(?=[A-Z][a-z])")
# Longest name kept for matching. Real names are far shorter; a longer string is cut, not
# refused, so that a hostile value costs bounded time.
MAX_NAME_CHARS = 300

# Generic legal-form classes produced by rigour's `replace_org_types_compare(generic=True)`.
LEGAL_FORMS = frozenset(
    {"llc", "jsc", "lp", "llp", "plc", "sa", "spa", "ag", "gmbh", "inc", "corp", "ltd", "co"}
)


ORG_FORM_WORDS = {
    "corporation": "corp", "corp": "corp", "company": "co", "co": "co", "incorporated": "inc",
    "inc": "inc", "limited": "ltd", "ltd": "ltd",
}  # fmt: skip
# "Standard & Poor's" and "Standard and Poor's" are the same name.
ORG_STOPWORDS = frozenset({"and", "the", "und", "et", "y"})


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

    @property
    def latin(self) -> str:
        """The folded Latin form, tokens joined by spaces."""
        return " ".join(self.tokens)


def _split_legal_forms(latin: str, tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Set legal forms apart from an organisation's distinctive tokens; drop `and`/`the`.

    The legal forms kept are the specific ones (`ag`, `gmbh`, `ltd`), so that "Deutsche Bank
    AG" and "Deutsche Bank GmbH" differ, while "Limited" and "Ltd" agree.
    """
    generic = _tokens(replace_org_types_compare(latin, generic=True))
    distinctive = tuple(token for token in generic if token not in LEGAL_FORMS and token not in ORG_STOPWORDS)
    # rigour reads a leading "AT" (as in AT&T) as a legal form: when too little would be
    # left, the name keeps its tokens as written.
    if sum(len(token) for token in distinctive) < 3:
        return tuple(token for token in tokens if token not in ORG_STOPWORDS) or tokens, ()
    specific = _tokens(replace_org_types_compare(latin, generic=False))
    kept = set(distinctive) | ORG_STOPWORDS
    forms = [token for token in specific if token not in kept]
    # rigour leaves the commonest English forms alone; they say little about identity.
    forms += [ORG_FORM_WORDS[token] for token in distinctive if token in ORG_FORM_WORDS]
    words = tuple(token for token in distinctive if token not in ORG_FORM_WORDS)
    return (words or distinctive), tuple(dict.fromkeys(forms))


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(token for token in tokenize_name(text) if token))


@lru_cache(maxsize=65_536)
def phonetic_key(token: str) -> str:
    """Metaphone of a Latin token; empty for digits and one-letter tokens."""
    if len(token) < 2 or token.isdigit():
        return ""
    return str(metaphone(token))


def analyze_name(text: str, kind: NameKind) -> NameForm | None:
    """Analyse a name; None when nothing name-like is left (empty, punctuation, control codes)."""
    original = " ".join(text[:MAX_NAME_CHARS].split())
    if not original:
        return None
    # "SergeiLavrov" and "FridrichBuchenberg" are two words run together.
    spaced = _CAMEL_JOIN.sub(" ", original)
    latin = _latinize(spaced)
    if kind is NameKind.PERSON:
        latin = remove_person_prefixes(latin)
    tokens = tuple(dict.fromkeys(token for token in tokenize_name(latin) if token))
    legal_forms: tuple[str, ...] = ()
    if kind is NameKind.ORG:
        tokens, legal_forms = _split_legal_forms(latin, tokens)
    if kind is not NameKind.PERSON:
        tokens = fold_numbers(tokens)
    if not tokens:
        return None
    return NameForm(
        original=original,
        scripts=frozenset(text_scripts(original)),
        tokens=tokens,
        phonetics=tuple(phonetic_key(token) for token in tokens),
        legal_forms=legal_forms,
        kind=kind,
    )


def _latinize(text: str) -> str:
    """ICU transliteration to lower-case ASCII; words ICU cannot write (Khmer, say) stay as written."""
    words = []
    for word in text.split():
        latin = ascii_text(word).lower()
        words.append(word.lower() if "?" in latin else latin)
    return " ".join(words)
