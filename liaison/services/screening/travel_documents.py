"""The register of lost, stolen and revoked travel documents that every manifest is checked against."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison.errors import BadInput, Conflict, Forbidden
from liaison.model import Identity, IdentityKind
from liaison.model.manifest import REPORTED_KINDS as KINDS
from liaison.model.manifest import REPORTED_STATUSES as STATUSES
from liaison.model.operation import country_code
from liaison.services.accounts import audit
from liaison.services.screening.subject_screening import member_agency
from liaison.store import border as border_store
from liaison.store.border import DocumentReport

__all__ = ["KINDS", "STATUSES", "list_reports", "report"]

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
MAX_LISTED = 500


def report(
    engine: Engine,
    identity: Identity,
    *,
    country: str,
    number: str,
    kind: str,
    status: str,
    note: str = "",
    now: dt.datetime,
) -> DocumentReport:
    """Report a document of the caller's agency; a document already reported is a Conflict."""
    agency = member_agency(identity)
    normalised = _NOT_ALNUM.sub("", number.upper())
    if not 4 <= len(normalised) <= 32:
        raise BadInput(f"field 'number': {number[:40]!r}; a document number has 4 to 32 letters and digits")
    if kind not in KINDS:
        raise BadInput(f"field 'kind': {kind[:40]!r}; use one of {', '.join(KINDS)}")
    if status not in STATUSES:
        raise BadInput(f"field 'status': {status[:40]!r}; use one of {', '.join(STATUSES)}")
    if len(note) > 2_000:
        raise BadInput("field 'note': at most 2000 characters")
    made = DocumentReport(
        country_code(country, "country"), normalised, kind, status, agency, identity.actor, now, note
    )
    with Session(engine) as session, session.begin():
        earlier = border_store.report_document(session, made)
        if earlier is not None:
            raise Conflict(
                f"document {made.country.upper()} {made.number} was reported {earlier.status} "
                f"by {earlier.agency} on {earlier.reported_at:%Y-%m-%d}"
            )
        audit.record(
            session,
            identity,
            "document.report",
            f"document:{made.country}/{made.number}",
            now=now,
            detail={"status": status, "kind": kind},
        )
    return made


def list_reports(engine: Engine, identity: Identity, *, mine: bool = True) -> list[DocumentReport]:
    """The latest reports: the caller's agency's, or every agency's (members see the whole register)."""
    if identity.kind not in (IdentityKind.MEMBER, IdentityKind.OPERATOR):
        raise Forbidden("sign in to read the document register")
    with Session(engine) as session:
        return border_store.list_reports(session, identity.agency if mine else None, MAX_LISTED)
