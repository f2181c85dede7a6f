"""Border screening's own records: screened manifests and passengers, the register of lost and
stolen travel documents, and the referral queue of each agency's border officers.

Manifests, passengers and referrals belong to the agency that screened them and are read by
it alone (and the operator). The document register answers every member hit/no-hit: a number
and issuing country either match a report or not; who reported it and why is shown with it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind
from liaison.model import Identity
from liaison.store.access import where
from liaison.store.tables import DocumentReportRow, ManifestRow, PassengerRow, ReferralRow

__all__ = [
    "OPEN",
    "SETTLED",
    "DocumentReport",
    "StoredManifest",
    "StoredPassenger",
    "StoredReferral",
    "add_manifest",
    "add_referral",
    "get_manifest",
    "get_referral",
    "list_manifests",
    "list_referrals",
    "matching_reports",
    "passengers_of",
    "report_document",
    "settle_referral",
]

OPEN, SETTLED = "open", "settled"
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class DocumentReport:
    """A travel document reported lost, stolen or revoked."""

    country: str
    number: str
    kind: str
    status: str
    agency: str
    reported_by: str
    reported_at: dt.datetime
    note: str


@dataclass(frozen=True, slots=True)
class StoredPassenger:
    """A passenger as screened: the query sent, the outcome and the hits as the agency saw them."""

    position: int
    name: str
    subject: dict[str, Any]
    subject_key: str
    status: str
    hits: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class StoredManifest:
    """A screened manifest: the flight, who screened it, for which operation, and its counts."""

    manifest_id: str
    agency: str
    submitted_by: str
    operation: str | None
    format: str
    source: str
    flight: str
    departure: str
    arrival: str
    departs_at: dt.datetime | None
    counts: dict[str, int]
    errors: list[dict[str, Any]]
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class StoredReferral:
    """A hit referred to an agency's border officers, open until a decision settles it."""

    referral_id: int
    agency: str
    manifest: str | None
    position: int | None
    reason: str
    subject: dict[str, Any]
    subject_key: str
    hits: list[dict[str, Any]]
    status: str
    created_at: dt.datetime
    settled_at: dt.datetime | None


def report_document(session: Session, report: DocumentReport) -> DocumentReport | None:
    """Add a report to the register; the report already there is returned instead if the number
    and country were reported before, so a document is reported once.
    """
    found = session.scalars(
        select(DocumentReportRow).where(
            DocumentReportRow.country == report.country, DocumentReportRow.number == report.number
        )
    ).one_or_none()
    if found is not None:
        return _report(found)
    session.add(
        DocumentReportRow(
            country=report.country,
            number=report.number,
            kind=report.kind,
            status=report.status,
            agency=report.agency,
            reported_by=report.reported_by,
            reported_at=report.reported_at,
            note=report.note,
        )
    )
    session.flush()
    return None


def _report(row: DocumentReportRow) -> DocumentReport:
    return DocumentReport(
        row.country, row.number, row.kind, row.status, row.agency, row.reported_by, row.reported_at, row.note
    )


def matching_reports(
    session: Session, documents: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], DocumentReport]:
    """The reports matching these (country, number) pairs, looked up in chunks of one query each."""
    wanted = sorted(set(documents))
    found: dict[tuple[str, str], DocumentReport] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        query = select(DocumentReportRow).where(
            tuple_(DocumentReportRow.country, DocumentReportRow.number).in_(chunk)
        )
        for row in session.scalars(query):
            found[(row.country, row.number)] = _report(row)
    return found


def list_reports(session: Session, agency: str | None, limit: int) -> list[DocumentReport]:
    """The latest reports, of one agency or of all."""
    query = select(DocumentReportRow).order_by(DocumentReportRow.id.desc()).limit(limit)
    if agency is not None:
        query = query.where(DocumentReportRow.agency == agency)
    return [_report(row) for row in session.scalars(query)]


def add_manifest(
    session: Session,
    manifest: StoredManifest,
    passengers: Sequence[StoredPassenger],
) -> None:
    """Store a screened manifest with its passengers, in the caller's transaction."""
    session.add(
        ManifestRow(
            id=manifest.manifest_id,
            agency=manifest.agency,
            submitted_by=manifest.submitted_by,
            operation=manifest.operation,
            format=manifest.format,
            source=manifest.source[:200],
            flight=manifest.flight,
            departure=manifest.departure,
            arrival=manifest.arrival,
            departs_at=manifest.departs_at,
            counts=manifest.counts,
            errors=manifest.errors,
            created_at=manifest.created_at,
        )
    )
    session.flush()
    if not passengers:
        return
    # One executemany, not an ORM object per passenger: a flight is hundreds of rows.
    session.execute(
        insert(PassengerRow),
        [
            {
                "manifest": manifest.manifest_id,
                "position": passenger.position,
                "name": passenger.name[:300],
                "subject": passenger.subject,
                "subject_key": passenger.subject_key,
                "status": passenger.status,
                "hits": passenger.hits,
            }
            for passenger in passengers
        ],
    )


