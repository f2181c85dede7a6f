"""`/api/v1/threads`: messages between agencies, with priority, handling, receipts and replies."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from liaison.http.auth import CallerDep, WriterDep
from liaison.http.deps import EngineDep
from liaison.http.problems import MAX_OFFSET
from liaison.http.stated import HANDLING
from liaison.services.messaging import messages
from liaison.store.messages import Message, Thread

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["messages"])


class MessageIn(BaseModel):
    """A message as its sender writes it."""

    body: str = Field(min_length=1, max_length=messages.MAX_BODY)
    priority: str = Field(default="routine", pattern="^(routine|urgent|flash)$")
    handling: str = Field(default="AMBER", max_length=16, examples=["AMBER"], json_schema_extra=HANDLING)
    to_users: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="For RED: the users it is for (required). Opening a thread, they alone (and you) "
        "will see the thread, subject included; in a RED thread, none names all its readers.",
    )
    entity_refs: list[Annotated[str, Field(json_schema_extra={"minLength": 1, "maxLength": 255})]] = Field(
        default_factory=list, max_length=messages.MAX_REFS
    )
    reply_to: str | None = Field(default=None, max_length=32)


class ThreadIn(MessageIn):
    """A new thread: its subject, the agencies it goes to, and its first message, whose handling
    code is the thread's. A RED thread names its users in `to_users`: no one else sees it."""

    subject: str = Field(min_length=1, max_length=300)
    to: list[str] = Field(min_length=1, max_length=200, examples=[["NCB-ES"]])


class MessageOut(BaseModel):
    """A message as the caller may read it."""

    id: str
    sender: str
    sender_agency: str
    priority: str
    handling: str
    to_users: list[str]
    body: str
    entity_refs: list[str]
    reply_to: str | None
    created_at: dt.datetime


class ThreadOut(BaseModel):
    """A thread, with the caller's unread count and, when read, its messages."""

    id: str
    subject: str
    created_by: str
    participants: list[str]
    handling: str = Field(description="The thread's TLP code, its opening message's.")
    to_users: list[str] = Field(description="For a RED thread: the users it is for, with its creator.")
    created_at: dt.datetime
    updated_at: dt.datetime
    unread: int
    messages: list[MessageOut] = Field(default_factory=list)


class ThreadPage(BaseModel):
    """One page of threads, latest activity first."""

    results: list[ThreadOut]
    total: int
    limit: int
    offset: int


class ReceiptOut(BaseModel):
    """Who read a message, and when."""

    user: str
    read_at: dt.datetime


def _message(message: Message) -> MessageOut:
    return MessageOut(
        id=message.message_id,
        sender=message.sender,
        sender_agency=message.sender_agency,
        priority=message.priority,
        handling=message.handling,
        to_users=list(message.to_users),
        body=message.body,
        entity_refs=list(message.entity_refs),
        reply_to=message.reply_to,
        created_at=message.created_at,
    )


def _thread(thread: Thread, shown: list[Message] | None = None) -> ThreadOut:
    return ThreadOut(
        id=thread.thread_id,
        subject=thread.subject,
        created_by=thread.created_by,
        participants=list(thread.participants),
        handling=thread.handling,
        to_users=list(thread.to_users),
        created_at=thread.created_at,
        updated_at=thread.updated_at,
        unread=thread.unread,
        messages=[_message(message) for message in shown or []],
    )


def _draft(body: MessageIn) -> messages.Draft:
    return messages.Draft(
        body.body, body.priority, body.handling, tuple(body.to_users), tuple(body.entity_refs)
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.post("/threads", status_code=201, response_model=ThreadOut)
def open_thread(body: ThreadIn, engine: EngineDep, identity: WriterDep) -> ThreadOut:
    """Start a thread with other agencies; urgent and flash messages alert them at once.

    Example body: `{"subject": "Vessel Aurora", "to": ["NCB-ES"], "body": "Arriving 04:00",
    "priority": "urgent", "handling": "AMBER", "entity_refs": ["imo-9123456"]}`. With
    `"handling": "RED", "to_users": ["carmen"]` only carmen (and you) will see the thread at all;
    a RED thread that names no one is refused (422).
    """
    thread, message = messages.open_thread(engine, identity, body.subject, body.to, _draft(body), _now())
    return _thread(thread, [message])


@router.get("/threads", response_model=ThreadPage)
def list_threads(
    engine: EngineDep,
    identity: CallerDep,
    limit: Annotated[int, Query(ge=1, le=messages.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ThreadPage:
    """Your agency's threads (a RED one only if it names you), latest activity first, with how many
    messages you have not read."""
    threads, total = messages.list_threads(engine, identity, limit=limit, offset=offset)
    return ThreadPage(
        results=[_thread(thread) for thread in threads], total=total, limit=limit, offset=offset
    )


@router.get("/threads/{thread_id}", response_model=ThreadOut)
def read_thread(thread_id: str, engine: EngineDep, identity: CallerDep) -> ThreadOut:
    """A thread with the messages you may read; reading marks them read (receipts). A thread you may
    not read, a RED one that does not name you, is absent (404)."""
    thread, shown = messages.read_thread(engine, identity, thread_id, _now())
    return _thread(thread, shown)


@router.post("/threads/{thread_id}/messages", status_code=201, response_model=MessageOut)
def post_message(thread_id: str, body: MessageIn, engine: EngineDep, identity: WriterDep) -> MessageOut:
    """Write in a thread of your agency, answering `reply_to` if given."""
    return _message(messages.reply(engine, identity, thread_id, _draft(body), _now(), body.reply_to))


@router.get("/threads/{thread_id}/messages/{message_id}/receipts", response_model=list[ReceiptOut])
def message_receipts(
    thread_id: str, message_id: str, engine: EngineDep, identity: CallerDep
) -> list[ReceiptOut]:
    """Who read a message, and when."""
    found = messages.receipts(engine, identity, thread_id, message_id)
    return [ReceiptOut(user=user, read_at=at) for user, at in found]
