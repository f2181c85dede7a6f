"""Passenger-manifest screening: every traveller on a flight against every list the agency may use.

A manifest (CSV or PAXLST) is read whole first; passengers whose entry cannot be read are
reported beside the others, which are still screened. Each passenger is clear, a possible match
(with scores and explanations, or hit/no-hit references to records the agency may not read) or
a document hit; every hit goes to the agency's border officers' queue. The manifest, its
results and referrals, and an operation's counts (when one is running) are saved in one
transaction, so a failure saves nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.decision import Action, Kind, rule
from liaison.errors import Conflict, NotFound
from liaison.model import Identity
from liaison.model.manifest import Manifest, Passenger
from liaison.model.operation import OperationStatus
from liaison.services.accounts import audit
from liaison.services.operations import operations
from liaison.services.screening.matching_service import MatchingService, Scope
from liaison.services.screening.subject_screening import (
    DOCUMENT_HIT,
    POSSIBLE_MATCH,
    Outcome,
    Subject,
    member_agency,
    score_subjects,
    settle_subjects,
)
from liaison.store import alerts as alert_store
from liaison.store import border as border_store
from liaison.store import operations as operation_store
from liaison.store.border import StoredManifest, StoredPassenger
from liaison.store.operations import Operation

__all__ = ["Screened", "get", "list_manifests", "screen", "subject_of"]

MAX_LISTED = 200


@dataclass(frozen=True, slots=True)
class Screened:
    """A screened manifest: where it is kept, the operation it counted for, and each passenger's outcome."""

    manifest: StoredManifest
    outcomes: tuple[tuple[Passenger, Outcome], ...]
    operation: Operation | None
    referrals: int


def subject_of(passenger: Passenger) -> Subject:
    """A passenger as a Person query: names, birth date, nationality, gender and document numbers."""
    properties: dict[str, list[str]] = {"name": [passenger.name]}
    for prop, value in (
        ("firstName", passenger.given_names),
        ("lastName", passenger.surname),
        ("birthDate", passenger.birth_date),
        ("nationality", passenger.nationality),
        ("gender", passenger.gender),
    ):
        if value:
            properties[prop] = [value]
    for document in passenger.documents:
        prop = "passportNumber" if document.kind == "passport" else "idNumber"
        properties.setdefault(prop, []).append(document.number)
    documents = tuple(
        (document.country, document.number) for document in passenger.documents if document.country
    )
    return Subject(str(passenger.position), "Person", properties, documents)


def _notes(passenger: Passenger, today: dt.date) -> tuple[str, ...]:
    return tuple(
        f"document {document.number} expired on {document.expiry}"
        for document in passenger.documents
        if document.expiry is not None and document.expiry < today
    )


def _running_operation(
    session: Session, identity: Identity, manifest: Manifest, today: dt.date
) -> Operation | None:
    """The running operation this flight belongs to: one of the agency's whose checkpoint is the
    flight's airport or monitors its flight number; else the agency's only running operation.
    """
    running = [
        found
        for found in operation_store.list_operations(session, identity)
        if found.takes_part(identity.agency) and operations.status(found, today) is OperationStatus.ACTIVE
    ]
    flight = manifest.flight
    for found in running:
        for checkpoint in found.plan.checkpoints:
            if checkpoint.code in (flight.departure, flight.arrival) or flight.number in checkpoint.monitored:
                return found
    return running[0] if len(running) == 1 else None


def _counted_in(
    operation: Operation, manifest: Manifest, agency_country: str, today: dt.date
) -> tuple[str, str | None, dt.date] | None:
    """Where and when the manifest's counts go in the operation: its checkpoint's country, or the
    agency's; the flight's day, or today. None when neither lies within the operation.
    """
    flight = manifest.flight
    checkpoint = next(
        (
            point
            for point in operation.plan.checkpoints
            if point.code in (flight.departure, flight.arrival) or flight.number in point.monitored
        ),
        None,
    )
    country = checkpoint.country if checkpoint else agency_country
    day = flight.departs_at.date() if flight.departs_at else today
    if country not in operation.plan.countries or not operation.plan.starts <= day <= operation.plan.ends:
        return None
    return country, checkpoint.code if checkpoint else None, day


def screen(
    engine: Engine,
    matching: MatchingService,
    identity: Identity,
    manifest: Manifest,
    *,
    threshold: float,
    purpose: str,
    now: dt.datetime,
    operation: str | None = None,
) -> Screened:
    """Screen a manifest's passengers, refer its hits, and save it all in one transaction."""
    agency = member_agency(identity)
    today = now.date()
    with Session(engine) as session:
        chosen = (
            operations.find(session, identity, operation)
            if operation
            else _running_operation(session, identity, manifest, today)
        )
        agency_country = store.get_agency(session, agency).country.lower()
    if chosen is not None and chosen.closed_at is not None:
        raise Conflict(f"operation {chosen.plan.name!r} is closed; screen the manifest without it")
    scope = (
        Scope(include=chosen.plan.watchlists) if chosen is not None and chosen.plan.watchlists else Scope()
    )
    subjects = [subject_of(passenger) for passenger in manifest.passengers]
    # Scored before the transaction, which holds the store's write lock on SQLite; settled in
    # it, so that the owners' alerts and the audit of the match stand or fall with the manifest.
    scoring = score_subjects(matching, identity, subjects, scope=scope, threshold=threshold, purpose=purpose)
    with Session(engine) as session, session.begin():
        outcomes = settle_subjects(
            session, identity, subjects, scoring, threshold=threshold, purpose=purpose, now=now
        )
        return _saved(session, identity, manifest, chosen, agency, agency_country, outcomes, purpose, now)


