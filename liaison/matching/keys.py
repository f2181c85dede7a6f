"""Blocking keys: the typed strings under which the candidate index files a record.

A key is a one-letter kind, a colon and a value: `n:` name token, `p:` metaphone, `g:` padded
character trigram, `i:` identifier, `y:` birth year, `d:` full birth date. Queries are keyed the
same way, so a candidate is any record sharing a key with the query.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

from liaison.matching.record import MatchRecord

__all__ = ["KINDS", "KIND_WEIGHTS", "index_keys", "key_hash", "key_kind", "packed_keys"]

# Kinds in code order: the index stores a key's kind as its position in this tuple.
KINDS = ("n", "p", "g", "i", "y", "d")
# Evidence per shared key, multiplied by its IDF. A shared identifier is near-proof, a name
# token good evidence; phonetic codes collide across spellings and trigrams across names, and
# a birth year is shared by a large cohort, so they only add up alongside other keys. A full
# birth date is rarer, and finds a record whose name was mangled, but never outranks a rare
# name on its own.
KIND_WEIGHTS = (1.0, 0.6, 0.25, 4.0, 0.3, 0.5)
_KIND_CODES = {kind: code for code, kind in enumerate(KINDS)}


def index_keys(record: MatchRecord) -> set[str]:
    """Every key of a record: its name tokens, phonetic codes, trigrams, identifiers and birth dates."""
    keys: set[str] = set()
    for name in record.names:
        for token, phonetic in zip(name.tokens, name.phonetics, strict=True):
            keys.update(_token_keys(token, phonetic))
    keys.update(_entity_keys(record))
    return keys


def key_hash(key: str) -> int:
    """A key's stable unsigned 64-bit hash: its BLAKE2b digest read little-endian."""
    return int.from_bytes(_digest(key), "little")


def key_kind(key: str) -> int:
    """The kind code of a key: its position in `KINDS`."""
    return _KIND_CODES[key[0]]


def packed_keys(record: MatchRecord) -> tuple[bytes, bytes]:
    """A record's key hashes (8 bytes each, little-endian) and kind codes (1 byte each), for bulk builds.

    Tokens are keyed once each through a cache, so a key two tokens share may appear twice;
    callers drop the repeats. Same keys as `index_keys`, several times faster.
    """
    digests: list[bytes] = []
    kinds: list[bytes] = []
    for name in record.names:
        for token, phonetic in zip(name.tokens, name.phonetics, strict=True):
            token_digests, token_kinds = _token_packed(token, phonetic)
            digests.append(token_digests)
            kinds.append(token_kinds)
    for key in _entity_keys(record):
        digests.append(_digest(key))
        kinds.append(bytes((key_kind(key),)))
    return b"".join(digests), b"".join(kinds)


def _token_keys(token: str, phonetic: str) -> list[str]:
    """The name, phonetic and trigram keys of one token.

    A one-letter token files no name or trigram key: an initial would tie the record to every
    other record sharing the letter.
    """
    keys = [f"p:{phonetic}"] if len(phonetic) >= 2 else []
    if len(token) >= 2:
        padded = f" {token} "
        keys.append(f"n:{token}")
        keys.extend(f"g:{padded[start : start + 3]}" for start in range(len(padded) - 2))
    return keys


# Tokens repeat across records (given names, family names), so bulk builds key each once.
@lru_cache(maxsize=131_072)
def _token_packed(token: str, phonetic: str) -> tuple[bytes, bytes]:
    keys = set(_token_keys(token, phonetic))
    return b"".join(_digest(key) for key in keys), bytes(key_kind(key) for key in keys)


def _entity_keys(record: MatchRecord) -> list[str]:
    keys = [f"i:{identifier}" for identifier in record.identifiers]
    keys.extend({f"y:{date[:4]}" for date in record.birth_dates if len(date) >= 4 and date[:4].isdigit()})
    keys.extend({f"d:{date}" for date in record.birth_dates if len(date) == 10})
    return keys


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=8).digest()
