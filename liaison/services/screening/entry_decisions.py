"""Decisions on referred hits: deny entry (or freeze assets), refer, or clear, with four eyes on denials.

An officer decides on one listing of a referral with a reason; the legal basis (the list and
programme of the listing, or the document register's report) and the evidence (the match and
its explanation) are recorded with it. A deny stands only once a second officer of the agency
confirms it. Decisions are remembered by screening (`subject_screening`), and `recheck` raises
cleared subjects again when a new or changed listing matches them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.decision import Action, HeldFacts, Kind, may, rule
from liaison.errors import BadInput, Conflict, Forbidden, NotFound
from liaison.model import Identity
from liaison.model.fingerprints import data_hash
from liaison.services.accounts import audit
from liaison.services.screening.matching_service import MatchingService, Scope
from liaison.services.screening.subject_screening import Subject, member_agency, screen_subjects
from liaison.store import alerts as alert_store
from liaison.store import border as border_store
from liaison.store import entry_decisions as decision_store
from liaison.store.border import StoredReferral
from liaison.store.entry_decisions import CONFIRMED, FINAL, PENDING, Decision

__all__ = [
    "DECISIONS",
    "EXPORT_COLUMNS",
    "confirm",
    "decide",
    "export_rows",
    "list_decisions",
    "list_referrals",
    "recheck",
    "referral_view",
    "view",
]

DECISIONS = ("deny", "refer", "clear")
MAX_REASON = 2_000
MAX_PAGE = 500
RECHECKED = 10_000
"""Cleared subjects rechecked at most per run, the latest first."""


def _decider(identity: Identity) -> str:
    agency = member_agency(identity)
    decision = may(identity, Action.DECIDE, HeldFacts(Kind.REFERRAL, agency))
    if not decision:
        raise Forbidden(decision.reason)
    return agency


def list_referrals(
    engine: Engine, identity: Identity, status: str | None = border_store.OPEN, limit: int = MAX_PAGE
) -> tuple[list[StoredReferral], int]:
    """The agency's border officers' queue: open referrals first in, and how many."""
    if not rule(identity, Action.READ, Kind.REFERRAL):
        raise Forbidden("sign in to see referrals")
    if status not in (None, border_store.OPEN, border_store.SETTLED):
        raise BadInput(f"field 'status': {status!r}; use open or settled")
    with Session(engine) as session:
        return border_store.list_referrals(session, identity, status, min(limit, MAX_PAGE))


def _hit_of(referral: StoredReferral, listing: str) -> dict[str, Any]:
    for hit in referral.hits:
        if hit.get("listing") == listing or (
            hit.get("type") == "reference" and hit.get("reference") == listing
        ):
            return hit
    listed = ", ".join(
        str(hit.get("listing") or hit.get("reference")) for hit in referral.hits if hit["type"] != "note"
    )
    raise BadInput(
        f"field 'listing': {listing[:80]!r} is not a hit of referral {referral.referral_id} ({listed})"
    )


def _legal_basis(session: Session, identity: Identity, hit: dict[str, Any]) -> str:
    """The list and programme of a listing, the register's report of a document, or the reference."""
    if hit["type"] == "document":
        return (
            f"lost and stolen travel document register: {hit['country'].upper()} {hit['number']} reported "
            f"{hit['status']} by {hit['reported_by']} on {hit['reported_at'][:10]}"
        )
    if hit["type"] == "reference":
        return f"hit/no-hit reference {hit['reference']} to a record of {hit['owner_agency']}"
    titles = {summary.name: summary.title for summary in store.list_datasets(session, identity)}
    lists = "; ".join(titles.get(name, name) for name in hit["datasets"])
    sources = store.pointing_at(session, [hit["listing"]])
    programmes = []
    for copies in store.entities_by_ids(session, sorted(sources), identity).values():
        proxy = copies[0].proxy
        if proxy.schema.name == "Sanction":
            parts = proxy.get("authority") + proxy.get("program") + proxy.get("programId")
            programmes.append(", ".join(dict.fromkeys(parts)))
    return f"{lists}; programme: {' | '.join(sorted(set(programmes)))}" if programmes else lists


