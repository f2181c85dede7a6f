"""Nodes: a Liaison installation as its peers know it, by the descriptor its admin hands theirs.

A descriptor names the node, the URL its peers reach it at, its Ed25519 public key and the
agencies it hosts. The fingerprint is what two admins read to each other out of band before
either accepts the other's descriptor: SHA-256 of the raw key, in base64 without padding, as
OpenSSH prints host keys.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pycountry

from liaison.errors import BadInput
from liaison.model.agency import Agency, AgencyKind

__all__ = ["DESCRIPTOR_VERSION", "NodeDescriptor", "check_node_name", "fingerprint", "parse_descriptor"]

DESCRIPTOR_VERSION = 1
_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{0,62}")
_AGENCY_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,31}")
MAX_AGENCIES = 1_000
"""More agencies than any one installation hosts; a longer list is refused, not read."""


def fingerprint(public_key: str) -> str:
    """`SHA256:` and the key's digest in base64 without padding."""
    digest = hashlib.sha256(base64.b64decode(public_key)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True, slots=True)
class NodeDescriptor:
    """A node as its peers know it: name, URL, public key (raw Ed25519, base64) and hosted agencies."""

    name: str
    url: str
    public_key: str
    agencies: tuple[Agency, ...]

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def as_json(self) -> dict[str, Any]:
        """The descriptor as `liaison node show` prints it and `liaison peer add` reads it."""
        return {
            "liaison_node": DESCRIPTOR_VERSION,
            "name": self.name,
            "url": self.url,
            "public_key": self.public_key,
            "fingerprint": self.fingerprint,
            "agencies": [
                {
                    "code": agency.code,
                    "name": agency.name,
                    "country": agency.country,
                    "kind": agency.kind.value,
                }
                for agency in self.agencies
            ],
        }


RESERVED = frozenset({"pull", "preview", "status"})
"""Names `liaison sync NAME` reads as its commands, so a peer of such a name could not be pulled."""


def check_node_name(name: str, where: str) -> str:
    """A node's name as given, or BadInput naming `where`: lower-case letters, digits, '.' and '-',
    and not one of the words `liaison sync` takes as a command."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise BadInput(
            f"{where}: field 'name': {str(name)[:70]!r}; use 1 to 63 lower-case letters, digits, '.' or '-'"
        )
    if name in RESERVED:
        raise BadInput(
            f"{where}: field 'name': {name!r} is reserved (`liaison sync {name}` is a command, not a "
            "pull from a peer of that name); its node must take another name"
        )
    return name


def parse_descriptor(data: object, where: str) -> NodeDescriptor:
    """A descriptor read from parsed JSON, checked field by field; BadInput names `where` and the field."""
    if not isinstance(data, dict):
        raise BadInput(f"{where}: a node descriptor is a JSON object (from `liaison node show`)")
    if data.get("liaison_node") != DESCRIPTOR_VERSION:
        raise BadInput(
            f"{where}: field 'liaison_node': {data.get('liaison_node')!r}; this Liaison reads version 1"
        )
    name = check_node_name(data.get("name"), where)  # type: ignore[arg-type]
    url = data.get("url")
    parts = urlsplit(url) if isinstance(url, str) and len(url) <= 2_000 else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
    ):
        raise BadInput(f"{where}: field 'url': {str(url)[:70]!r}; give the node's http(s) base URL")
    public_key = data.get("public_key")
    try:
        raw = base64.b64decode(public_key, validate=True) if isinstance(public_key, str) else b""
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise BadInput(f"{where}: field 'public_key': not a raw Ed25519 public key (32 bytes) in base64")
    said = data.get("fingerprint")
    if said is not None and said != fingerprint(public_key):  # type: ignore[arg-type]
        raise BadInput(
            f"{where}: field 'fingerprint': {str(said)[:70]!r} is not the fingerprint of its public key"
        )
    return NodeDescriptor(name, url.rstrip("/"), public_key, _agencies(data.get("agencies"), where))  # type: ignore[arg-type, union-attr]


def _agencies(listed: object, where: str) -> tuple[Agency, ...]:
    if not isinstance(listed, list) or len(listed) > MAX_AGENCIES:
        raise BadInput(f"{where}: field 'agencies': a list of at most {MAX_AGENCIES} agencies")
    agencies: dict[str, Agency] = {}
    for number, item in enumerate(listed):
        field = f"agencies[{number}]"
        if not isinstance(item, dict):
            raise BadInput(f"{where}: field '{field}': an object with code, name, country and kind")
        code, name, country, kind = (item.get(key) for key in ("code", "name", "country", "kind"))
        if not isinstance(code, str) or not _AGENCY_CODE.fullmatch(code):
            raise BadInput(f"{where}: field '{field}.code': {str(code)[:40]!r} is not an agency code")
        if code in agencies:
            raise BadInput(f"{where}: field '{field}.code': {code} is listed twice")
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            raise BadInput(f"{where}: field '{field}.name': 1 to 255 characters")
        found = (
            pycountry.countries.get(alpha_2=country.upper())
            if isinstance(country, str) and len(country) == 2
            else None
        )
        if found is None:
            raise BadInput(
                f"{where}: field '{field}.country': {str(country)[:10]!r} is not an ISO 3166-1 alpha-2 code"
            )
        if kind not in {member.value for member in AgencyKind}:
            raise BadInput(
                f"{where}: field '{field}.kind': {str(kind)[:20]!r}; use one of {', '.join(AgencyKind)}"
            )
        agencies[code] = Agency(code, name.strip(), found.alpha_2, AgencyKind(kind))
    return tuple(agencies.values())
