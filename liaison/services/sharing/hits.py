"""Hit/no-hit, as in Prüm: a member who hits a record they may not read learns only that it exists.

The seeker gets a reference (an opaque id, the owner agency, the score) and never the record's
content; the owner agency is alerted at once, in the same transaction. With the reference the
seeker may request access; the owner grants, which extends the record's releasability to the
requester, or refuses. Every step is audited, and each party is alerted of the other's move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind, OwnedFacts, grant_entry, may, rule
from liaison.errors import BadInput, Conflict, Forbidden, NotFound
from liaison.model import Identity, IdentityKind
from liaison.services.accounts import audit
from liaison.store import alerts as alert_store
from liaison.store import hits as hit_store
from liaison.store.hits import AccessRequest, HiddenCopy

__all__ = ["Reference", "decide", "list_requests", "note_hits", "request_access", "request_view"]

MAX_REASON = 2_000
# Who may answer a request on their agency's behalf: not auditors, who only read the trail,
# and not first responders, who act on what they are given rather than release intelligence.


@dataclass(frozen=True, slots=True)
class Reference:
    """What a seeker may know of a hidden hit: the reference to quote, the owner agency, the score."""

    ref: str
    owner_agency: str
    score: float

    def to_dict(self) -> dict[str, object]:
        """The reference as the API and CLI show it, with how to ask for the record."""
        return {
            "reference": self.ref,
            "owner_agency": self.owner_agency,
            "score": round(self.score, 4),
            "request_access": f"/api/v1/access-requests (reference {self.ref})",
        }


def note_hits(
    session: Session,
    identity: Identity,
    hits: Iterable[tuple[str, float]],
    via: str,
    now: dt.datetime,
    datasets: frozenset[str] | None = None,
    copies: Sequence[HiddenCopy] | None = None,
) -> list[Reference]:
    """References for the hidden copies (in `datasets`, if given) among these (entity id, score)
    hits, best score first. `copies`, when the caller already has them from `split_copies`,
    spares the query for them.

    The owner of each copy is alerted the first time this seeker hits it. Nothing is returned
    to the operator (who reads everything) or the public (who is told nothing).
    """
    if identity.kind is not IdentityKind.MEMBER:
        return []
    best: dict[str, float] = {}
    for entity_id, score in hits:
        best[entity_id] = max(score, best.get(entity_id, score))
    references = []
    if copies is None:
        copies = hit_store.hidden_copies(session, list(best), identity)
    for copy in copies:
        if copy.entity_id not in best or (datasets is not None and copy.dataset not in datasets):
            continue
        score = best[copy.entity_id]
        noted = hit_store.note_hit(session, copy, identity, via, score, now)
        if noted.new:
            alert_store.add_alert(
                session,
                agency=copy.owner_agency,
                kind="hit",
                subject=f"{copy.dataset}/{copy.entity_id}",
                detail={
                    "seeker": identity.user,
                    "seeker_agency": identity.agency,
                    "via": via,
                    "score": score,
                },
                now=now,
            )
        references.append(Reference(noted.ref, copy.owner_agency, score))
    references.sort(key=lambda reference: (-reference.score, reference.ref))
    return references


def request_access(
    engine: Engine, identity: Identity, ref: str, reason: str, now: dt.datetime
) -> AccessRequest:
    """Ask the owner agency for the record behind one of the caller's references."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise BadInput(f"field 'reason': say why you need the record, in 1 to {MAX_REASON} characters")
    with Session(engine) as session, session.begin():
        reference = _own_reference(session, identity, ref)
        if hit_store.pending_request_for(session, ref) is not None:
            raise Conflict(f"reference {ref!r} already has a request awaiting the owner's decision")
        request = hit_store.save_request(session, reference, reason, now)
        alert_store.add_alert(
            session,
            agency=reference.copy.owner_agency,
            kind="access.request",
            subject=f"{reference.copy.dataset}/{reference.copy.entity_id}",
            detail={
                "request": request.request_id,
                "requester": identity.user,
                "agency": identity.agency,
                "reason": reason,
            },
            now=now,
        )
        audit.record(
            session,
            identity,
            "access.request",
            f"reference:{ref}",
            now=now,
            purpose=reason,
            detail={"request": request.request_id, "owner_agency": reference.copy.owner_agency},
        )
        return request


