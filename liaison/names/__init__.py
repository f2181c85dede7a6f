"""Names for matching: scripts, transliteration, folding, legal forms, tokens and phonetic keys."""

from liaison.names.forms import (
    NameForm,
    NameKind,
    analyze_name,
    is_generic_org_word,
    is_patronymic,
    kind_of_schema,
    phonetic_key,
)

__all__ = [
    "NameForm",
    "NameKind",
    "analyze_name",
    "is_generic_org_word",
    "is_patronymic",
    "kind_of_schema",
    "phonetic_key",
]
