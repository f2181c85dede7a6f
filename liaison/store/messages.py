"""Message threads between agencies: participants, messages, read receipts.

Access to messages is decided here, by two conditions every list and read is built with:
`readable_threads` (a thread, its subject and its counts) and `readable_messages` (a message).
A caller reads a thread if their agency takes part in it, except a RED thread, which only its
creator and the users it names read (TLP:RED is for the eyes of named recipients): the others
of the participant agencies get nothing of it, not even its subject, and by id it is absent.
Within a thread they read, RED messages reach only their sender and the users they name.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from liaison.model import Handling, Identity, IdentityKind
from liaison.store.tables import MessageRow, ReceiptRow, ThreadParticipantRow, ThreadRow

__all__ = [
    "Message",
    "Thread",
    "add_message",
    "add_thread",
    "mark_read",
    "readable_messages",
    "readable_threads",
    "receipts_of",
    "thread_of",
    "threads_for",
    "visible_messages",
]


@dataclass(frozen=True, slots=True)
class Thread:
    """A thread with its participants and, for the caller, how many messages they have not read.

    `handling` is the thread's TLP code, its opening message's; a RED thread is read only by its
    creator and `to_users`, the users it names (empty for any other code).
    """

    thread_id: str
    subject: str
    created_by: str
    participants: tuple[str, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    handling: str = Handling.AMBER.value
    to_users: tuple[str, ...] = ()
    unread: int = 0

    @property
    def readers(self) -> tuple[str, ...] | None:
        """Who alone reads a RED thread (its creator and the users it names); None for the others."""
        if self.handling != Handling.RED.value:
            return None
        return tuple(sorted({self.created_by, *self.to_users}))


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


def readable_threads(identity: Identity) -> ColumnElement[bool]:
    """The threads the caller reads: their agency's, and of those a RED one only if it names them."""
    if identity.kind is IdentityKind.OPERATOR:
        return true()
    if identity.kind is not IdentityKind.MEMBER or identity.user is None:
        return false()  # the public reads no thread
    in_agency = ThreadRow.id.in_(
        select(ThreadParticipantRow.thread).where(ThreadParticipantRow.agency == identity.agency)
    )
    named = or_(
        ThreadRow.handling != Handling.RED.value,
        ThreadRow.created_by == identity.user,
        _names(ThreadRow.to_users, identity.user),
    )
    return and_(in_agency, named)


def readable_messages(identity: Identity) -> ColumnElement[bool]:
    """The messages the caller reads: in a thread they read, and a RED one only if sent by or to them."""
    in_thread = MessageRow.thread.in_(select(ThreadRow.id).where(readable_threads(identity)))
    if identity.kind is IdentityKind.OPERATOR:
        return in_thread
    named = or_(
        MessageRow.handling != Handling.RED.value,
        MessageRow.sender == identity.user,
        _names(MessageRow.to_users, identity.user or ""),
    )
    return and_(in_thread, named)


def _names(column: Any, user: str) -> ColumnElement[bool]:
    # Named users are kept as "|a|b|" text, so that one LIKE tells a name.
    return column.contains(f"|{user}|", autoescape=True)  # type: ignore[no-any-return]


def _named(users: Sequence[str]) -> str:
    return "|" + "".join(f"{user}|" for user in sorted(set(users)))


def _unnamed(text: str) -> tuple[str, ...]:
    return tuple(user for user in text.split("|") if user)


def add_thread(
    session: Session,
    subject: str,
    by: str,
    agencies: Sequence[str],
    now: dt.datetime,
    *,
    handling: str = Handling.AMBER.value,
    to_users: Sequence[str] = (),
) -> str:
    """A new thread between these agencies, under a TLP code; its id. A RED thread names its users."""
    thread_id = secrets.token_hex(8)
    if handling == Handling.RED.value and not to_users:
        raise ValueError("a RED thread names the users it is for")
    named = _named(to_users if handling == Handling.RED.value else ())
    session.add(
        ThreadRow(
            id=thread_id, subject=subject, created_by=by, handling=handling, to_users=named,
            created_at=now, updated_at=now,
        )
    )  # fmt: skip
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
        to_users=_named(to_users),
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
        _unnamed(row.to_users), row.body, tuple(row.entity_refs),
        row.reply_to, row.created_at,
    )  # fmt: skip


def thread_of(session: Session, thread_id: str, identity: Identity) -> Thread | None:
    """The thread if the caller reads it (`readable_threads`); None as for a thread that is not there."""
    row = session.scalars(
        select(ThreadRow).where(ThreadRow.id == thread_id, readable_threads(identity))
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
        row.id, row.subject, row.created_by, tuple(participants), row.created_at, row.updated_at,
        row.handling, _unnamed(row.to_users), unread,
    )  # fmt: skip


def threads_for(session: Session, identity: Identity, limit: int, offset: int) -> tuple[list[Thread], int]:
    """The caller's threads, latest activity first, with the caller's unread counts; and the total."""
    readable = readable_threads(identity)
    total = session.scalar(select(func.count()).select_from(ThreadRow).where(readable)) or 0
    rows = session.scalars(
        select(ThreadRow).where(readable).order_by(ThreadRow.updated_at.desc(), ThreadRow.id)
        .limit(limit).offset(offset)
    ).all()  # fmt: skip
    unread = dict(
        session.execute(
            select(MessageRow.thread, func.count())
            .where(MessageRow.thread.in_([row.id for row in rows]), readable_messages(identity))
            .where(~MessageRow.id.in_(select(ReceiptRow.message).where(ReceiptRow.user == identity.actor)))
            .group_by(MessageRow.thread)
        ).all()
    )
    return [_thread(session, row, unread.get(row.id, 0)) for row in rows], total


def visible_messages(session: Session, thread_id: str, identity: Identity) -> list[Message]:
    """The thread's messages the caller may read, oldest first (none if they do not read the thread)."""
    query = (
        select(MessageRow)
        .where(MessageRow.thread == thread_id, readable_messages(identity))
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
