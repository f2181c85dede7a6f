"""Message threads between agencies: participants, messages, read receipts.

Every list and read of threads (a thread, its subject, its counts) and of messages is built with
the one access decision's SQL form (`store.access.where`, kinds THREAD and MESSAGE): a RED
thread's other readers get nothing of it, not even its subject, and by id it is absent.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.access.decision import Action, Kind, ThreadFacts
from liaison.model import Handling, Identity
from liaison.store.access import where
from liaison.store.tables import MessageRow, ReceiptRow, ThreadParticipantRow, ThreadRow

__all__ = [
    "Message",
    "Thread",
    "add_message",
    "add_thread",
    "mark_read",
    "message_in",
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

    @property
    def facts(self) -> ThreadFacts:
        """What the access decision reads of the thread."""
        return ThreadFacts(
            frozenset(self.participants), Handling(self.handling), self.created_by, frozenset(self.to_users)
        )


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
            id=thread_id,
            subject=subject,
            created_by=by,
            handling=handling,
            to_users=named,
            created_at=now,
            updated_at=now,
        )
    )
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
        row.id,
        row.thread,
        row.sender,
        row.sender_agency,
        row.priority,
        row.handling,
        _unnamed(row.to_users),
        row.body,
        tuple(row.entity_refs),
        row.reply_to,
        row.created_at,
    )


def thread_of(session: Session, thread_id: str, identity: Identity) -> Thread | None:
    """The thread if the caller reads it; None as for a thread that is not there."""
    readable = where(identity, Action.READ, Kind.THREAD)
    row = session.scalars(select(ThreadRow).where(ThreadRow.id == thread_id, readable)).one_or_none()
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
        row.id,
        row.subject,
        row.created_by,
        tuple(participants),
        row.created_at,
        row.updated_at,
        row.handling,
        _unnamed(row.to_users),
        unread,
    )


def threads_for(session: Session, identity: Identity, limit: int, offset: int) -> tuple[list[Thread], int]:
    """The caller's threads, latest activity first, with the caller's unread counts; and the total."""
    readable = where(identity, Action.READ, Kind.THREAD)
    total = session.scalar(select(func.count()).select_from(ThreadRow).where(readable)) or 0
    rows = session.scalars(
        select(ThreadRow)
        .where(readable)
        .order_by(ThreadRow.updated_at.desc(), ThreadRow.id)
        .limit(limit)
        .offset(offset)
    ).all()
    unread = dict(
        session.execute(
            select(MessageRow.thread, func.count())
            .where(
                MessageRow.thread.in_([row.id for row in rows]), where(identity, Action.READ, Kind.MESSAGE)
            )
            .where(~MessageRow.id.in_(select(ReceiptRow.message).where(ReceiptRow.user == identity.actor)))
            .group_by(MessageRow.thread)
        ).all()
    )
    return [_thread(session, row, unread.get(row.id, 0)) for row in rows], total


def visible_messages(session: Session, thread_id: str, identity: Identity) -> list[Message]:
    """The thread's messages the caller may read, oldest first (none if they do not read the thread)."""
    query = (
        select(MessageRow)
        .where(MessageRow.thread == thread_id, where(identity, Action.READ, Kind.MESSAGE))
        .order_by(MessageRow.created_at, MessageRow.id)
    )
    return [_message(row) for row in session.scalars(query)]


def message_in(session: Session, thread_id: str, message_id: str, identity: Identity) -> Message | None:
    """The thread's message if the caller may read it; None as for a message that is not there."""
    query = select(MessageRow).where(
        MessageRow.id == message_id,
        MessageRow.thread == thread_id,
        where(identity, Action.READ, Kind.MESSAGE),
    )
    row = session.scalars(query).one_or_none()
    return None if row is None else _message(row)


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
