"""Officers' decisions on screened subjects: deny entry (or freeze), refer, or clear, per listing.

Decisions are an agency's own: read by it (and the operator) alone. They are never deleted; a
later decision on the same subject and listing stands beside the earlier ones, newest first.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind
from liaison.model import Identity
from liaison.store.access import where
from liaison.store.tables import SubjectDecisionRow

__all__ = [
    "CONFIRMED",
    "FINAL",
    "PENDING",
    "Decision",
    "add_decision",
    "confirm_decision",
    "decisions_about",
    "get_decision",
    "list_decisions",
]

PENDING, CONFIRMED, FINAL = "pending", "confirmed", "final"
"""A deny waits (pending) for a second officer (confirmed); refer and clear are final when made."""
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Decision:
    """A decision as stored, with the fingerprints of the data it was made on."""

    decision_id: str
    agency: str
    subject_key: str
    subject_hash: str
    subject: dict[str, Any]
    listing: str
    listing_hash: str
    decision: str
    status: str
    reason: str
    legal_basis: str
    evidence: dict[str, Any]
    referral: int | None
    decided_by: str
    decided_at: dt.datetime
    confirmed_by: str | None
    confirmed_at: dt.datetime | None

    @property
    def in_force(self) -> bool:
        """Whether the decision stands: a deny once confirmed, the others when made."""
        return self.status in (CONFIRMED, FINAL)


def _decision(row: SubjectDecisionRow) -> Decision:
    return Decision(
        row.id,
        row.agency,
        row.subject_key,
        row.subject_hash,
        dict(row.subject),
        row.listing,
        row.listing_hash,
        row.decision,
        row.status,
        row.reason,
        row.legal_basis,
        dict(row.evidence),
        row.referral,
        row.decided_by,
        row.decided_at,
        row.confirmed_by,
        row.confirmed_at,
    )


def add_decision(session: Session, decision: Decision) -> Decision:
    """Store a decision; its id is made here."""
    row = SubjectDecisionRow(
        id=f"dc_{secrets.token_hex(8)}",
        agency=decision.agency,
        subject_key=decision.subject_key,
        subject_hash=decision.subject_hash,
        subject=decision.subject,
        listing=decision.listing[:320],
        listing_hash=decision.listing_hash,
        decision=decision.decision,
        status=decision.status,
        reason=decision.reason,
        legal_basis=decision.legal_basis,
        evidence=decision.evidence,
        referral=decision.referral,
        decided_by=decision.decided_by,
        decided_at=decision.decided_at,
        confirmed_by=None,
        confirmed_at=None,
    )
    session.add(row)
    session.flush()
    return _decision(row)


def get_decision(
    session: Session, decision_id: str, identity: Identity, *, lock: bool = False
) -> Decision | None:
    """The decision if it is the caller's agency's."""
    query = select(SubjectDecisionRow).where(
        SubjectDecisionRow.id == decision_id, where(identity, Action.READ, Kind.ENTRY_DECISION)
    )
    row = session.scalars(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else _decision(row)


def confirm_decision(session: Session, decision_id: str, by: str, now: dt.datetime) -> Decision:
    """Confirm a pending deny."""
    row = session.get(SubjectDecisionRow, decision_id)
    if row is None:
        raise LookupError(decision_id)
    row.status, row.confirmed_by, row.confirmed_at = CONFIRMED, by, now
    session.flush()
    return _decision(row)


def decisions_about(session: Session, agency: str, subject_keys: Iterable[str]) -> dict[str, list[Decision]]:
    """The agency's decisions on each of these subjects, newest first, in chunks of one query each."""
    wanted = sorted(set(subject_keys))
    found: dict[str, list[Decision]] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = (
            select(SubjectDecisionRow)
            .where(
                SubjectDecisionRow.agency == agency,
                SubjectDecisionRow.subject_key.in_(wanted[start : start + _CHUNK]),
            )
            .order_by(SubjectDecisionRow.decided_at.desc(), SubjectDecisionRow.id)
        )
        for row in session.scalars(query):
            found.setdefault(row.subject_key, []).append(_decision(row))
    return found


def list_decisions(
    session: Session,
    identity: Identity,
    *,
    decision: str | None = None,
    status: str | None = None,
    limit: int,
    offset: int = 0,
) -> tuple[list[Decision], int]:
    """The caller's agency's decisions, newest first, and how many there are."""
    condition = where(identity, Action.READ, Kind.ENTRY_DECISION)
    if decision is not None:
        condition = condition & (SubjectDecisionRow.decision == decision)
    if status is not None:
        condition = condition & (SubjectDecisionRow.status == status)
    total = session.scalar(select(func.count()).select_from(SubjectDecisionRow).where(condition)) or 0
    query = (
        select(SubjectDecisionRow)
        .where(condition)
        .order_by(SubjectDecisionRow.decided_at.desc(), SubjectDecisionRow.id)
        .limit(limit)
        .offset(offset)
    )
    return [_decision(row) for row in session.scalars(query)], total


def cleared_subjects(session: Session, agency: str | None, limit: int) -> list[Decision]:
    """The latest clear decisions in force, one per subject and listing: what a new listing may reopen."""
    query = select(SubjectDecisionRow).where(SubjectDecisionRow.decision == "clear")
    if agency is not None:
        query = query.where(SubjectDecisionRow.agency == agency)
    query = query.order_by(SubjectDecisionRow.decided_at.desc()).limit(limit)
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for row in session.scalars(query):
        key = (row.agency, row.subject_key, row.listing)
        if key not in seen:
            seen.add(key)
            kept.append(_decision(row))
    return kept