def _saved(
    session: Session,
    identity: Identity,
    manifest: Manifest,
    chosen: Operation | None,
    agency: str,
    agency_country: str,
    outcomes: Sequence[Outcome],
    purpose: str,
    now: dt.datetime,
) -> Screened:
    """The manifest saved with its results, referrals, alert and counts, in the caller's transaction."""
    today = now.date()
    paired = tuple(
        (passenger, replace(outcome, notes=outcome.notes + _notes(passenger, today)))
        for passenger, outcome in zip(manifest.passengers, outcomes, strict=True)
    )
    counts = {
        "passengers": len(manifest.passengers),
        "errors": len(manifest.errors),
        "clear": sum(1 for _passenger, outcome in paired if not outcome.raised),
        POSSIBLE_MATCH: sum(1 for _passenger, outcome in paired if outcome.status == POSSIBLE_MATCH),
        DOCUMENT_HIT: sum(1 for _passenger, outcome in paired if outcome.status == DOCUMENT_HIT),
    }
    errors = [
        {"position": error.position, "where": error.where, "problem": error.problem}
        for error in manifest.errors
    ]
    stored = StoredManifest(
        border_store.new_manifest_id(),
        agency,
        identity.actor,
        chosen.operation_id if chosen else None,
        manifest.format,
        manifest.source,
        manifest.flight.number,
        manifest.flight.departure,
        manifest.flight.arrival,
        manifest.flight.departs_at,
        counts,
        errors,
        now,
    )
    border_store.add_manifest(
        session,
        stored,
        [
            StoredPassenger(
                passenger.position,
                passenger.name,
                outcome.query(),
                outcome.subject_key,
                outcome.status,
                outcome.shown(),
            )
            for passenger, outcome in paired
        ],
    )
    referrals = 0
    for passenger, outcome in paired:
        if outcome.raised:
            border_store.add_referral(
                session,
                agency=agency,
                manifest=stored.manifest_id,
                position=passenger.position,
                reason=outcome.status,
                subject=outcome.query(),
                subject_key=outcome.subject_key,
                hits=outcome.referred(),
                now=now,
            )
            referrals += 1
    if referrals:
        alert_store.add_alert(
            session,
            agency=agency,
            kind="referral",
            subject=f"manifest:{stored.manifest_id}",
            detail={"flight": stored.flight, "referrals": referrals, "by": identity.actor},
            now=now,
        )
    if chosen is not None:
        _count(session, identity, chosen, manifest, agency_country, paired, stored, now)
    audit.record(
        session,
        identity,
        "manifest.screen",
        f"manifest:{stored.manifest_id}",
        now=now,
        purpose=purpose,
        detail={**counts, "flight": stored.flight, "operation": stored.operation, "referrals": referrals},
    )
    return Screened(stored, paired, chosen, referrals)


def _count(
    session: Session,
    identity: Identity,
    operation: Operation,
    manifest: Manifest,
    agency_country: str,
    paired: Sequence[tuple[Passenger, Outcome]],
    stored: StoredManifest,
    now: dt.datetime,
) -> None:
    """File the manifest's persons screened, database checks and hits as the operation's results."""
    where = _counted_in(operation, manifest, agency_country, now.date())
    if where is None:
        return
    country, checkpoint, day = where
    lists = len(operation.plan.watchlists) or len(store.list_datasets(session, identity))
    raised = [outcome for _passenger, outcome in paired if outcome.raised]
    listings = [hit["listing"] for outcome in raised for hit in outcome.hits if not hit["cleared"]]
    source = f"manifest:{stored.manifest_id}"
    for kind, count, entities in (
        ("person_screened", len(paired), ()),
        # One check per list and passenger, and one of the document register per document.
        (
            "database_check",
            len(paired) * lists + sum(len(outcome.subject.documents) for _p, outcome in paired),
            (),
        ),
        ("hit", len(raised), tuple(dict.fromkeys(listings))[:500]),
    ):
        if count:
            operations.file_in(
                session,
                identity,
                operation,
                kind=kind,
                count=count,
                country=country,
                day=day,
                checkpoint=checkpoint,
                entities=entities,
                note=f"flight {stored.flight}",
                source=source,
                now=now,
            )


def list_manifests(engine: Engine, identity: Identity) -> list[StoredManifest]:
    """The caller's agency's screened manifests, latest first."""
    if not rule(identity, Action.READ, Kind.MANIFEST):
        raise NotFound("no manifests")
    with Session(engine) as session:
        return border_store.list_manifests(session, identity, MAX_LISTED)


def get(
    engine: Engine, identity: Identity, manifest_id: str, now: dt.datetime
) -> tuple[StoredManifest, list[StoredPassenger]]:
    """A screened manifest of the caller's agency with its passengers; audited as a read."""
    with Session(engine) as session, session.begin():
        found = border_store.get_manifest(session, manifest_id, identity)
        if found is None:
            raise NotFound(f"no manifest {manifest_id[:80]!r} of your agency")
        audit.record(session, identity, "manifest.read", f"manifest:{manifest_id}", now=now)
        return found, border_store.passengers_of(session, manifest_id)
