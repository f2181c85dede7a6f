"""Where a webhook may post: public addresses, and the networks the installation allows.

A URL's host counts by every address it resolves to, so a name cannot hide an address inside the
network (loopback, private, link-local, cloud metadata, …) behind a public one. The check runs
when a webhook is added and again before each delivery, which then connects to the very address
it checked: a name that rebinds in between (DNS rebinding) gains nothing.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from urllib.parse import urlsplit

from liaison.errors import BadInput, Unavailable

__all__ = ["Address", "Network", "Resolve", "Target", "check", "kind_refused", "parse", "resolve_name"]

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network
Resolve = Callable[[str, int], list[Address]]
"""Addresses a name resolves to: the system's resolver, or a table in tests."""

_METADATA = frozenset({ip_address("169.254.169.254"), ip_address("fd00:ec2::254")})
_SHARED = ip_network("100.64.0.0/10")  # carrier-grade NAT; Python 3.11 calls it neither private nor global
_PRIVATE = tuple(ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))
_NAT64 = ip_network("64:ff9b::/96")
# Local-use NAT64 (RFC 8215) carries an address of the operator's own network; Python 3.11
# counts it global.
_LOCAL_NAT64 = ip_network("64:ff9b:1::/48")


@dataclass(frozen=True, slots=True)
class Target:
    """A URL checked for posting: the name it speaks to, where to connect, and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[Address, ...]


def resolve_name(host: str, port: int) -> list[Address]:
    """The system resolver's addresses for a name (or an address literal, in any form it takes)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ip_address(str(sockaddr[0])) for *_rest, sockaddr in found))


def _stands_for(address: Address) -> Address:
    """The IPv4 address an IPv6 one carries (IPv4-mapped, 6to4, NAT64), else the address itself."""
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return IPv4Address(int(address) & 0xFFFF_FFFF)
    return address


def kind_refused(address: Address) -> str | None:
    """What kind of non-public address this is, or None for a public one."""
    if address in _METADATA:
        return "a cloud metadata address"
    checks = (
        (address.is_loopback, "a loopback address"),
        (address.is_unspecified, "an unspecified address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address in _SHARED, "a shared (CGNAT) address"),
        (any(address in network for network in _PRIVATE), "a private address"),
        (address.is_reserved, "a reserved address"),
        (not address.is_global or address in _LOCAL_NAT64, "not a public address"),
    )
    return next((kind for refused, kind in checks if refused), None)


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, request target) of an http(s) URL."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # a bracketed host that is no IPv6 address: "http://[0]/"
        raise BadInput(f"{url[:100]!r} is not an http(s) URL: {exc}") from exc
    try:
        port = parts.port
    except ValueError as exc:
        raise BadInput(f"{url[:100]!r} has an invalid port") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2_000:
        raise BadInput(f"{url[:100]!r} is not an http(s) URL")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def check(url: str, allow: Sequence[Network], resolve: Resolve) -> Target:
    """The URL's target when every address its host resolves to is public or allowed.

    Raises BadInput naming the first address refused, and Unavailable when the host does not resolve.
    """
    scheme, host, port, path = parse(url)
    try:
        addresses = tuple(resolve(host, port))
    except (OSError, ValueError) as exc:  # ValueError: a name IDNA cannot encode
        raise Unavailable(f"{host} does not resolve: {exc}") from exc
    if not addresses:
        raise Unavailable(f"{host} does not resolve")
    for address in addresses:
        carried = _stands_for(address)
        if any(address in network or carried in network for network in allow):
            continue
        kind = kind_refused(carried)
        if kind is not None:
            shown = host if host == str(carried) else f"{host} ({carried})"
            raise BadInput(
                f"{shown} is {kind}: webhooks may not post there "
                "unless LIAISON_WEBHOOK_ALLOW lists its network"
            )
    return Target(scheme, host, port, path, addresses)
