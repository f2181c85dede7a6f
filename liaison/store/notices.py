"""Notices and diffusions: rows, and the one query that decides who sees which.

Published notices (and, once published, their withdrawal or expiry) reach every member agency;
drafts and refusals stay with their agency; submitted notices also reach the secretariat's
reviewers; diffusions reach their agency and the agencies they name.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind, NoticeFacts
from liaison.model import Identity, NoticeKind, NoticeStatus
from liaison.store.access import where
from liaison.store.tables import NoticeRow

__all__ = ["Notice", "add_notice", "get_notice", "list_notices", "published_due_to_expire", "set_status"]


@dataclass(frozen=True, slots=True)
class Notice:
    """A notice or diffusion as stored."""

    notice_id: str
    kind: NoticeKind
    status: NoticeStatus
    agency: str
    created_by: str
    title: str
    summary: str
    subject: dict[str, Any]
    recipients: tuple[str, ...]
    reviewed_by: str | None
    review_note: str
    expires_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def facts(self) -> NoticeFacts:
        """What the access decision reads of the notice."""
        return NoticeFacts(self.agency, self.kind, self.status, frozenset(self.recipients))


def _notice(row: NoticeRow) -> Notice:
    return Notice(
        row.id,
        NoticeKind(row.kind),
        NoticeStatus(row.status),
        row.agency,
        row.created_by,
        row.title,
        row.summary,
        dict(row.subject),
        tuple(row.recipients),
        row.reviewed_by,
        row.review_note,
        row.expires_at,
        row.created_at,
        row.updated_at,
    )


def _visible(identity: Identity) -> ColumnElement[bool]:
    return where(identity, Action.READ, Kind.NOTICE)


def add_notice(
    session: Session,
    *,
    kind: NoticeKind,
    agency: str,
    by: str,
    title: str,
    summary: str,
    subject: dict[str, Any],
    recipients: list[str],
    expires_at: dt.datetime | None,
    now: dt.datetime,
) -> Notice:
    """A new draft."""
    row = NoticeRow(
        id=secrets.token_hex(8),
        kind=kind.value,
        status=NoticeStatus.DRAFT.value,
        agency=agency,
        created_by=by,
        title=title,
        summary=summary,
        subject=subject,
        recipients=recipients,
        reviewed_by=None,
        review_note="",
        expires_at=expires_at,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return _notice(row)


def get_notice(session: Session, notice_id: str, identity: Identity, *, lock: bool = False) -> Notice | None:
    """The notice if the caller may see it."""
    query = select(NoticeRow).where(NoticeRow.id == notice_id, _visible(identity))
    row = session.scalars(query.with_for_update() if lock else query).one_or_none()
    return None if row is None else _notice(row)


def list_notices(
    session: Session, identity: Identity, status: NoticeStatus | None, limit: int, offset: int
) -> tuple[list[Notice], int]:
    """The notices the caller may see, newest first, and how many."""
    condition = _visible(identity)
    if status is not None:
        condition = and_(condition, NoticeRow.status == status.value)
    total = session.scalar(select(func.count()).select_from(NoticeRow).where(condition)) or 0
    query = select(NoticeRow).where(condition).order_by(NoticeRow.updated_at.desc(), NoticeRow.id)
    return [_notice(row) for row in session.scalars(query.limit(limit).offset(offset))], total


def set_status(
    session: Session,
    notice_id: str,
    status: NoticeStatus,
    now: dt.datetime,
    reviewer: str | None = None,
    note: str | None = None,
) -> Notice:
    """Move a notice to a status, recording its reviewer and note when given."""
    row = session.get(NoticeRow, notice_id)
    if row is None:
        raise LookupError(notice_id)
    row.status, row.updated_at = status.value, now
    if reviewer is not None:
        row.reviewed_by = reviewer
    if note is not None:
        row.review_note = note
    session.flush()
    return _notice(row)


def published_due_to_expire(session: Session, now: dt.datetime) -> list[str]:
    """Ids of published notices whose expiry has passed."""
    query = select(NoticeRow.id).where(
        NoticeRow.status == NoticeStatus.PUBLISHED.value,
        NoticeRow.expires_at.is_not(None),
        NoticeRow.expires_at <= now,
    )
    return list(session.scalars(query))