def decide(
    engine: Engine,
    identity: Identity,
    referral_id: int,
    listing: str,
    decision: str,
    reason: str,
    now: dt.datetime,
) -> Decision:
    """Record a decision on one hit of a referral; a deny waits for a second officer."""
    agency = _decider(identity)
    reason = reason.strip()
    if decision not in DECISIONS:
        raise BadInput(f"field 'decision': {decision[:40]!r}; use deny, refer or clear")
    if not reason:
        raise BadInput("field 'reason': say why; a decision without a reason is refused")
    if len(reason) > MAX_REASON:
        raise BadInput(f"field 'reason': at most {MAX_REASON} characters")
    with Session(engine) as session, session.begin():
        referral = border_store.get_referral(session, referral_id, identity, lock=True)
        if referral is None:
            raise NotFound(f"no referral {referral_id} in your agency's queue")
        if referral.status != border_store.OPEN:
            raise Conflict(f"referral {referral_id} was settled on {referral.settled_at:%Y-%m-%d %H:%M}")
        hit = _hit_of(referral, listing)
        schema = str(referral.subject.get("schema") or "Person")
        fingerprint = data_hash(schema, referral.subject.get("properties") or {})
        named = str(hit.get("listing") or f"reference:{hit.get('reference')}")
        evidence = {key: value for key, value in hit.items() if key != "earlier"}
        status = PENDING if decision == "deny" else FINAL
        made = decision_store.add_decision(
            session,
            Decision(
                "",
                agency,
                referral.subject_key,
                fingerprint,
                referral.subject,
                named,
                str(hit.get("listing_hash") or ""),
                decision,
                status,
                reason,
                _legal_basis(session, identity, hit),
                evidence,
                referral_id,
                identity.actor,
                now,
                None,
                None,
            ),
        )
        if decision == "deny":
            alert_store.add_alert(
                session,
                agency=agency,
                kind="decision.pending",
                subject=f"decision:{made.decision_id}",
                detail={"decided_by": identity.actor, "listing": made.listing, "referral": referral_id},
                now=now,
            )
        _settle_if_done(session, referral, now)
        audit.record(
            session,
            identity,
            f"decision.{decision}",
            f"referral:{referral_id}",
            now=now,
            purpose=reason,
            detail={"decision": made.decision_id, "listing": made.listing, "legal_basis": made.legal_basis},
        )
        return made


def confirm(engine: Engine, identity: Identity, decision_id: str, now: dt.datetime) -> Decision:
    """Confirm a pending deny: another officer of the agency than the one who made it (four eyes)."""
    _decider(identity)
    with Session(engine) as session, session.begin():
        found = decision_store.get_decision(session, decision_id, identity, lock=True)
        if found is None:
            raise NotFound(f"no decision {decision_id[:80]!r} of your agency")
        if found.status != PENDING:
            raise Conflict(f"decision {decision_id} is {found.status}; only a pending deny is confirmed")
        if found.decided_by == identity.actor:
            raise Forbidden("four eyes: a deny is confirmed by another officer than the one who made it")
        confirmed = decision_store.confirm_decision(session, decision_id, identity.actor, now)
        if found.referral is not None:
            referral = border_store.get_referral(session, found.referral, identity, lock=True)
            if referral is not None:
                _settle_if_done(session, referral, now)
        audit.record(
            session,
            identity,
            "decision.confirm",
            f"decision:{decision_id}",
            now=now,
            detail={"decided_by": found.decided_by, "listing": found.listing},
        )
        return confirmed


def _settle_if_done(session: Session, referral: StoredReferral, now: dt.datetime) -> None:
    """Settle the referral once every hit in it has a decision in force."""
    listings = {
        str(hit.get("listing") or f"reference:{hit.get('reference')}")
        for hit in referral.hits
        if hit["type"] != "note"
    }
    decided = {
        decision.listing
        for decision in decision_store.decisions_about(session, referral.agency, [referral.subject_key]).get(
            referral.subject_key, []
        )
        if decision.referral == referral.referral_id and decision.status in (CONFIRMED, FINAL)
    }
    if listings <= decided:
        border_store.settle_referral(session, referral.referral_id, now)


def list_decisions(
    engine: Engine,
    identity: Identity,
    *,
    decision: str | None = None,
    status: str | None = None,
    limit: int = MAX_PAGE,
    offset: int = 0,
    now: dt.datetime,
    export: bool = False,
) -> tuple[list[Decision], int]:
    """The agency's decisions, newest first; an export is audited as one."""
    if not rule(identity, Action.READ, Kind.ENTRY_DECISION):
        raise Forbidden("sign in to see decisions")
    if decision is not None and decision not in DECISIONS:
        raise BadInput(f"field 'decision': {decision[:40]!r}; use deny, refer or clear")
    with Session(engine) as session, session.begin():
        found, total = decision_store.list_decisions(
            session, identity, decision=decision, status=status, limit=min(limit, MAX_PAGE), offset=offset
        )
        audit.record(
            session,
            identity,
            "decision.export" if export else "decision.list",
            "decisions",
            now=now,
            detail={"decisions": len(found), "decision": decision, "status": status},
        )
        return found, total


