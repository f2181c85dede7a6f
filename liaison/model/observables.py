"""Observables: the values cyber intelligence correlates on, each in one canonical form.

An IP address or network, a domain, a URL, a file hash, an e-mail address, a phone number or a
crypto wallet is written many ways ("EXAMPLE.com.", "http://Example.com:80/a", "+44 20 7946
0000"); correlation needs one. Each kind has a parser that gives the canonical value or refuses
the text with a reason ("999.1.1.1" is no IP address). Networks are kept as networks, so an
address finds the networks that contain it by the few prefixes it can have, not by a scan.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import phonenumbers

from liaison.errors import BadInput

if TYPE_CHECKING:
    from followthemoney.proxy import EntityProxy

__all__ = [
    "MAX_OBSERVABLE_CHARS",
    "Kind",
    "Observable",
    "enclosing_networks",
    "guess_observable",
    "ip_key",
    "observables_of",
    "parse_observable",
]

MAX_OBSERVABLE_CHARS = 600
"""Longer values are refused: indicators are shorter, and the index keys on the whole value (a
PostgreSQL index entry holds some 2,700 bytes, four per character at worst)."""


class Kind(StrEnum):
    """What an observable is."""

    IP = "ip"
    DOMAIN = "domain"
    URL = "url"
    EMAIL = "email"
    PHONE = "phone"
    HASH = "hash"
    WALLET = "wallet"


@dataclass(frozen=True, slots=True, order=True)
class Observable:
    """One value of one kind, canonical."""

    kind: Kind
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_HEX = re.compile(r"^[0-9a-f]+$")
# MD5, SHA-1, SHA-256 and SHA-512 in hexadecimal.
_HASH_LENGTHS = frozenset({32, 40, 64, 128})
_WALLET = re.compile(r"^[A-Za-z0-9:_-]{20,128}$")
_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}


def _ip(text: str) -> str:
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise ValueError(f"{text!r} is not an IP address or network") from None
    if network.num_addresses == 1:
        return str(network.network_address)
    return str(network)


def _domain(text: str) -> str:
    name = text.strip().rstrip(".").lower()
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{text!r} is not a domain name") from None
    labels = name.split(".")
    if len(labels) < 2 or len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        raise ValueError(f"{text!r} is not a domain name")
    if labels[-1].isdigit():
        raise ValueError(f"{text!r} is an IP address, not a domain name")
    return name


def _host(text: str) -> str:
    try:
        return _ip(text.strip("[]"))
    except ValueError:
        return _domain(text)


def _url(text: str) -> str:
    parts = urlsplit(text.strip())
    if not parts.scheme or not parts.hostname:
        raise ValueError(f"{text!r} is not a URL (scheme and host needed, as in http://example.com/)")
    scheme = parts.scheme.lower()
    host = _host(parts.hostname)
    try:
        port = parts.port
    except ValueError:
        raise ValueError(f"{text!r} has a port that is not a number from 0 to 65535") from None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    # The fragment never reaches the server: it is not part of what was visited.
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def _email(text: str) -> str:
    local, at, domain = text.strip().rpartition("@")
    if not at or not local or any(char.isspace() for char in local):
        raise ValueError(f"{text!r} is not an e-mail address")
    return f"{local.lower()}@{_domain(domain)}"


def _phone(text: str) -> str:
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{text!r} is not a phone number in international form (+country code)") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"{text!r} is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _hash(text: str) -> str:
    value = text.strip().lower()
    if len(value) not in _HASH_LENGTHS or not _HEX.match(value):
        raise ValueError(f"{text!r} is not an MD5, SHA-1, SHA-256 or SHA-512 hash in hexadecimal")
    return value


def _wallet(text: str) -> str:
    # Addresses are case-sensitive (base58, bech32 in lower case): kept as written.
    value = text.strip()
    if not _WALLET.match(value):
        raise ValueError(f"{text!r} is not a crypto wallet address")
    return value


_PARSERS = {
    Kind.IP: _ip,
    Kind.DOMAIN: _domain,
    Kind.URL: _url,
    Kind.EMAIL: _email,
    Kind.PHONE: _phone,
    Kind.HASH: _hash,
    Kind.WALLET: _wallet,
}


def parse_observable(kind: str, text: str) -> Observable:
    """The canonical observable; BadInput names the kind and says what is wrong with the text."""
    try:
        known = Kind(kind)
    except ValueError:
        raise BadInput(f"unknown kind {kind!r}; use one of {', '.join(Kind)}") from None
    if len(text) > MAX_OBSERVABLE_CHARS:
        raise BadInput(f"{known}: longer than {MAX_OBSERVABLE_CHARS:,} characters")
    try:
        return Observable(known, _PARSERS[known](text))
    except ValueError as exc:
        raise BadInput(f"{known}: {exc}") from None


# Tried in this order when no kind is given: the first that reads the text wins.
_GUESSES = (Kind.IP, Kind.EMAIL, Kind.URL, Kind.HASH, Kind.PHONE, Kind.DOMAIN, Kind.WALLET)


def guess_observable(text: str) -> Observable:
    """The observable a bare value most plausibly is ("10.0.0.1", "evil.example", "+447700900123")."""
    if len(text) > MAX_OBSERVABLE_CHARS:
        raise BadInput(f"longer than {MAX_OBSERVABLE_CHARS:,} characters")
    for kind in _GUESSES:
        try:
            return Observable(kind, _PARSERS[kind](text))
        except ValueError:
            continue
    raise BadInput(f"{text!r:.80} is no IP address, domain, URL, hash, e-mail, phone number or wallet")


def ip_key(value: str) -> str:
    """A key that sorts addresses in numeric order within a version: its first address, in hex."""
    network = ipaddress.ip_network(value)
    width = 8 if network.version == 4 else 32
    return f"{network.version}:{int(network.network_address):0{width}x}"


def enclosing_networks(value: str) -> list[str]:
    """Every network, as stored, that would contain this address or network: its prefixes."""
    network = ipaddress.ip_network(value)
    return [str(network.supernet(new_prefix=prefix)) for prefix in range(network.prefixlen - 1, -1, -1)]


# Provenance links name where a record came from, not what it is: every record of one list
# shares them, and correlating on them would tie the whole list together.
_PROVENANCE = frozenset({"sourceUrl", "publisherUrl", "alephUrl", "wikipediaUrl"})
_WALLET_PROPS = frozenset({"publicKey", "cryptoAddress"})


def observables_of(proxy: EntityProxy) -> set[Observable]:
    """The observables an FtM entity carries: IPs, e-mails, phones, URLs and their hosts, wallets."""
    from followthemoney.types import registry  # loaded with the proxy already; here a lookup

    found: set[Observable] = set()
    for prop, value in proxy.itervalues():
        kind = None
        if prop.type == registry.ip:
            kind = Kind.IP
        elif prop.type == registry.email:
            kind = Kind.EMAIL
        elif prop.type == registry.phone:
            kind = Kind.PHONE
        elif prop.type == registry.checksum:
            kind = Kind.HASH
        elif prop.type == registry.url and prop.name not in _PROVENANCE:
            kind = Kind.URL
        elif prop.name in _WALLET_PROPS and proxy.schema.is_a("CryptoWallet"):
            kind = Kind.WALLET
        if kind is None or len(value) > MAX_OBSERVABLE_CHARS:
            continue
        try:
            observable = Observable(kind, _PARSERS[kind](value))
        except ValueError:
            continue  # FtM kept a value our stricter reading refuses: nothing to correlate on
        found.add(observable)
        if kind is Kind.URL:
            # The host is an indicator of its own: other records name the server without the path.
            host = urlsplit(observable.value).hostname or ""
            try:
                found.add(Observable(Kind.IP, _ip(host)))
            except ValueError:
                found.add(Observable(Kind.DOMAIN, _domain(host)))
    return found