def _own_reference(session: Session, identity: Identity, ref: str) -> hit_store.HitReference:
    # Another member's reference is reported as absent: references are not to be traded.
    try:
        reference = hit_store.get_reference(session, ref)
    except NotFound:
        reference = None
    if reference is None or not may(identity, Action.READ, OwnedFacts(Kind.HIT_REFERENCE, reference.seeker)):
        raise NotFound(f"no hit reference {ref!r} of yours")
    return reference


def list_requests(engine: Engine, identity: Identity, status: str | None = None) -> list[AccessRequest]:
    """Requests the caller made, and those addressed to the caller's agency."""
    if not rule(identity, Action.READ, Kind.ACCESS_REQUEST):
        raise Forbidden("sign in to see access requests")
    if status is not None and status not in (hit_store.PENDING, hit_store.GRANTED, hit_store.REFUSED):
        raise BadInput(f"field 'status': {status!r}; use pending, granted or refused")
    with Session(engine) as session:
        return hit_store.list_requests(session, identity, status)


def decide(
    engine: Engine, identity: Identity, request_id: str, *, grant: bool, note: str, now: dt.datetime
) -> AccessRequest:
    """Grant or refuse a pending request: the owner agency's analysts, officers, coordinators,
    reviewers and admins may, and the operator. A grant adds the requester to the record's
    releasability (their agency; themselves by name for RED) and is audited with it.
    """
    if len(note) > MAX_REASON:
        raise BadInput(f"field 'note': at most {MAX_REASON} characters")
    with Session(engine) as session, session.begin():
        request = hit_store.get_request(session, request_id, lock=True)
        _require_owner(identity, request)
        if request.status != hit_store.PENDING:
            raise Conflict(f"access request {request_id!r} was already {request.status}")
        entry = None
        if grant:
            handling = hit_store.handling_of(session, request.copy)
            entry = grant_entry(handling, request.requester, request.requester_agency)
            hit_store.add_release_entry(session, request.copy, entry)
        status = hit_store.GRANTED if grant else hit_store.REFUSED
        decided = hit_store.decide_request(session, request_id, status, entry, identity.actor, note, now)
        alert_store.add_alert(
            session,
            user=request.requester,
            kind=f"access.{status}",
            subject=f"reference:{request.ref}",
            detail={
                "request": request_id,
                "owner_agency": request.copy.owner_agency,
                "note": note,
                **({"entity_id": request.copy.entity_id} if grant else {}),
            },
            now=now,
        )
        action = "access.grant" if grant else "access.refuse"
        audit.record(
            session,
            identity,
            action,
            f"{request.copy.dataset}/{request.copy.entity_id}",
            now=now,
            purpose=note,
            detail={"request": request_id, "requester": request.requester, "release_entry": entry},
        )
        return decided


def _require_owner(identity: Identity, request: AccessRequest) -> None:
    facts = request.facts
    if not may(identity, Action.READ, facts):  # not the owner's, nor the caller's: as absent
        raise NotFound(f"no access request {request.request_id!r} addressed to your agency")
    decision = may(identity, Action.DECIDE, facts)
    if not decision:
        raise Forbidden(decision.reason)


def request_view(request: AccessRequest, identity: Identity) -> dict[str, object]:
    """A request as its reader may see it: the record is named to its owner (and the operator)
    only; the requester knows it by reference until a grant opens it.
    """
    owner = bool(may(identity, Action.TRACE, request.facts))
    granted = request.status == hit_store.GRANTED
    return {
        "request": request.request_id,
        "reference": request.ref,
        "requester": request.requester,
        "requester_agency": request.requester_agency,
        "owner_agency": request.copy.owner_agency,
        "dataset": request.copy.dataset if owner or granted else None,
        "entity_id": request.copy.entity_id if owner or granted else None,
        "reason": request.reason,
        "status": request.status,
        "release_entry": request.release_entry,
        "created_at": request.created_at.isoformat(),
        "decided_by": request.decided_by,
        "decided_at": request.decided_at.isoformat() if request.decided_at else None,
        "note": request.note,
    }
