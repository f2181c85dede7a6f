"""Peers: the nodes this node is peered with, and the agencies each hosts.

A peer's agencies are registered here as agencies whose `node` is the peer's name, so that
releasability entries and sharing groups can name them as they name the agencies hosted here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, false, func, or_, select, tuple_
from sqlalchemy.orm import Session

from liaison.errors import NotFound
from liaison.model import Agency, AgencyKind, Identity
from liaison.model.node import NodeDescriptor
from liaison.store.access import readable
from liaison.store.entities import StoredEntity, stored_entity
from liaison.store.tables import (
    AgencyRow,
    DatasetRow,
    EntityRow,
    GroupMemberRow,
    ImportRow,
    PeerNonceRow,
    PeerRow,
)

__all__ = [
    "Peer",
    "agencies_hosted_by",
    "copies_from",
    "copy_state",
    "copy_states",
    "get_peer",
    "hosts_of",
    "is_peer",
    "list_peers",
    "note_nonce",
    "note_sync",
    "peer_with_key",
    "releasable_counts",
    "releasable_ids",
    "releasable_page",
    "remove_peer",
    "save_peer",
]


@dataclass(frozen=True, slots=True)
class Peer:
    """A peer as this node accepted it, and who accepted it when."""

    descriptor: NodeDescriptor
    added_at: dt.datetime
    added_by: str
    synced_at: dt.datetime | None = None
    received: int = 0
    withdrawn: int = 0
    error: str | None = None


def hosts_of(session: Session, codes: Iterable[str]) -> dict[str, str | None]:
    """For each of these codes registered here, the node hosting it (None: this one)."""
    query = select(AgencyRow.code, AgencyRow.node).where(AgencyRow.code.in_(list(codes)))
    return {code: node for code, node in session.execute(query)}


def save_peer(session: Session, descriptor: NodeDescriptor, now: dt.datetime, by: str) -> None:
    """Insert or update a peer and register the agencies it hosts; those it no longer lists go."""
    session.merge(
        PeerRow(
            name=descriptor.name,
            url=descriptor.url,
            public_key=descriptor.public_key,
            added_at=now,
            added_by=by,
        )
    )
    listed = {agency.code for agency in descriptor.agencies}
    _drop_agencies(
        session,
        select(AgencyRow.code).where(AgencyRow.node == descriptor.name, AgencyRow.code.not_in(listed)),
    )
    for agency in descriptor.agencies:
        session.merge(
            AgencyRow(
                code=agency.code,
                name=agency.name,
                country=agency.country,
                kind=agency.kind.value,
                node=descriptor.name,
            )
        )
    session.flush()


def _drop_agencies(session: Session, codes: Select[str]) -> None:
    # Their datasets go with them (the caller has deleted the copies in them).
    datasets = select(DatasetRow.name).where(DatasetRow.owner_agency.in_(codes))
    session.execute(delete(ImportRow).where(ImportRow.dataset.in_(datasets)))
    session.execute(delete(DatasetRow).where(DatasetRow.owner_agency.in_(codes)))
    session.execute(delete(GroupMemberRow).where(GroupMemberRow.agency.in_(codes)))
    session.execute(delete(AgencyRow).where(AgencyRow.code.in_(codes)))


def agencies_hosted_by(session: Session, node: str | None) -> tuple[Agency, ...]:
    """The agencies the peer `node` hosts, by code; with None, those this node hosts."""
    hosted = AgencyRow.node.is_(None) if node is None else AgencyRow.node == node
    rows = session.scalars(select(AgencyRow).where(hosted).order_by(AgencyRow.code))
    return tuple(Agency(row.code, row.name, row.country, AgencyKind(row.kind)) for row in rows)


def _peer(session: Session, row: PeerRow) -> Peer:
    hosted = agencies_hosted_by(session, row.name)
    descriptor = NodeDescriptor(row.name, row.url, row.public_key, hosted)
    return Peer(descriptor, row.added_at, row.added_by, row.synced_at, row.received, row.withdrawn, row.error)


def get_peer(session: Session, name: str) -> Peer:
    """The peer of this name, or NotFound naming it."""
    row = session.get(PeerRow, name)
    if row is None:
        raise NotFound(f"no peer {name!r}: `liaison peer list` shows this node's peers")
    return _peer(session, row)


def peer_with_key(session: Session, public_key: str) -> str | None:
    """The name of the peer holding this public key, if one does."""
    return session.scalar(select(PeerRow.name).where(PeerRow.public_key == public_key))


def is_peer(session: Session, name: str) -> bool:
    """Whether a peer of this name is known."""
    return session.get(PeerRow, name) is not None


def list_peers(session: Session) -> list[Peer]:
    """Every peer, by name."""
    return [_peer(session, row) for row in session.scalars(select(PeerRow).order_by(PeerRow.name))]


def remove_peer(session: Session, name: str) -> None:
    """Forget a peer, the agencies it hosts (their group memberships too) and their datasets,
    once the caller has deleted the copies in them."""
    get_peer(session, name)
    theirs = select(AgencyRow.code).where(AgencyRow.node == name)
    datasets = select(DatasetRow.name).where(DatasetRow.owner_agency.in_(theirs))
    session.execute(delete(ImportRow).where(ImportRow.dataset.in_(datasets)))
    session.execute(delete(DatasetRow).where(DatasetRow.owner_agency.in_(theirs)))
    _drop_agencies(session, theirs)
    session.execute(delete(PeerRow).where(PeerRow.name == name))


def _releasable(receivers: Iterable[Identity]) -> ColumnElement[bool]:
    # A record goes to a peer when any agency it hosts may read it (none hosted, nothing goes),
    # and only from this node: a copy held from another peer is that peer's to share.
    here = select(AgencyRow.code).where(AgencyRow.node.is_(None))
    return and_(
        EntityRow.owner_agency.in_(here), or_(false(), *(readable(receiver) for receiver in receivers))
    )


def releasable_page(
    session: Session, receivers: Iterable[Identity], after: tuple[str, str], limit: int
) -> list[tuple[StoredEntity, str]]:
    """The next `limit` records one of `receivers` may read, after (dataset, id) in that order,
    each with its dataset's title."""
    query = (
        select(EntityRow, DatasetRow.title)
        .join(DatasetRow, DatasetRow.name == EntityRow.dataset)
        .where(_releasable(receivers), tuple_(EntityRow.dataset, EntityRow.id) > tuple_(*after))
        .order_by(EntityRow.dataset, EntityRow.id)
        .limit(limit)
    )
    return [(stored_entity(row), title) for row, title in session.execute(query)]


