"""This node as its peers know it: its descriptor, and the key it signs with."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.access.node_keys import NodeKey
from liaison.model.node import NodeDescriptor
from liaison.services.accounts.node_secret import node_secret
from liaison.settings import Settings
from liaison.store import peers as peer_store

__all__ = ["descriptor", "node_key"]


def node_key(settings: Settings) -> NodeKey:
    """The node's signing key, derived from its secret (made beside an SQLite store when missing)."""
    return NodeKey.of(node_secret(settings, create=True))


def descriptor(engine: Engine, settings: Settings) -> NodeDescriptor:
    """What this node's admin hands a peer's: name, URL, public key and the agencies hosted here."""
    with Session(engine) as session:
        hosted = peer_store.agencies_hosted_by(session, None)
    url = settings.node_url or f"http://{settings.host}:{settings.port}"
    return NodeDescriptor(settings.node_name, url.rstrip("/"), node_key(settings).public_key, hosted)
