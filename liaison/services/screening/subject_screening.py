"""Screening subjects (travellers, companies, vessels) for entry denial and asset freezes.

Each subject goes through the one matching engine against every list the agency may use, and
its travel documents against the register of lost and stolen documents. The agency's earlier
decisions are recalled: a hit cleared before is not raised again while neither the subject's
data nor the listing has changed; any other earlier decision is shown beside the hit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.access.decision import Action, AgencyFacts, may
from liaison.errors import BadInput, Forbidden
from liaison.model import Identity
from liaison.model.fingerprints import data_hash, subject_key
from liaison.services.screening.matching_service import (
    Matches,
    MatchingService,
    Scope,
    Scored,
    Scoring,
    settle,
)
from liaison.store import border as border_store
from liaison.store import entry_decisions as decision_store
from liaison.store.border import DocumentReport
from liaison.store.entry_decisions import Decision

__all__ = [
    "CLEAR",
    "DOCUMENT_HIT",
    "MAX_SUBJECTS",
    "POSSIBLE_MATCH",
    "Outcome",
    "Subject",
    "document_listing",
    "listing_item",
    "member_agency",
    "score_subjects",
    "screen_subjects",
    "settle_subjects",
]

CLEAR, POSSIBLE_MATCH, DOCUMENT_HIT = "clear", "possible_match", "document_hit"
HITS_KEPT = 5
"""Hits kept per subject: an officer weighs the best few, not a long tail."""
MAX_SUBJECTS = 1_000
"""Subjects of one screening: a manifest's passengers or one request's subjects."""


@dataclass(frozen=True, slots=True)
class Subject:
    """Whom or what to screen: a label, an FtM schema and properties, and documents to check."""

    label: str
    schema: str
    properties: dict[str, list[str]]
    documents: tuple[tuple[str, str], ...] = ()
    """(issuing country, number) pairs to look up in the lost and stolen document register."""
    notes: tuple[str, ...] = ()
    """What of the subject as given could not be read, and is screened without."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """One subject screened: clear, a possible match, or a document hit, with everything behind it."""

    subject: Subject
    subject_key: str
    subject_hash: str
    status: str
    hits: tuple[dict[str, Any], ...]
    references: tuple[dict[str, Any], ...]
    documents: tuple[dict[str, Any], ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def raised(self) -> bool:
        """Whether the subject goes to an officer: any hit, reference or document hit not cleared."""
        return self.status != CLEAR

    def shown(self) -> list[dict[str, Any]]:
        """Everything found, each item typed and marked cleared or not: what a screening shows."""
        return (
            [{"type": "match", **hit} for hit in self.hits]
            + [{"type": "reference", **reference} for reference in self.references]
            + [{"type": "document", **document} for document in self.documents]
            + [{"type": "note", "note": note} for note in self.notes]
        )

    def referred(self) -> list[dict[str, Any]]:
        """What an officer must decide on: every item not cleared by an earlier decision, and the notes."""
        return [item for item in self.shown() if not item.get("cleared")]

    def query(self) -> dict[str, Any]:
        """The subject as an FtM query example."""
        return {"schema": self.subject.schema, "properties": self.subject.properties}


def member_agency(identity: Identity) -> str:
    """The agency a screening belongs to: the caller's, if `may` lets them screen for it."""
    if identity.agency is None:
        raise Forbidden(
            "screening is done for an agency: sign in (or run with --as USER) as one of its officers"
        )
    decision = may(identity, Action.SCREEN, AgencyFacts(identity.agency))
    if not decision:
        raise Forbidden(decision.reason)
    return identity.agency


def document_listing(country: str, number: str) -> str:
    """How a decision names a reported document."""
    return f"document:{country}/{number}"


def screen_subjects(
    engine: Engine,
    matching: MatchingService,
    identity: Identity,
    subjects: Sequence[Subject],
    *,
    scope: Scope,
    threshold: float,
    purpose: str,
    now: dt.datetime,
) -> list[Outcome]:
    """Screen subjects through the matching engine and settle them in a transaction of their own."""
    scoring = score_subjects(matching, identity, subjects, scope=scope, threshold=threshold, purpose=purpose)
    with Session(engine) as session, session.begin():
        return settle_subjects(
            session, identity, subjects, scoring, threshold=threshold, purpose=purpose, now=now
        )


def score_subjects(
    matching: MatchingService,
    identity: Identity,
    subjects: Sequence[Subject],
    *,
    scope: Scope,
    threshold: float,
    purpose: str,
) -> Scoring:
    """Score subjects in one batch (the scoring workers share it out), writing nothing."""
    member_agency(identity)
    if len(purpose.strip()) < 3:
        raise BadInput("field 'purpose': say why you screen (at least 3 characters); it is audited")
    if len(subjects) > MAX_SUBJECTS:
        raise BadInput(
            f"field 'subjects': {len(subjects)} subjects exceed the {MAX_SUBJECTS:,} of one screening"
        )
    queries = {
        subject.label: {"schema": subject.schema, "properties": subject.properties} for subject in subjects
    }
    return matching.score(queries, scope=scope, cutoff=threshold, identity=identity, most=MAX_SUBJECTS)


