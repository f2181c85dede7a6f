"""Notices and diffusions: drafting, review by the secretariat, publication, withdrawal, expiry.

Published notices are written as entities into the `notices` dataset (GREEN, owned by the
secretariat), so screening and matching find them like any list; a diffusion is written into
its agency's `diffusions_<agency>` dataset, AMBER+STRICT to the agencies it names. Withdrawal
and expiry take the entity out again. Every move is checked against the lifecycle and the
mover's role, alerted to whom it concerns, and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access import Action, may
from liaison.access.decision import NoticeFacts
from liaison.errors import BadInput, Conflict, Forbidden, NotFound
from liaison.ingest import Record
from liaison.ingest.ftm import entity_from_dict
from liaison.model import (
    AgencyKind,
    Envelope,
    Handling,
    Identity,
    NoticeKind,
    NoticeStatus,
    next_status,
)
from liaison.services.accounts import audit
from liaison.services.sharing.imports import write_records
from liaison.services.sharing.landed import landed
from liaison.store import alerts as alert_store
from liaison.store import notices as notice_store
from liaison.store import retention as retention_store
from liaison.store.notices import Notice

__all__ = ["ACTIONS", "NOTICES_DATASET", "create", "expire_due", "get", "list_notices", "move", "view"]

NOTICES_DATASET = "notices"
ACTIONS = ("submit", "publish", "refuse", "revise", "send", "withdraw", "expire")
MAX_PAGE = 200
# Kinds that may go without a subject: modus operandi and threats need not name anyone.
_SUBJECTLESS = frozenset({NoticeKind.PURPLE, NoticeKind.ORANGE})
_SUBJECT_SCHEMATA = frozenset({"Person", "Organization", "Company", "LegalEntity", "Vessel", "Vehicle"})
_TOPICS = {NoticeKind.RED: ["wanted"], NoticeKind.UN_SPECIAL: ["sanction"]}
_ALERTS = {
    "submit": "notice.submitted",
    "publish": "notice.published",
    "refuse": "notice.refused",
    "send": "diffusion",
}


def create(
    engine: Engine,
    identity: Identity,
    kind: str,
    title: str,
    *,
    summary: str = "",
    subject: Mapping[str, Any] | None = None,
    recipients: Sequence[str] = (),
    expires_at: dt.datetime | None = None,
    now: dt.datetime,
) -> Notice:
    """A draft notice (or diffusion) of the caller's agency."""
    try:
        notice_kind = NoticeKind(kind)
    except ValueError as exc:
        raise BadInput(f"field 'kind': {kind!r}; use one of {', '.join(NoticeKind)}") from exc
    draft = NoticeFacts(identity.agency or "", notice_kind, NoticeStatus.DRAFT, frozenset())
    decision = may(identity, Action.DRAFT, draft)
    if not decision:
        raise Forbidden(decision.reason)
    title = title.strip()
    if not 0 < len(title) <= 300 or len(summary) > 20_000:
        raise BadInput("field 'title': 1 to 300 characters (and 'summary' at most 20,000)")
    if expires_at is not None and expires_at <= now:
        raise BadInput("field 'expires_at': must be in the future")
    checked = _subject(notice_kind, subject)
    codes = sorted({code.strip().upper() for code in recipients})
    with Session(engine) as session, session.begin():
        if notice_kind is NoticeKind.DIFFUSION:
            if not codes or identity.agency in codes:
                raise BadInput("field 'recipients': a diffusion names the other agencies it goes to")
            for code in codes:
                if not store.is_known(session, "agency", code):
                    raise BadInput(f"field 'recipients': no agency {code!r}")
        elif codes:
            raise BadInput("field 'recipients': only diffusions name recipients; notices go to every member")
        notice = notice_store.add_notice(
            session,
            kind=notice_kind,
            agency=str(identity.agency),
            by=identity.actor,
            title=title,
            summary=summary,
            subject=checked,
            recipients=codes,
            expires_at=expires_at,
            now=now,
        )
        audit.record(
            session,
            identity,
            "notice.create",
            f"notice:{notice.notice_id}",
            now=now,
            detail={"kind": notice_kind.value},
        )
        return notice


def _subject(kind: NoticeKind, subject: Mapping[str, Any] | None) -> dict[str, Any]:
    if not subject:
        if kind in _SUBJECTLESS:
            return {}
        raise BadInput(f"field 'subject': a {kind.value} notice names its subject (schema and properties)")
    proxy = entity_from_dict({**subject, "id": "subject"}, "notice", "subject")
    if proxy.schema.name not in _SUBJECT_SCHEMATA:
        raise BadInput(
            f"field 'subject': schema {proxy.schema.name}; use one of {', '.join(sorted(_SUBJECT_SCHEMATA))}"
        )
    if not proxy.get("name"):
        raise BadInput("field 'subject': give at least one name")
    return {"schema": proxy.schema.name, "properties": proxy.properties}


def _require_mover(identity: Identity, notice: Notice, action: str) -> None:
    decision = may(identity, Action(action), notice.facts)
    if not decision:
        raise Forbidden(decision.reason)


