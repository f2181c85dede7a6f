"""Peers: accepting another node's descriptor, listing and forgetting peers, and previewing what
a peer would receive.

What a peer receives is decided here, at the source, by the one access decision: the records
one of the agencies it hosts may read (`Identity.peer`), which never includes RED, a record
released to a user of this node, or anything of an agency that is not the peer's. Each change
is the operator's, and audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.decision import Action, Kind, NodeFacts, may
from liaison.errors import BadInput, Conflict, Forbidden
from liaison.model import Identity
from liaison.model.node import NodeDescriptor
from liaison.services.accounts import audit
from liaison.services.accounts.agencies import check_namespace
from liaison.store import peers as peer_store
from liaison.store.peers import Peer
from liaison.store.retention import delete_record

__all__ = ["Preview", "add", "list_peers", "preview", "receivers", "remove", "require_keeper"]

MAX_IDS = 100_000
"""The most record ids a preview lists."""


def require_keeper(actor: Identity) -> None:
    """Refuse unless the actor keeps this node's peers: the operator."""
    decision = may(actor, Action.ADMINISTER, NodeFacts(Kind.PEER))
    if not decision:
        raise Forbidden(decision.reason)


def add(
    engine: Engine, actor: Identity, descriptor: NodeDescriptor, own: NodeDescriptor, now: dt.datetime
) -> Peer:
    """Accept a peer's descriptor (or its update: a new URL or hosted agencies, never a new key).

    Refused: this node's own descriptor, a key another peer holds, a known peer with another
    key (remove it first, after checking the new fingerprint), and an agency hosted here or by
    another peer. The copies held of an agency the peer no longer hosts are withdrawn.
    """
    require_keeper(actor)
    if descriptor.public_key == own.public_key or descriptor.name == own.name:
        raise BadInput(f"the descriptor of {descriptor.name!r} is this node's own; add the other node's")
    with Session(engine) as session, session.begin():
        holder = peer_store.peer_with_key(session, descriptor.public_key)
        if holder is not None and holder != descriptor.name:
            raise Conflict(f"the public key {descriptor.fingerprint} is already the peer {holder!r}'s")
        if holder is None and peer_store.is_peer(session, descriptor.name):
            raise Conflict(
                f"the peer {descriptor.name!r} is known with another key; check the new fingerprint "
                f"{descriptor.fingerprint} with its admin, then `liaison peer remove {descriptor.name}` "
                "and add it again"
            )
        hosts = peer_store.hosts_of(session, (agency.code for agency in descriptor.agencies))
        for agency in descriptor.agencies:
            if agency.code not in hosts:
                check_namespace(session, agency.code)
            elif hosts[agency.code] is None:
                raise Conflict(f"agency {agency.code} is hosted by this node, not by {descriptor.name!r}")
            elif hosts[agency.code] != descriptor.name:
                raise Conflict(f"agency {agency.code} is hosted by the peer {hosts[agency.code]!r}")
        listed = {agency.code for agency in descriptor.agencies}
        dropped = {agency.code for agency in peer_store.agencies_hosted_by(session, descriptor.name)} - listed
        copies = sorted(peer_store.copies_from(session, descriptor.name, dropped)) if dropped else []
        for dataset, entity_id in copies:
            delete_record(session, dataset, entity_id)
        try:
            peer_store.save_peer(session, descriptor, now, actor.actor)
        except IntegrityError:
            raise Conflict(
                f"agencies {', '.join(sorted(dropped))} that {descriptor.name!r} no longer lists are named "
                "in records of this node; it keeps its former descriptor"
            ) from None
        detail = {
            "url": descriptor.url,
            "fingerprint": descriptor.fingerprint,
            "agencies": [agency.code for agency in descriptor.agencies],
            "withdrawn": len(copies),
        }
        audit.record(session, actor, "peer.add", f"peer:{descriptor.name}", now=now, detail=detail)
        return peer_store.get_peer(session, descriptor.name)


def list_peers(engine: Engine, actor: Identity) -> list[Peer]:
    """This node's peers, by name."""
    require_keeper(actor)
    with Session(engine) as session:
        return peer_store.list_peers(session)


def remove(engine: Engine, actor: Identity, name: str, now: dt.datetime) -> int:
    """Forget a peer, the agencies it hosts and the copies held from it (no longer kept up to date,
    they would go stale); audited. How many copies were withdrawn."""
    require_keeper(actor)
    with Session(engine) as session, session.begin():
        peer_store.get_peer(session, name)
        copies = sorted(peer_store.copies_from(session, name))
        for dataset, entity_id in copies:
            delete_record(session, dataset, entity_id)
        try:
            peer_store.remove_peer(session, name)
        except IntegrityError:
            raise Conflict(
                f"the agencies of {name!r} are named in records of this node; it stays a peer"
            ) from None
        audit.record(
            session, actor, "peer.remove", f"peer:{name}", now=now, detail={"withdrawn": len(copies)}
        )
    return len(copies)


@dataclass(frozen=True, slots=True)
class Preview:
    """What a peer would receive now: for each of its agencies the identity it receives as, the
    count of records per (dataset, handling), and their ids when asked for."""

    peer: str
    receivers: tuple[Identity, ...]
    counts: dict[tuple[str, str], int]
    ids: list[tuple[str, str]] | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def receivers(session: Session, peer: Peer) -> tuple[Identity, ...]:
    """The identities a peer receives as: one per agency it hosts, with the sharing groups this
    node puts that agency in."""
    return tuple(
        Identity.peer(
            peer.descriptor.name, agency.code, agency.country, store.groups_of_agency(session, agency.code)
        )
        for agency in peer.descriptor.agencies
    )


def preview(engine: Engine, actor: Identity, name: str, now: dt.datetime, *, ids: bool = False) -> Preview:
    """A dry run of a sync to `name`: what it would receive, counted, and listed with `ids`; audited."""
    require_keeper(actor)
    with Session(engine) as session, session.begin():
        peer = peer_store.get_peer(session, name)
        identities = receivers(session, peer)
        counts = peer_store.releasable_counts(session, identities)
        listed = peer_store.releasable_ids(session, identities, MAX_IDS) if ids else None
        detail = {"records": sum(counts.values()), "ids": ids}
        audit.record(session, actor, "sync.preview", f"peer:{name}", now=now, detail=detail)
    return Preview(name, identities, counts, listed)