def settle_subjects(
    session: Session,
    identity: Identity,
    subjects: Sequence[Subject],
    scoring: Scoring,
    *,
    threshold: float,
    purpose: str,
    now: dt.datetime,
) -> list[Outcome]:
    """Settle scored subjects in the caller's transaction (`settle`: references, owners' alerts,
    the match audited) and recall the agency's decisions on them."""
    agency = member_agency(identity)
    answers = {
        answer.key: answer
        for answer in settle(
            session,
            identity,
            scoring,
            threshold=threshold,
            limit=HITS_KEPT,
            via="match",
            now=now,
            audited=("match", f"scope:{scoring.scope.dataset}"),
            purpose=purpose,
        )
    }
    keys = {subject.label: subject_key(subject.schema, subject.properties) for subject in subjects}
    reports = border_store.matching_reports(
        session, (document for subject in subjects for document in subject.documents)
    )
    earlier = decision_store.decisions_about(session, agency, keys.values())
    return [
        _outcome(
            subject,
            keys[subject.label],
            answers[subject.label],
            reports,
            earlier.get(keys[subject.label], []),
        )
        for subject in subjects
    ]


def _outcome(
    subject: Subject,
    key: str,
    answer: Matches,
    reports: dict[tuple[str, str], DocumentReport],
    decisions: list[Decision],
) -> Outcome:
    fingerprint = data_hash(subject.schema, subject.properties)
    hits = tuple(listing_item(scored, fingerprint, decisions) for scored in answer.results if scored.match)
    documents = tuple(
        _document(reports[document], fingerprint, decisions)
        for document in subject.documents
        if document in reports
    )
    references = tuple(reference.to_dict() for reference in answer.references)
    if any(not document["cleared"] for document in documents):
        status = DOCUMENT_HIT
    elif references or any(not hit["cleared"] for hit in hits):
        status = POSSIBLE_MATCH
    else:
        status = CLEAR
    notes = subject.notes + answer.notes
    return Outcome(subject, key, fingerprint, status, hits, references, documents, notes)


def _recall(
    decisions: list[Decision], listing: str, subject_hash: str, listing_hash: str
) -> tuple[dict[str, Any] | None, bool]:
    """The latest decision in force on this listing, and whether it clears the hit now.

    A clear decision holds only for the data it was made on: a changed subject or listing is
    raised again.
    """
    for decision in decisions:
        if decision.listing != listing or not decision.in_force:
            continue
        cleared = (
            decision.decision == "clear"
            and decision.subject_hash == subject_hash
            and decision.listing_hash == listing_hash
        )
        summary = {
            "id": decision.decision_id,
            "decision": decision.decision,
            "status": decision.status,
            "reason": decision.reason,
            "decided_by": decision.decided_by,
            "decided_at": decision.decided_at.isoformat(),
            "data_changed": decision.decision == "clear" and not cleared,
        }
        return summary, cleared
    return None, False


def listing_item(scored: Scored, subject_hash: str, decisions: list[Decision]) -> dict[str, Any]:
    """A hit on a listing as a screening and a referral hold it, with the decision in force on it."""
    found = scored.found
    listing = str(found.proxy.id)
    listing_hash = data_hash(found.proxy.schema.name, found.proxy.properties)
    earlier, cleared = _recall(decisions, listing, subject_hash, listing_hash)
    return {
        "listing": listing,
        "schema": found.proxy.schema.name,
        "caption": found.proxy.caption,
        "datasets": list(found.datasets),
        "owners": sorted({envelope.owner_agency for envelope in found.envelopes}),
        "score": round(scored.score.score, 4),
        "explanation": [
            {
                "feature": feature.name,
                "value": round(feature.value, 4),
                "contribution": round(feature.contribution, 4),
            }
            for feature in scored.score.features
        ],
        "listing_hash": listing_hash,
        "earlier": earlier,
        "cleared": cleared,
    }


def _document(report: DocumentReport, subject_hash: str, decisions: list[Decision]) -> dict[str, Any]:
    listing = document_listing(report.country, report.number)
    listing_hash = data_hash(
        "document", {"status": [report.status], "reported_at": [report.reported_at.isoformat()]}
    )
    earlier, cleared = _recall(decisions, listing, subject_hash, listing_hash)
    return {
        "listing": listing,
        "country": report.country,
        "number": report.number,
        "kind": report.kind,
        "status": report.status,
        "reported_by": report.agency,
        "reported_at": report.reported_at.isoformat(),
        "listing_hash": listing_hash,
        "earlier": earlier,
        "cleared": cleared,
    }
