"""First responders' trafficking-indicator screenings: recorded once, advised at once.

A screening keeps where the person was met, which indicators were seen, the advice and its
reasons, never who the person is. Each form carries a one-time token: sending the same form
twice is refused and changes nothing. Screenings are read by their own agency only; every
record and read is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from liaison.domains.trafficking.indicators import Advice, Assessment, assess
from liaison.errors import BadInput, Conflict, NotFound
from liaison.i18n import LANGUAGES
from liaison.model import Identity
from liaison.model.operation import country_code
from liaison.services.accounts import audit
from liaison.services.screening.subject_screening import member_agency
from liaison.store.indicator_screenings import (
    add_screening,
    screening_by_token,
    screening_row,
    screenings_for,
)
from liaison.store.tables import IndicatorScreeningRow

__all__ = ["MAX_NOTES", "Screening", "form_token", "get", "listing", "record"]

MAX_NOTES = 2_000


@dataclass(frozen=True, slots=True)
class Screening:
    """A recorded screening and its assessment."""

    id: str
    agency: str
    actor: str
    setting: str
    country: str
    language: str
    notes: str
    created: dt.datetime
    assessment: Assessment


def form_token() -> str:
    """A fresh one-time token for one form."""
    return secrets.token_urlsafe(24)


def _screening(row: IndicatorScreeningRow) -> Screening:
    assessment = Assessment(Advice(row.advice), tuple(row.reasons), tuple(row.observed))
    return Screening(
        row.id,
        row.agency,
        row.actor,
        row.setting,
        row.country,
        row.language,
        row.notes,
        row.created,
        assessment,
    )


def record(
    engine: Engine,
    identity: Identity,
    *,
    token: str,
    setting: str,
    country: str,
    language: str,
    observed: list[str],
    notes: str,
    now: dt.datetime,
) -> Screening:
    """Assess and record a screening; Conflict if this form's token was already used."""
    agency = member_agency(identity)
    if not 16 <= len(token) <= 64:
        raise BadInput("field 'form_token': 16 to 64 characters")
    if language not in LANGUAGES:
        raise BadInput(f"field 'language': {language!r}; use one of {', '.join(LANGUAGES)}")
    if len(notes) > MAX_NOTES:
        raise BadInput(f"field 'notes': {len(notes):,} characters, at most {MAX_NOTES:,}")
    code = country_code(country, "country")
    assessment = assess(setting, observed)
    row = IndicatorScreeningRow(
        id=secrets.token_hex(8),
        form_token=token,
        agency=agency,
        actor=identity.actor,
        setting=setting,
        country=code,
        language=language,
        observed=list(assessment.observed),
        advice=assessment.advice.value,
        reasons=list(assessment.reasons),
        notes=notes.strip(),
        created=now,
    )
    try:
        with Session(engine) as session, session.begin():
            earlier = screening_by_token(session, token)
            if earlier is not None:
                raise Conflict(f"this form was already sent (screening {earlier}); nothing was changed")
            add_screening(session, row)
            audit.record(
                session,
                identity,
                "trafficking.screening",
                f"screening:{row.id}",
                now=now,
                detail={"advice": row.advice, "setting": setting, "indicators": len(row.observed)},
            )
            return _screening(row)
    except IntegrityError as exc:  # the same form sent twice at the same moment
        raise Conflict("this form was already sent; nothing was changed") from exc


def get(engine: Engine, identity: Identity, screening_id: str, now: dt.datetime) -> Screening:
    """One screening of the caller's agency; NotFound for any other."""
    with Session(engine) as session, session.begin():
        row = screening_row(session, screening_id, identity)
        if row is None:
            raise NotFound(f"no screening {screening_id!r}")
        audit.record(session, identity, "trafficking.screening.read", f"screening:{row.id}", now=now)
        return _screening(row)


def listing(engine: Engine, identity: Identity, now: dt.datetime, limit: int = 100) -> list[Screening]:
    """The caller's agency's screenings, newest first; audited."""
    with Session(engine) as session, session.begin():
        rows = screenings_for(session, identity, limit)
        audit.record(session, identity, "trafficking.screening.list", "screenings", now=now)
        return [_screening(row) for row in rows]
