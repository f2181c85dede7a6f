"""Invisible format controls, which have no place in a name, taken out of an entity's names.

A name holding U+202E (right-to-left override) shows its letters reversed, one holding U+200B
(zero-width space) or U+2066 (an isolate) looks like a name it does not equal: the spoofing of
"Trojan Source", and a way for a listed name to look unlike itself to a reviewer. What is taken
out is every character of Unicode's format category (Cf) but three that spell words: ZWNJ
(U+200C) and ZWJ (U+200D), which Persian, Urdu and Indic names need (Hasanzadeh is
\u062d\u0633\u0646\u200c\u0632\u0627\u062f\u0647, its two parts joined by a ZWNJ), and
the Mongolian vowel separator (U+180E) of the traditional script.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from followthemoney.property import Property
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

__all__ = [
    "FORMAT_CONTROLS",
    "KEPT",
    "NAME_PART_PROPS",
    "drop_format_controls",
    "is_name",
    "keep_joiners",
    "strip_format_controls",
]

KEPT = frozenset("\u200c\u200d\u180e")
"""Format characters a name may hold: ZWNJ, ZWJ and the Mongolian vowel separator."""

# Unicode 15's Cf characters but KEPT, listed rather than found with unicodedata at import
# (that would scan 1.1 million code points at every start); a test checks the list against
# the unicodedata of the running Python.
FORMAT_CONTROLS = re.compile(
    "["
    "\u00ad"  # soft hyphen
    "\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"  # Arabic and Syriac marks, the Arabic letter mark
    "\u200b\u200e\u200f"  # zero-width space, left-to-right and right-to-left marks
    "\u202a-\u202e"  # embeddings, pop, overrides
    "\u2060-\u2064\u2066-\u206f"  # word joiner, invisible operators, isolates, deprecated controls
    "\ufeff\ufff9-\ufffb"  # zero-width no-break space (byte-order mark), interlinear annotation
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"  # language tag, tag characters
    "]+"
)
"""One or more invisible format controls with no place in a name."""

NAME_PART_PROPS = frozenset(
    {"firstName", "secondName", "middleName", "lastName", "fatherName", "motherName", "nameSuffix"}
)
"""The parts of a person's name, which FtM types as plain strings, not names."""


def is_name(prop: Property) -> bool:
    """Whether a property holds a name or a part of one."""
    return prop.type == registry.name or prop.name in NAME_PART_PROPS


def strip_format_controls(text: str) -> str:
    """`text` without its invisible format controls; ZWNJ and ZWJ stay."""
    return text if text.isascii() else FORMAT_CONTROLS.sub("", text)


_JOINERS = "\u200c\u200d"
# FtM's cleaning (normality's, under it) deletes ZWNJ and ZWJ with the other zero-width
# characters; two noncharacters, which no text may hold and it keeps, stand in for them.
_STAND_INS = "\ufdd0\ufdd1"
_HIDE = str.maketrans(_JOINERS, _STAND_INS)
_SHOW = str.maketrans(_STAND_INS, _JOINERS)


def keep_joiners(clean: Callable[[str], str | None], text: str) -> str | None:
    """`clean(text)`, by a cleaner that deletes ZWNJ and ZWJ (FtM's `registry.name.clean`), with
    them kept where they join letters, and the other format controls taken out first."""
    text = strip_format_controls(text)
    if not any(joiner in text for joiner in _JOINERS):
        return clean(text)
    bare = "".join(char for char in text if char not in _STAND_INS)
    cleaned = clean(bare.translate(_HIDE))
    if cleaned is None:
        return None
    # A joiner at either end, or beside a space, joins nothing.
    words = (word.strip(_JOINERS) for word in cleaned.translate(_SHOW).split(" "))
    return " ".join(word for word in words if word) or None


def drop_format_controls(proxy: EntityProxy) -> bool:
    """Take the format controls out of every name and name part of `proxy`, in place, dropping a
    value that held nothing else; True if any value changed."""
    changed = False
    for prop in list(proxy.iterprops()):
        if not is_name(prop):
            continue
        values = proxy.get(prop)
        cleaned = [_stripped(value) for value in values]
        if cleaned != values:
            proxy.set(prop, [value for value in cleaned if value], cleaned=True)
            changed = True
    return changed


def _stripped(value: str) -> str:
    bare = strip_format_controls(value)
    return value if bare == value else bare.strip()
