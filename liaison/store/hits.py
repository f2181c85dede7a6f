"""Hit/no-hit: the copies a caller hit but may not read, the references they hold, access requests.

`hidden_copies` is the one query that reads around the access filter, and it returns only what
a reference may say: that a copy exists and which agency owns it, never its content.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import case, not_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liaison.access.decision import AccessRequestFacts, Action, Kind
from liaison.errors import NotFound
from liaison.model import Handling, Identity, IdentityKind
from liaison.store.access import readable, where
from liaison.store.entities import StoredEntity, entities_by_ids, release_keys, stored_entity
from liaison.store.tables import AccessRequestRow, EntityRow, HitReferenceRow

__all__ = [
    "PENDING",
    "AccessRequest",
    "HiddenCopy",
    "HitReference",
    "add_release_entry",
    "decide_request",
    "get_reference",
    "get_request",
    "handling_of",
    "hidden_copies",
    "list_requests",
    "note_hit",
    "pending_request_for",
    "readable_keys",
    "reapply_grants",
    "save_request",
    "split_copies",
]

PENDING, GRANTED, REFUSED = "pending", "granted", "refused"
# Ids per query of `readable_keys`: well inside SQLite's bound on parameters, and a list
# PostgreSQL still looks up by index.
_IDS_PER_QUERY = 1_000


@dataclass(frozen=True, slots=True)
class HiddenCopy:
    """A copy of an entity the caller may not read: where it is and who owns it."""

    dataset: str
    entity_id: str
    owner_agency: str


@dataclass(frozen=True, slots=True)
class HitReference:
    """A seeker's reference to a hidden record; `new` is true when this hit created it."""

    ref: str
    copy: HiddenCopy
    seeker: str
    seeker_agency: str
    score: float
    hits: int
    new: bool


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """A request to read a hidden record and its outcome."""

    request_id: str
    ref: str
    copy: HiddenCopy
    requester: str
    requester_agency: str
    reason: str
    status: str
    release_entry: str | None
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str

    @property
    def facts(self) -> AccessRequestFacts:
        """What the access decision reads of the request."""
        return AccessRequestFacts(self.copy.owner_agency, self.requester)


def hidden_copies(session: Session, entity_ids: Sequence[str], identity: Identity) -> list[HiddenCopy]:
    """The copies of these entities a member may not read; none for the operator or the public.

    The public is told nothing of hidden records: hit/no-hit is an exchange between members.
    """
    if identity.kind is not IdentityKind.MEMBER or not entity_ids:
        return []
    query = (
        select(EntityRow.dataset, EntityRow.id, EntityRow.owner_agency)
        .where(EntityRow.id.in_(list(dict.fromkeys(entity_ids))), not_(readable(identity)))
        .order_by(EntityRow.id, EntityRow.dataset)
    )
    return [HiddenCopy(*row) for row in session.execute(query)]


def readable_keys(
    session: Session,
    keys: Iterable[tuple[str, str]],
    identity: Identity,
    *,
    agency: str = "",
    handling: str = "",
) -> set[tuple[str, str]]:
    """Which of these (dataset, entity id) copies the caller may read, owned by `agency` and
    handled as `handling` where those are given.

    Only the keys leave the database, never content: a search counts every hit it may show,
    however many, and loads the one page it shows.
    """
    wanted = set(keys)
    ids = sorted({entity_id for _dataset, entity_id in wanted})
    found: set[tuple[str, str]] = set()
    for start in range(0, len(ids), _IDS_PER_QUERY):
        query = select(EntityRow.dataset, EntityRow.id).where(
            EntityRow.id.in_(ids[start : start + _IDS_PER_QUERY]), readable(identity)
        )
        if agency:
            query = query.where(EntityRow.owner_agency == agency)
        if handling:
            query = query.where(EntityRow.handling == handling)
        for dataset, entity_id in session.execute(query):
            if (dataset, entity_id) in wanted:
                found.add((dataset, entity_id))
    return found