def copies_from(session: Session, node: str, agencies: Iterable[str] | None = None) -> set[tuple[str, str]]:
    """The (dataset, id) of every record held here that the agencies `node` hosts own: its copies
    (of those of `agencies` alone, when given)."""
    theirs = select(AgencyRow.code).where(AgencyRow.node == node)
    if agencies is not None:
        theirs = theirs.where(AgencyRow.code.in_(list(agencies)))
    query = select(EntityRow.dataset, EntityRow.id).where(EntityRow.owner_agency.in_(theirs))
    return {(dataset, entity_id) for dataset, entity_id in session.execute(query)}


def copy_states(session: Session, node: str) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Each copy held from `node`, by (dataset, id): its schema, properties and envelope as
    `copy_state` writes them, so that a pull rewrites only what changed."""
    theirs = select(AgencyRow.code).where(AgencyRow.node == node)
    query = select(
        EntityRow.dataset,
        EntityRow.id,
        EntityRow.schema,
        EntityRow.properties,
        EntityRow.handling,
        EntityRow.releasability,
        EntityRow.purpose,
        EntityRow.retention_review,
    ).where(EntityRow.owner_agency.in_(theirs))
    return {(row[0], row[1]): copy_state(*row[2:]) for row in session.execute(query)}


def copy_state(
    schema: str,
    properties: dict[str, list[str]],
    handling: str,
    releasability: Iterable[str],
    purpose: str,
    review: dt.date,
) -> tuple[Any, ...]:
    """What a copy's state is compared by: values in order, releasability as a set."""
    values = tuple(sorted((name, tuple(sorted(found))) for name, found in properties.items()))
    return (schema, values, handling, frozenset(releasability), purpose, review)


def note_nonce(session: Session, peer: str, nonce: str, now: dt.datetime, keep: dt.timedelta) -> bool:
    """Remember a request's nonce; False when the peer sent it before (a replay). Forgets those
    older than `keep`, whose requests are refused for their time anyway."""
    session.execute(delete(PeerNonceRow).where(PeerNonceRow.seen_at < now - keep))
    if session.get(PeerNonceRow, (peer, nonce)) is not None:
        return False
    session.add(PeerNonceRow(peer=peer, nonce=nonce, seen_at=now))
    session.flush()
    return True


def note_sync(
    session: Session, name: str, now: dt.datetime, received: int, withdrawn: int, error: str | None
) -> None:
    """Record the outcome of a pull from a peer."""
    row = session.get(PeerRow, name)
    if row is not None:
        row.synced_at, row.received, row.withdrawn, row.error = now, received, withdrawn, error


def releasable_counts(session: Session, receivers: Iterable[Identity]) -> dict[tuple[str, str], int]:
    """How many records each (dataset, handling) holds that one of `receivers` may read."""
    query = (
        select(EntityRow.dataset, EntityRow.handling, func.count())
        .where(_releasable(receivers))
        .group_by(EntityRow.dataset, EntityRow.handling)
    )
    return {(dataset, handling): count for dataset, handling, count in session.execute(query)}


def releasable_ids(session: Session, receivers: Iterable[Identity], limit: int) -> list[tuple[str, str]]:
    """The (dataset, entity id) of the records one of `receivers` may read, in order, at most `limit`."""
    query = (
        select(EntityRow.dataset, EntityRow.id)
        .where(_releasable(receivers))
        .order_by(EntityRow.dataset, EntityRow.id)
        .limit(limit)
    )
    return [(dataset, entity_id) for dataset, entity_id in session.execute(query)]
