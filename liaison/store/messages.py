"""Message threads between agencies: participants, messages, read receipts.

`visible_messages` is the one query that reads messages: a caller sees a thread's messages if
their agency takes part in it, except RED messages, which reach only their sender and the users
they name.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, true
from sqlalchemy.orm import Session

from liaison.model import Handling, Identity, IdentityKind
from liaison.store.tables import MessageRow, ReceiptRow, ThreadParticipantRow, ThreadRow

__all__ = [
    "Message",
    "Thread",
    "add_message",
    "add_thread",
    "mark_read",
    "receipts_of",
    "thread_of",
    "threads_for",
    "visible_messages",
]


@dataclass(frozen=True, slots=True)
class Thread:
    """A thread with its participants and, for the caller, how many messages they have not read."""

    thread_id: str
    subject: str
    created_by: str
    participants: tuple[str, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    unread: int = 0


@dataclass(frozen=True, slots=True)
class Message:
    """One message as a reader may see it."""

    message_id: str
    thread_id: str
    sender: str
    sender_agency: str
    priority: str
    handling: str
    to_users: tuple[str, ...]
    body: str
    entity_refs: tuple[str, ...]
    reply_to: str | None
    created_at: dt.datetime


def _may_see(identity: Identity) -> ColumnElement[bool]:
    """Which messages of a thread the caller's agency takes part in they may read."""
    if identity.kind is IdentityKind.OPERATOR:
        return true()
    return or_(
        MessageRow.handling != Handling.RED.value,
        MessageRow.sender == identity.user,
        MessageRow.to_users.contains(f"|{identity.user}|", autoescape=True),
    )


def _in_thread(identity: Identity) -> ColumnElement[bool]:
    if identity.kind is IdentityKind.OPERATOR:
        return true()
    return ThreadRow.id.in_(
        select(ThreadParticipantRow.thread).where(ThreadParticipantRow.agency == identity.agency)
    )


def add_thread(session: Session, subject: str, by: str, agencies: Sequence[str], now: dt.datetime) -> str:
    """A new thread between these agencies; its id."""
    thread_id = secrets.token_hex(8)
    session.add(ThreadRow(id=thread_id, subject=subject, created_by=by, created_at=now, updated_at=now))
    # Without relationships between the classes, the unit of work does not order the two inserts.
    session.flush()
    session.add_all(ThreadParticipantRow(thread=thread_id, agency=agency) for agency in sorted(set(agencies)))
    session.flush()
    return thread_id


def add_message(
    session: Session,
    thread_id: str,
    sender: Identity,
    *,
    priority: str,
    handling: str,
    to_users: Sequence[str],
    body: str,
    entity_refs: Sequence[str],
    reply_to: str | None,
    now: dt.datetime,
) -> Message:
    """Append a message to a thread; the sender has read it."""
    row = MessageRow(
        id=secrets.token_hex(8),
        thread=thread_id,
        sender=sender.actor,
        sender_agency=sender.agency or "",
        priority=priority,
        handling=handling,
        to_users="|" + "".join(f"{user}|" for user in sorted(set(to_users))),
        body=body,
        entity_refs=list(entity_refs),
        reply_to=reply_to,
        created_at=now,
    )
    session.add(row)
    thread = session.get(ThreadRow, thread_id)
    if thread is not None:
        thread.updated_at = now
    session.flush()
    session.add(ReceiptRow(message=row.id, user=sender.actor, read_at=now))
    return _message(row)


def _message(row: MessageRow) -> Message:
    return Message(
        row.id, row.thread, row.sender, row.sender_agency, row.priority, row.handling,
        tuple(user for user in row.to_users.split("|") if user), row.body, tuple(row.entity_refs),
        row.reply_to, row.created_at,
    )  # fmt: skip


def thread_of(session: Session, thread_id: str, identity: Identity) -> Thread | None:
    """The thread if the caller's agency takes part in it."""
    row = session.scalars(
        select(ThreadRow).where(ThreadRow.id == thread_id, _in_thread(identity))
    ).one_or_none()
    if row is None:
        return None
    return _thread(session, row, 0)


def _thread(session: Session, row: ThreadRow, unread: int) -> Thread:
    participants = session.scalars(
        select(ThreadParticipantRow.agency)
        .where(ThreadParticipantRow.thread == row.id)
        .order_by(ThreadParticipantRow.agency)
    ).all()
    return Thread(
        row.id, row.subject, row.created_by, tuple(participants), row.created_at, row.updated_at, unread
    )


def threads_for(session: Session, identity: Identity, limit: int, offset: int) -> tuple[list[Thread], int]:
    """The caller's threads, latest activity first, with the caller's unread counts; and the total."""
    total = session.scalar(select(func.count()).select_from(ThreadRow).where(_in_thread(identity))) or 0
    rows = session.scalars(
        select(ThreadRow).where(_in_thread(identity)).order_by(ThreadRow.updated_at.desc(), ThreadRow.id)
        .limit(limit).offset(offset)
    ).all()  # fmt: skip
    unread = dict(
        session.execute(
            select(MessageRow.thread, func.count())
            .where(MessageRow.thread.in_([row.id for row in rows]), _may_see(identity))
            .where(~MessageRow.id.in_(select(ReceiptRow.message).where(ReceiptRow.user == identity.actor)))
            .group_by(MessageRow.thread)
        ).all()
    )
    return [_thread(session, row, unread.get(row.id, 0)) for row in rows], total


def visible_messages(session: Session, thread_id: str, identity: Identity) -> list[Message]:
    """The thread's messages the caller may read, oldest first (none if their agency is not in it)."""
    query = (
        select(MessageRow)
        .join(ThreadRow, ThreadRow.id == MessageRow.thread)
        .where(MessageRow.thread == thread_id, _in_thread(identity), _may_see(identity))
        .order_by(MessageRow.created_at, MessageRow.id)
    )
    return [_message(row) for row in session.scalars(query)]


def mark_read(session: Session, message_ids: Sequence[str], user: str, now: dt.datetime) -> int:
    """Record that the user read these messages; how many were new to them."""
    seen = set(
        session.scalars(
            select(ReceiptRow.message).where(
                ReceiptRow.user == user, ReceiptRow.message.in_(list(message_ids))
            )
        )
    )
    fresh = [message_id for message_id in message_ids if message_id not in seen]
    session.add_all(ReceiptRow(message=message_id, user=user, read_at=now) for message_id in fresh)
    return len(fresh)


def receipts_of(session: Session, message_id: str) -> list[tuple[str, dt.datetime]]:
    """Who read a message, and when, in order."""
    query = select(ReceiptRow.user, ReceiptRow.read_at).where(ReceiptRow.message == message_id)
    return [(user, at) for user, at in session.execute(query.order_by(ReceiptRow.read_at, ReceiptRow.user))]
