"""Seeded identifiers for the demo world that pass the checks real ones pass.

Phones are valid for their country, IBANs and IMO numbers carry correct check digits, wallet
and onion addresses carry their checksums, and IP addresses come from the documentation ranges
(RFC 5737) so that no real host is ever named.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import random
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Traits",
    "bitcoin_address",
    "day_in",
    "documentation_ip",
    "fill",
    "iban",
    "imo_number",
    "onion_url",
    "passport_number",
    "phone",
    "traits",
    "tron_address",
]

# Mobile ranges where every number of this length is valid (checked against phonenumbers).
PHONE_RANGES = {
    "cn": ("+86138", 8),
    "de": ("+49151", 8),
    "dz": ("+2136", 8),
    "es": ("+346", 8),
    "fr": ("+3367", 7),
    "ma": ("+21266", 7),
    "md": ("+37369", 6),
    "ng": ("+234803", 7),
    "nl": ("+3162", 7),
    "ru": ("+7916", 7),
    "ua": ("+38067", 7),
    "vn": ("+8491", 7),
}

# Passport number shapes per issuing country: `#` a digit, `@` a letter, others literal.
PASSPORT_SHAPES = {
    "cn": "E########",
    "es": "PA@######",
    "fr": "##@@#####",
    "ma": "@@#######",
    "md": "A########",
    "ng": "A########",
    "nl": "@@@#@@#@#",
    "ru": "#########",
    "ua": "@@######",
    "vn": "C#######",
}

# IBAN bank-and-account shapes: a Lithuanian e-money institution and a Dutch bank.
IBAN_SHAPES = {"LT": "32500###########", "NL": "RABO##########"}

# Letters shared by the Latin and Cyrillic alphabets, as used on Ukrainian plates and passports.
LETTERS = "ABCEHIKMOPTX"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
TEST_NETS = ("192.0.2", "198.51.100", "203.0.113")


def fill(rng: random.Random, shape: str) -> str:
    """Fill a shape: `#` becomes a random digit, `@` a random letter, anything else stays."""
    out = []
    for char in shape:
        if char == "#":
            out.append(str(rng.randrange(10)))
        elif char == "@":
            out.append(rng.choice(LETTERS))
        else:
            out.append(char)
    return "".join(out)


def phone(rng: random.Random, country: str) -> str:
    """A valid mobile number of `country` (ISO alpha-2, lower case) in E.164 form."""
    prefix, digits = PHONE_RANGES[country]
    return prefix + fill(rng, "#" * digits)


def passport_number(rng: random.Random, country: str) -> str:
    """A passport number shaped like those `country` issues."""
    return fill(rng, PASSPORT_SHAPES[country])


def iban(rng: random.Random, country: str) -> str:
    """An IBAN of `country` (upper case) with correct ISO 7064 mod-97 check digits."""
    bban = fill(rng, IBAN_SHAPES[country])
    digits = "".join(str(int(char, 36)) for char in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def imo_number(rng: random.Random) -> str:
    """An IMO ship number: six digits, then the check digit weighted 7 down to 2."""
    head = "9" + fill(rng, "#####")  # ships built since the 1980s have numbers starting with 9
    check = sum(int(digit) * weight for digit, weight in zip(head, range(7, 1, -1), strict=True)) % 10
    return f"IMO{head}{check}"


def _base58check(payload: bytes) -> str:
    """Encode `payload` with its double-SHA-256 checksum, as Bitcoin and Tron addresses are."""
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = BASE58[rest] + out
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + out


def bitcoin_address(rng: random.Random) -> str:
    """A pay-to-public-key-hash Bitcoin address (starts with `1`) with a valid checksum."""
    return _base58check(b"\x00" + rng.randbytes(20))


def tron_address(rng: random.Random) -> str:
    """A Tron address (starts with `T`), where USDT used in laundering usually sits."""
    return _base58check(b"\x41" + rng.randbytes(20))


def onion_url(rng: random.Random) -> str:
    """An onion v3 address with a correct checksum, as ransomware leak sites use."""
    key = rng.randbytes(32)
    version = b"\x03"
    checksum = hashlib.sha3_256(b".onion checksum" + key + version).digest()[:2]
    host = base64.b32encode(key + checksum + version).decode("ascii").lower()
    return f"http://{host}.onion/"


def documentation_ip(rng: random.Random) -> str:
    """An IPv4 address from a documentation range, never a real host."""
    return f"{rng.choice(TEST_NETS)}.{rng.randrange(1, 255)}"


def day_in(rng: random.Random, year: int, month: int) -> dt.date:
    """A random day of the given month (up to the 28th, which every month has)."""
    return dt.date(year, month, rng.randrange(1, 29))


@dataclass(frozen=True, slots=True)
class Traits:
    """What the seed decides about one person: birth date, mobile phone and passport number."""

    born: dt.date
    phone: str
    passport: str

    def birth(self, precision: Literal["day", "month", "year"]) -> str:
        """The birth date as a record of that precision would hold it, e.g. `1984-03` for month."""
        text = self.born.isoformat()
        return {"day": text, "month": text[:7], "year": text[:4]}[precision]


def traits(rng: random.Random, year: int, country: str) -> Traits:
    """Draw a person's traits: born in `year`, with a phone and passport of `country`."""
    born = dt.date(year, rng.randrange(1, 13), rng.randrange(1, 29))
    return Traits(born=born, phone=phone(rng, country), passport=passport_number(rng, country))