def split_copies(
    session: Session, entity_ids: Sequence[str], identity: Identity
) -> tuple[dict[str, list[StoredEntity]], list[HiddenCopy]]:
    """In one query, the copies of these entities the caller may read, and those they may not.

    The hidden ones come back as where and whose only (for a member; none for anyone else):
    their content never leaves this function. Matching asks for both at once, so a match or
    search costs one round trip, not two.
    """
    readable_rows: dict[str, list[StoredEntity]] = {}
    hidden: list[HiddenCopy] = []
    if not entity_ids:
        return readable_rows, hidden
    wanted = EntityRow.id.in_(list(dict.fromkeys(entity_ids)))
    if identity.kind is not IdentityKind.MEMBER:
        for entity_id, copies in entities_by_ids(session, entity_ids, identity).items():
            readable_rows[entity_id] = copies
        return readable_rows, hidden
    is_open = case((readable(identity), True), else_=False).label("is_open")
    query = select(EntityRow, is_open).where(wanted).order_by(EntityRow.id, EntityRow.dataset)
    for row, open_to in session.execute(query):
        if open_to:
            readable_rows.setdefault(row.id, []).append(stored_entity(row))
        else:
            hidden.append(HiddenCopy(row.dataset, row.id, row.owner_agency))
    return readable_rows, hidden


def note_hit(
    session: Session, copy: HiddenCopy, seeker: Identity, via: str, score: float, now: dt.datetime
) -> HitReference:
    """The seeker's reference to this copy, made on the first hit and counted on each later one."""
    if seeker.user is None or seeker.agency is None:
        raise ValueError("only members hold hit references")
    row = _held(session, seeker.user, copy)
    if row is None:
        made = HitReferenceRow(
            ref=secrets.token_hex(8),
            dataset=copy.dataset,
            entity_id=copy.entity_id,
            owner_agency=copy.owner_agency,
            seeker=seeker.user,
            seeker_agency=seeker.agency,
            via=via,
            score=score,
            hits=1,
            created_at=now,
            last_hit_at=now,
        )
        try:
            with session.begin_nested():
                session.add(made)
            return _reference(made, new=True)
        except IntegrityError:
            # The same seeker's concurrent request made it first; count this hit on theirs.
            row = _held(session, seeker.user, copy)
            if row is None:
                raise
    row.hits += 1
    row.score = max(row.score, score)
    row.last_hit_at = now
    session.flush()
    return _reference(row)


def _held(session: Session, seeker: str, copy: HiddenCopy) -> HitReferenceRow | None:
    return session.scalars(
        select(HitReferenceRow)
        .where(
            HitReferenceRow.seeker == seeker,
            HitReferenceRow.dataset == copy.dataset,
            HitReferenceRow.entity_id == copy.entity_id,
        )
        .with_for_update()
    ).one_or_none()


def _reference(row: HitReferenceRow, new: bool = False) -> HitReference:
    copy = HiddenCopy(row.dataset, row.entity_id, row.owner_agency)
    return HitReference(row.ref, copy, row.seeker, row.seeker_agency, row.score, row.hits, new)


def get_reference(session: Session, ref: str) -> HitReference:
    """The reference with this id, or NotFound."""
    row = session.get(HitReferenceRow, ref)
    if row is None:
        raise NotFound(f"no hit reference {ref!r}")
    return _reference(row)


def handling_of(session: Session, copy: HiddenCopy) -> Handling:
    """The copy's handling code, for its owner deciding a grant; NotFound once the copy is gone."""
    handling = session.scalar(
        select(EntityRow.handling).where(EntityRow.dataset == copy.dataset, EntityRow.id == copy.entity_id)
    )
    if handling is None:
        raise NotFound(f"record {copy.entity_id!r} is no longer in dataset {copy.dataset!r}")
    return Handling(handling)