def new_manifest_id() -> str:
    """A fresh manifest id."""
    return f"mf_{secrets.token_hex(8)}"


def _manifest(row: ManifestRow) -> StoredManifest:
    return StoredManifest(
        row.id,
        row.agency,
        row.submitted_by,
        row.operation,
        row.format,
        row.source,
        row.flight,
        row.departure,
        row.arrival,
        row.departs_at,
        dict(row.counts),
        list(row.errors),
        row.created_at,
    )


def get_manifest(session: Session, manifest_id: str, identity: Identity) -> StoredManifest | None:
    """The manifest if it is the caller's agency's."""
    query = select(ManifestRow).where(
        ManifestRow.id == manifest_id, where(identity, Action.READ, Kind.MANIFEST)
    )
    row = session.scalars(query).one_or_none()
    return None if row is None else _manifest(row)


def list_manifests(session: Session, identity: Identity, limit: int) -> list[StoredManifest]:
    """The caller's agency's manifests, latest first."""
    query = (
        select(ManifestRow)
        .where(where(identity, Action.READ, Kind.MANIFEST))
        .order_by(ManifestRow.created_at.desc(), ManifestRow.id)
        .limit(limit)
    )
    return [_manifest(row) for row in session.scalars(query)]


def passengers_of(session: Session, manifest_id: str) -> list[StoredPassenger]:
    """A manifest's screened passengers in manifest order (check the manifest's owner first)."""
    query = select(PassengerRow).where(PassengerRow.manifest == manifest_id).order_by(PassengerRow.position)
    return [
        StoredPassenger(
            row.position, row.name, dict(row.subject), row.subject_key, row.status, list(row.hits)
        )
        for row in session.scalars(query)
    ]


def add_referral(
    session: Session,
    *,
    agency: str,
    manifest: str | None,
    position: int | None,
    reason: str,
    subject: dict[str, Any],
    subject_key: str,
    hits: list[dict[str, Any]],
    now: dt.datetime,
) -> int:
    """Refer a hit to the agency's border officers; its id."""
    row = ReferralRow(
        agency=agency,
        manifest=manifest,
        position=position,
        reason=reason,
        subject=subject,
        subject_key=subject_key,
        hits=hits,
        status=OPEN,
        created_at=now,
        settled_at=None,
    )
    session.add(row)
    session.flush()
    return row.id


def _referral(row: ReferralRow) -> StoredReferral:
    return StoredReferral(
        row.id,
        row.agency,
        row.manifest,
        row.position,
        row.reason,
        dict(row.subject),
        row.subject_key,
        list(row.hits),
        row.status,
        row.created_at,
        row.settled_at,
    )


def get_referral(
    session: Session, referral_id: int, identity: Identity, *, lock: bool = False
) -> StoredReferral | None:
    """The referral if it is in the caller's agency's queue."""
    query = select(ReferralRow).where(
        ReferralRow.id == referral_id, where(identity, Action.READ, Kind.REFERRAL)
    )
    row = session.scalars(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else _referral(row)


def list_referrals(
    session: Session, identity: Identity, status: str | None, limit: int
) -> tuple[list[StoredReferral], int]:
    """The caller's agency's referrals, oldest open first, and how many there are."""
    condition = where(identity, Action.READ, Kind.REFERRAL)
    if status is not None:
        condition = condition & (ReferralRow.status == status)
    total = session.scalar(select(func.count()).select_from(ReferralRow).where(condition)) or 0
    query = select(ReferralRow).where(condition).order_by(ReferralRow.id).limit(limit)
    return [_referral(row) for row in session.scalars(query)], total


def settle_referral(session: Session, referral_id: int, now: dt.datetime) -> None:
    """Take a referral off the open queue: a decision settled it."""
    row = session.get(ReferralRow, referral_id)
    if row is None:
        raise LookupError(referral_id)
    row.status, row.settled_at = SETTLED, now
    session.flush()
