"""How much each token of a name says about identity: long distinctive tokens most, particles little.

Weights are computed once, when a name is analysed, because every comparison of the name needs them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = [
    "GENERIC_WEIGHT",
    "PARTICLES",
    "PARTICLE_WEIGHT",
    "PATRONYMIC_WEIGHT",
    "is_patronymic",
    "person_weights",
    "plain_weights",
    "token_weight",
]

# Particles that join names, and religious or courtesy titles that some sources keep in the
# name ("HAJI KHAIRULLAH HAJI SATTAR"): they say little about identity, so they weigh little.
PARTICLES = frozenset(
    {
        "al",
        "el",
        "bin",
        "ibn",
        "bint",
        "ben",
        "de",
        "da",
        "do",
        "dos",
        "das",
        "del",
        "della",
        "di",
        "du",
        "van",
        "von",
        "der",
        "den",
        "la",
        "le",
        "mac",
        "mc",
        "y",
        "e",
        "abd",
        "ul",
        "haji",
        "hajji",
        "hadji",
        "sheikh",
        "shaikh",
        "sheik",
        "mullah",
        "mulla",
        "maulana",
        "mawlana",
        "maulvi",
        "mawlawi",
        "mufti",
        "qari",
        "ayatollah",
        "king",
        "prince",
        "princess",
        "praesident",
        "prasident",
        "president",
    }
)
PARTICLE_WEIGHT = 0.3
PATRONYMIC_WEIGHT = 0.6
# Legal forms and the words they are spelt out in weigh less than a particle: "Pars Tile
# Company" and "Pars Tile" are one name, "Pars Tile LLC" and "Pars Tile JSC" nearly so.
GENERIC_WEIGHT = 0.05

# East Slavic patronymics and Turkic "son of"/"daughter of" words, as Latin transliterations
# write them: a source may give or drop them, so they say less about identity than a name.
_PATRONYMIC = re.compile(
    r"^[a-z]{3,}(ovich|evich|ovych|evych|ovna|evna|ivna|ichna|inichna)$|^(oglu|ogly|kyzy|qizi|gizi)$"
)


def is_patronymic(token: str) -> bool:
    """True for a patronymic as transliterations write it ("Vladimirovich", "Ivanovna", "oglu")."""
    return _PATRONYMIC.match(token) is not None


def token_weight(token: str) -> float:
    """A token's weight: particles 0.3, otherwise growing with length up to eight letters (1.25)."""
    if token in PARTICLES:
        return PARTICLE_WEIGHT
    return min(len(token), 8) / 8 + 0.25


def plain_weights(tokens: tuple[str, ...]) -> tuple[float, ...]:
    """Weights of the tokens of a name that is neither a person's nor an organisation's."""
    return tuple(token_weight(token) for token in tokens)


def person_weights(tokens: tuple[str, ...], patronymics: frozenset[str] = frozenset()) -> tuple[float, ...]:
    """Weights of a person's name tokens; `patronymics` are tokens the source gives as the father's name.

    A patronymic is given or dropped at the source's whim ("Oleg GOLIKOV" for "Oleg
    Alexandrovich GOLIKOV"): it weighs about half a name.
    """
    return tuple(
        PATRONYMIC_WEIGHT if token in patronymics or is_patronymic(token) else token_weight(token)
        for token in tokens
    )


def org_weights(tokens: tuple[str, ...], is_generic: Callable[[str], bool]) -> tuple[float, ...]:
    """Weights of an organisation's tokens: legal forms and their spelt-out words weigh almost nothing."""
    return tuple(GENERIC_WEIGHT if is_generic(token) else token_weight(token) for token in tokens)
