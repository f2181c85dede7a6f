"""Cleared subjects reopened by new data: every import is matched against the subjects officers
cleared, and a new listing, or a changed one, that matches a cleared subject refers it again.

It runs beside the watches, after each import, entity write or notice publication commits: the
records written are indexed on their own (a few, usually) and each cleared subject is a query.
A listing the officer already cleared, unchanged, is no news; a subject with an open referral
is left to it. Hits on records the deciding officer may not read come as hit/no-hit references.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.model import Identity
from liaison.model.fingerprints import data_hash
from liaison.services.accounts import access, audit
from liaison.services.screening.matching_service import Scoring, parse_example, score_standing, settle
from liaison.services.screening.subject_screening import listing_item
from liaison.store import alerts as alert_store
from liaison.store import border as border_store
from liaison.store.entry_decisions import Decision

if TYPE_CHECKING:
    from liaison.services.sharing.landed import Written

__all__ = ["RECHECKED", "REOPEN_THRESHOLD", "reopen"]

REOPEN_THRESHOLD = 0.7
"""The score from which a new or changed listing reopens a cleared subject: screening's default."""
RECHECKED = 10_000
_CANDIDATES = 25
_HITS = 5
"""Listings a reopened subject is referred with at most: the officer weighs the best few."""


def reopen(engine: Engine, written: Written, cleared: list[Decision], now: dt.datetime) -> int:
    """Match what one write put in a dataset against the cleared subjects; refer those it concerns anew."""
    cleared_keys = {
        (earlier.agency, earlier.subject_key, earlier.listing, earlier.listing_hash) for earlier in cleared
    }
    found: dict[tuple[str, str], tuple[Decision, Scoring]] = {}
    for decision in cleared:
        key = (decision.agency, decision.subject_key)
        if key in found:
            continue
        subject = {decision.decision_id: parse_example(decision.decision_id, decision.subject)}
        scoring = score_standing(
            written.index, written.dataset, subject, cutoff=REOPEN_THRESHOLD, candidates=_CANDIDATES
        )
        best = scoring.passed[decision.decision_id][:_HITS]
        news = [hit for hit in best if _is_news(hit[0], written.proxies, cleared_keys, decision)]
        if news:
            # One map for both: the references come from what is news, as the hits do.
            kept = {decision.decision_id: news}
            found[key] = (decision, replace(scoring, passed=kept, hinted=kept))
    return _refer(engine, found, written.dataset, now) if found else 0


def _is_news(
    listing: str,
    proxies: dict[str, Any],
    cleared_keys: set[tuple[str, str, str, str]],
    decision: Decision,
) -> bool:
    """Whether a hit is a listing the agency has not cleared for this subject as it now reads."""
    proxy = proxies[listing]
    listing_hash = data_hash(proxy.schema.name, proxy.properties)
    return (decision.agency, decision.subject_key, listing, listing_hash) not in cleared_keys


def _refer(
    engine: Engine,
    found: dict[tuple[str, str], tuple[Decision, Scoring]],
    dataset: str,
    now: dt.datetime,
) -> int:
    referred = 0
    with Session(engine) as session, session.begin():
        waiting: dict[str, set[str]] = {}
        for (agency, subject_key), (decision, scoring) in found.items():
            officer = access.identity_in(session, decision.decided_by)
            if officer is None or officer.agency != agency:
                continue
            if agency not in waiting:
                open_referrals, _total = border_store.list_referrals(
                    session, officer, border_store.OPEN, 100_000
                )
                waiting[agency] = {referral.subject_key for referral in open_referrals}
            if subject_key in waiting[agency]:
                continue
            items = _items(session, officer, scoring, now)
            if not items:
                continue
            referral = border_store.add_referral(
                session,
                agency=agency,
                manifest=None,
                position=None,
                reason="review",
                subject=decision.subject,
                subject_key=subject_key,
                hits=items,
                now=now,
            )
            alert_store.add_alert(
                session,
                agency=agency,
                kind="referral",
                subject=f"referral:{referral}",
                detail={"reason": f"new or changed listing in {dataset} matches a cleared subject"},
                now=now,
            )
            audit.record(
                session,
                officer,
                "decision.reopen",
                f"referral:{referral}",
                now=now,
                detail={"dataset": dataset, "cleared": decision.decision_id, "hits": len(items)},
            )
            waiting[agency].add(subject_key)
            referred += 1
    return referred


def _items(session: Session, officer: Identity, scoring: Scoring, now: dt.datetime) -> list[dict[str, Any]]:
    """The hits as a referral holds them: in full where the officer may read them, else references."""
    (answer,) = settle(
        session, officer, scoring, threshold=REOPEN_THRESHOLD, limit=_HITS, via="reopen", now=now
    )
    # No decision in force: whatever was cleared of these listings is why they are news.
    items = [{"type": "match", **listing_item(scored, "", [])} for scored in answer.results]
    items.extend({"type": "reference", **reference.to_dict()} for reference in answer.references)
    return items