def _request(row: AccessRequestRow) -> AccessRequest:
    return AccessRequest(
        row.id,
        row.ref,
        HiddenCopy(row.dataset, row.entity_id, row.owner_agency),
        row.requester,
        row.requester_agency,
        row.reason,
        row.status,
        row.release_entry,
        row.created_at,
        row.decided_by,
        row.decided_at,
        row.note,
    )


def pending_request_for(session: Session, ref: str) -> AccessRequest | None:
    """The reference's request still awaiting a decision, if any."""
    row = session.scalars(
        select(AccessRequestRow).where(AccessRequestRow.ref == ref, AccessRequestRow.status == PENDING)
    ).first()
    return None if row is None else _request(row)


def save_request(session: Session, reference: HitReference, reason: str, now: dt.datetime) -> AccessRequest:
    """A new pending request from the reference's seeker."""
    row = AccessRequestRow(
        id=secrets.token_hex(8),
        ref=reference.ref,
        dataset=reference.copy.dataset,
        entity_id=reference.copy.entity_id,
        owner_agency=reference.copy.owner_agency,
        requester=reference.seeker,
        requester_agency=reference.seeker_agency,
        reason=reason,
        status=PENDING,
        release_entry=None,
        created_at=now,
        decided_by=None,
        decided_at=None,
        note="",
    )
    session.add(row)
    session.flush()
    return _request(row)


def get_request(session: Session, request_id: str, *, lock: bool = False) -> AccessRequest:
    """The request with this id, or NotFound; `lock` holds its row until the transaction ends."""
    query = select(AccessRequestRow).where(AccessRequestRow.id == request_id)
    row = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if row is None:
        raise NotFound(f"no access request {request_id!r}")
    return _request(row)


def list_requests(session: Session, identity: Identity, status: str | None = None) -> list[AccessRequest]:
    """Requests the caller made or that ask the caller's agency; every request for the operator."""
    readable = where(identity, Action.READ, Kind.ACCESS_REQUEST)
    query = (
        select(AccessRequestRow).where(readable).order_by(AccessRequestRow.created_at, AccessRequestRow.id)
    )
    if status is not None:
        query = query.where(AccessRequestRow.status == status)
    return [_request(row) for row in session.scalars(query)]


def decide_request(
    session: Session, request_id: str, status: str, entry: str | None, by: str, note: str, now: dt.datetime
) -> AccessRequest:
    """Record a grant (with the releasability entry it adds) or a refusal."""
    row = session.get(AccessRequestRow, request_id)
    if row is None:
        raise NotFound(f"no access request {request_id!r}")
    row.status, row.release_entry, row.decided_by, row.decided_at, row.note = status, entry, by, now, note
    session.flush()
    return _request(row)


def add_release_entry(session: Session, copy: HiddenCopy, entry: str) -> None:
    """Extend one copy's releasability by an entry, keeping its `release_keys` in step."""
    row = session.get(EntityRow, (copy.dataset, copy.entity_id))
    if row is None:
        raise NotFound(f"record {copy.entity_id!r} is no longer in dataset {copy.dataset!r}")
    if entry not in row.releasability:
        entries = [*row.releasability, entry]
        session.execute(
            update(EntityRow)
            .where(EntityRow.dataset == copy.dataset, EntityRow.id == copy.entity_id)
            .values(releasability=entries, release_keys=release_keys(entries))
        )


def reapply_grants(session: Session, dataset: str) -> int:
    """Add every granted entry back to the dataset's records after an import replaced their envelopes."""
    granted = session.execute(
        select(
            AccessRequestRow.dataset,
            AccessRequestRow.entity_id,
            AccessRequestRow.owner_agency,
            AccessRequestRow.release_entry,
        ).where(AccessRequestRow.dataset == dataset, AccessRequestRow.status == GRANTED)
    ).all()
    count = 0
    for dataset_name, entity_id, owner, entry in granted:
        if entry is None or session.get(EntityRow, (dataset_name, entity_id)) is None:
            continue
        add_release_entry(session, HiddenCopy(dataset_name, entity_id, owner), entry)
        count += 1
    return count
