"""Asset-freeze screening: organisations, companies, vessels, bank accounts and people checked
against the lists the agency may use, with the same decision memory and referral queue as entry
screening.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.errors import BadInput
from liaison.model import Identity
from liaison.services.accounts import audit
from liaison.services.screening.matching_service import MatchingService, Scope, parse_example
from liaison.services.screening.subject_screening import (
    MAX_SUBJECTS,
    Outcome,
    Subject,
    member_agency,
    screen_subjects,
)
from liaison.store import alerts as alert_store
from liaison.store import border as border_store

__all__ = ["MAX_SUBJECTS", "screen"]


def screen(
    engine: Engine,
    matching: MatchingService,
    identity: Identity,
    subjects: Sequence[Mapping[str, Any]],
    *,
    threshold: float,
    purpose: str,
    now: dt.datetime,
) -> tuple[list[Outcome], list[int | None]]:
    """Screen subjects given as FtM query examples; refer each raised one to the agency's queue.

    Returns the outcomes and, beside each, the referral it went to (None when clear).
    """
    agency = member_agency(identity)
    if not subjects:
        raise BadInput("field 'subjects': give at least one subject")
    if len(subjects) > MAX_SUBJECTS:
        raise BadInput(f"field 'subjects': {len(subjects)} subjects exceed the {MAX_SUBJECTS} of one request")
    parsed = []
    for position, example in enumerate(subjects, start=1):
        # A value that cannot be read is left out and noted: it must not hide a listed subject.
        notes: list[str] = []
        proxy = parse_example(str(position), example, notes=notes)
        properties = {prop: list(values) for prop, values in proxy.properties.items()}
        parsed.append(Subject(str(position), proxy.schema.name, properties, notes=tuple(notes)))
    outcomes = screen_subjects(
        engine, matching, identity, parsed, scope=Scope(), threshold=threshold, purpose=purpose, now=now
    )
    referrals: list[int | None] = []
    with Session(engine) as session, session.begin():
        for outcome in outcomes:
            if not outcome.raised:
                referrals.append(None)
                continue
            referral = border_store.add_referral(
                session,
                agency=agency,
                manifest=None,
                position=None,
                reason=outcome.status,
                subject=outcome.query(),
                subject_key=outcome.subject_key,
                hits=outcome.referred(),
                now=now,
            )
            referrals.append(referral)
        raised = sum(1 for referral in referrals if referral is not None)
        if raised:
            alert_store.add_alert(
                session,
                agency=agency,
                kind="referral",
                subject="screening",
                detail={"referrals": raised, "by": identity.actor},
                now=now,
            )
        audit.record(
            session,
            identity,
            "screen.freeze",
            "screening",
            now=now,
            purpose=purpose,
            detail={"subjects": len(outcomes), "referred": raised},
        )
    return outcomes, referrals