def recheck(
    engine: Engine, matching: MatchingService, identity: Identity, *, threshold: float, now: dt.datetime
) -> int:
    """Screen the agency's cleared subjects again; refer each one a new or changed listing now raises.

    A subject that already has an open referral is left to it. Returns how many were referred.
    """
    agency = _decider(identity)
    with Session(engine) as session:
        cleared = decision_store.cleared_subjects(session, agency, RECHECKED)
        waiting = {
            referral.subject_key
            for referral in border_store.list_referrals(session, identity, border_store.OPEN, 100_000)[0]
        }
    subjects: dict[str, Subject] = {}
    for decision in cleared:
        if decision.subject_key not in waiting and decision.subject_key not in subjects:
            properties = {
                key: list(value) for key, value in (decision.subject.get("properties") or {}).items()
            }
            subjects[decision.subject_key] = Subject(
                decision.subject_key, str(decision.subject.get("schema") or "Person"), properties
            )
    outcomes = (
        screen_subjects(
            engine,
            matching,
            identity,
            list(subjects.values()),
            scope=Scope(),
            threshold=threshold,
            purpose="recheck of cleared subjects against new and changed listings",
            now=now,
        )
        if subjects
        else []
    )
    raised = [outcome for outcome in outcomes if outcome.raised]
    with Session(engine) as session, session.begin():
        for outcome in raised:
            referral = border_store.add_referral(
                session,
                agency=agency,
                manifest=None,
                position=None,
                reason="review",
                subject=outcome.query(),
                subject_key=outcome.subject_key,
                hits=outcome.referred(),
                now=now,
            )
            alert_store.add_alert(
                session,
                agency=agency,
                kind="referral",
                subject=f"referral:{referral}",
                detail={"reason": "a new or changed listing matches a cleared subject", "by": identity.actor},
                now=now,
            )
        audit.record(
            session,
            identity,
            "decision.recheck",
            "decisions",
            now=now,
            detail={"subjects": len(subjects), "referred": len(raised)},
        )
    return len(raised)


def view(decision: Decision) -> dict[str, Any]:
    """A decision as the API, CLI and export show it."""
    return {
        "id": decision.decision_id,
        "decision": decision.decision,
        "status": decision.status,
        "in_force": decision.in_force,
        "subject": decision.subject,
        "listing": decision.listing,
        "reason": decision.reason,
        "legal_basis": decision.legal_basis,
        "evidence": decision.evidence,
        "referral": decision.referral,
        "agency": decision.agency,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at.isoformat(),
        "confirmed_by": decision.confirmed_by,
        "confirmed_at": decision.confirmed_at.isoformat() if decision.confirmed_at else None,
    }


EXPORT_COLUMNS = (
    "id",
    "decision",
    "status",
    "listing",
    "reason",
    "legal_basis",
    "decided_by",
    "decided_at",
    "confirmed_by",
    "confirmed_at",
)
"""The export's columns; the subject and the evidence follow as JSON."""


def export_rows(decisions: Iterable[Decision]) -> Iterator[list[object]]:
    """The CSV export of decisions, header first: the CLI, the API and the web write the same file."""
    yield [*EXPORT_COLUMNS, "subject", "evidence"]
    for decision in decisions:
        shown = view(decision)
        subject, evidence = orjson.dumps(shown["subject"]).decode(), orjson.dumps(shown["evidence"]).decode()
        yield [*(shown[column] for column in EXPORT_COLUMNS), subject, evidence]


def referral_view(referral: StoredReferral) -> dict[str, Any]:
    """A referral as the API and CLI show it."""
    return {
        "id": referral.referral_id,
        "reason": referral.reason,
        "status": referral.status,
        "manifest": referral.manifest,
        "position": referral.position,
        "subject": referral.subject,
        "hits": referral.hits,
        "created_at": referral.created_at.isoformat(),
        "settled_at": referral.settled_at.isoformat() if referral.settled_at else None,
    }