def move(
    engine: Engine, identity: Identity, notice_id: str, action: str, *, note: str = "", now: dt.datetime
) -> Notice:
    """Move a notice along its lifecycle; Conflict for a move the lifecycle does not allow."""
    if action not in ACTIONS:
        raise BadInput(f"action {action!r}; use one of {', '.join(ACTIONS)}")
    if len(note) > 2_000:
        raise BadInput("field 'note': at most 2,000 characters")
    with Session(engine) as session, session.begin():
        notice = notice_store.get_notice(session, notice_id, identity, lock=True)
        if notice is None:
            raise NotFound(f"no notice {notice_id!r}")
        try:
            status = next_status(notice.kind, notice.status, action)
        except ValueError as exc:
            raise Conflict(str(exc)) from exc
        _require_mover(identity, notice, action)
        reviewer = identity.actor if action in ("publish", "refuse") else None
        moved = notice_store.set_status(session, notice_id, status, now, reviewer, note if reviewer else None)
        written = _consequences(session, identity, moved, action, now)
        audit.record(
            session,
            identity,
            f"notice.{action}",
            f"notice:{notice_id}",
            now=now,
            purpose=note,
            detail={"kind": notice.kind.value, "status": status.value},
        )
    if written is not None:
        landed(engine, _dataset(moved), written, now)
    return moved


def _consequences(
    session: Session, identity: Identity, notice: Notice, action: str, now: dt.datetime
) -> int | None:
    """What a move does beyond the notice itself: screening data and alerts; the import run written."""
    detail = {
        "notice": notice.notice_id,
        "kind": notice.kind.value,
        "title": notice.title,
        "by": identity.actor,
    }
    subject = f"notice:{notice.notice_id}"
    recipients: list[str] = []
    if action == "submit":
        recipients = [
            agency.code
            for agency in store.list_agencies(session)
            if agency.kind is AgencyKind.SECRETARIAT and agency.code != notice.agency
        ]
    elif action in ("publish", "refuse"):
        recipients = [notice.agency]
    elif action == "send":
        recipients = list(notice.recipients)
    for code in recipients:
        alert_store.add_alert(
            session, agency=code, kind=_ALERTS[action], subject=subject, detail=detail, now=now
        )
    if action in ("publish", "send") and notice.subject:
        return _write_subject(session, identity, notice, now)
    if action in ("withdraw", "expire"):
        retention_store.delete_record(session, _dataset(notice), _entity_id(notice))
    return None


def _dataset(notice: Notice) -> str:
    if notice.kind is NoticeKind.DIFFUSION:
        return f"diffusions_{notice.agency.lower()}"
    return NOTICES_DATASET


def _entity_id(notice: Notice) -> str:
    return f"notice-{notice.notice_id}"


def _write_subject(session: Session, identity: Identity, notice: Notice, now: dt.datetime) -> int:
    properties = dict(notice.subject.get("properties", {}))
    properties["notes"] = [*properties.get("notes", []), f"{notice.kind.value} notice: {notice.title}"]
    if notice.kind in _TOPICS:
        properties["topics"] = [*properties.get("topics", []), *_TOPICS[notice.kind]]
    proxy = entity_from_dict(
        {"id": _entity_id(notice), "schema": notice.subject["schema"], "properties": properties},
        "notice",
        notice.notice_id,
    )
    diffusion = notice.kind is NoticeKind.DIFFUSION
    owner = notice.agency if diffusion else str(identity.agency)
    review = (notice.expires_at or now.replace(year=now.year + 5)).date()
    envelope = Envelope(
        owner_agency=owner,
        dataset=_dataset(notice),
        handling=Handling.AMBER_STRICT if diffusion else Handling.GREEN,
        purpose=f"{notice.kind.value} {'diffusion' if diffusion else 'notice'} {notice.notice_id}",
        retention_review=review,
        releasability=tuple(f"agency:{code}" for code in notice.recipients),
    )
    title = "Diffusions" if diffusion else "Published notices"
    written = write_records(
        session,
        [Record(proxy, notice.notice_id)],
        envelope=envelope,
        title=title,
        kind="notice",
        source=f"notice:{notice.notice_id}",
        now=now,
        identity=identity,
        action="notice.index",
        named_by_liaison=True,
    )
    return written.run_id


def get(engine: Engine, identity: Identity, notice_id: str, now: dt.datetime) -> Notice:
    """One notice the caller may see; audited."""
    with Session(engine) as session, session.begin():
        notice = notice_store.get_notice(session, notice_id, identity)
        audit.record(session, identity, "read", f"notice:{notice_id}", now=now)
    if notice is None:
        raise NotFound(f"no notice {notice_id!r}")
    return notice


def list_notices(
    engine: Engine, identity: Identity, status: str | None = None, *, limit: int = 50, offset: int = 0
) -> tuple[list[Notice], int]:
    """The notices the caller may see, latest first."""
    try:
        wanted = NoticeStatus(status) if status else None
    except ValueError as exc:
        raise BadInput(f"field 'status': {status!r}; use one of {', '.join(NoticeStatus)}") from exc
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise BadInput(f"'limit' must be 1 to {MAX_PAGE} and 'offset' 0 or more")
    with Session(engine) as session:
        return notice_store.list_notices(session, identity, wanted, limit, offset)


def expire_due(engine: Engine, now: dt.datetime) -> list[str]:
    """Expire every published notice past its expiry, as the operator; the ids expired."""
    with Session(engine) as session:
        due = notice_store.published_due_to_expire(session, now)
    for notice_id in due:
        move(engine, Identity.operator(), notice_id, "expire", now=now)
    return due


def view(notice: Notice) -> dict[str, Any]:
    """A notice as the CLI and API show it."""
    return {
        "id": notice.notice_id,
        "kind": notice.kind.value,
        "status": notice.status.value,
        "agency": notice.agency,
        "created_by": notice.created_by,
        "title": notice.title,
        "summary": notice.summary,
        "subject": notice.subject,
        "recipients": list(notice.recipients),
        "reviewed_by": notice.reviewed_by,
        "review_note": notice.review_note,
        "expires_at": notice.expires_at,
        "created_at": notice.created_at,
        "updated_at": notice.updated_at,
    }
