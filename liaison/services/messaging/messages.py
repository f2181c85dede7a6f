"""Messages between agencies: threads with priority, handling, entity references, receipts, replies.

A thread takes the handling code of the message that opens it. Every participant agency's users
read a thread and its messages, except that a RED thread, subject included, reaches only its
creator and the users its opening message names: to the others it does not exist. Every message
in a RED thread is RED, for the users it names among the thread's readers or, naming none, for
all of them. Elsewhere a RED message reaches only its sender and the users it names. Who reads
what is the one access decision's (`access.decision`, kinds THREAD and MESSAGE), which the store
applies to every list and read. Urgent and flash messages raise alerts at once, in the
transaction that stores them, for those who read them. Sending and reading are audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.decision import Action, ThreadFacts, may
from liaison.errors import BadInput, Forbidden, NotFound
from liaison.model import Handling, Identity
from liaison.services.accounts import audit
from liaison.store import alerts as alert_store
from liaison.store import messages as message_store
from liaison.store.messages import Message, Thread

__all__ = ["PRIORITIES", "Draft", "list_threads", "open_thread", "read_thread", "receipts", "reply"]

PRIORITIES = ("routine", "urgent", "flash")
"""As on police networks: routine traffic, urgent (act today), flash (act now)."""
MAX_BODY = 20_000
MAX_REFS = 50
MAX_PAGE = 200


@dataclass(frozen=True, slots=True)
class Draft:
    """A message as its sender writes it."""

    body: str
    priority: str = "routine"
    handling: str = "AMBER"
    to_users: Sequence[str] = ()
    entity_refs: Sequence[str] = ()


def _member(identity: Identity) -> None:
    """Refuse a caller who may not exchange messages: one who may not write in a thread of their
    own agency (`Action.SEND` on `Kind.THREAD`), which a member agency's user alone may."""
    own = ThreadFacts(frozenset({identity.agency or ""}), Handling.GREEN, identity.actor, frozenset())
    decision = may(identity, Action.SEND, own)
    if not decision:
        raise Forbidden(decision.reason)


def _handling(draft: Draft) -> Handling:
    try:
        return Handling.parse(draft.handling)
    except ValueError as exc:
        raise BadInput(f"field 'handling': {exc}") from exc


def _checked(
    session: Session, identity: Identity, draft: Draft, thread: Thread
) -> tuple[str, str, tuple[str, ...]]:
    """The draft's priority, handling code and named users, once every field is valid.

    In a RED thread the message is RED, for the users it names (readers of the thread) or, naming
    none, for every reader but its sender.
    """
    if draft.priority not in PRIORITIES:
        raise BadInput(f"field 'priority': {draft.priority!r}; use one of {', '.join(PRIORITIES)}")
    handling = _handling(draft)
    if not draft.body.strip() or len(draft.body) > MAX_BODY:
        raise BadInput(f"field 'body': 1 to {MAX_BODY:,} characters")
    if len(draft.entity_refs) > MAX_REFS or any(not 0 < len(ref) <= 255 for ref in draft.entity_refs):
        raise BadInput(f"field 'entity_refs': at most {MAX_REFS} entity ids of 1 to 255 characters")
    to_users = tuple(sorted({name.strip() for name in draft.to_users if name.strip()}))
    readers = thread.readers
    if readers is not None:
        handling = Handling.RED
        strangers = sorted(set(to_users) - set(readers))
        if strangers:
            raise BadInput(
                f"field 'to_users': {strangers[0]!r} is not named in this RED thread "
                f"(its readers: {', '.join(readers)})"
            )
        to_users = to_users or tuple(user for user in readers if user != identity.actor)
    if handling is Handling.RED and not to_users:
        raise BadInput("field 'to_users': a RED message names the users it is for")
    for name in to_users:
        user = store.get_user(session, name) if store.is_known(session, "user", name) else None
        if user is None or user.agency not in thread.participants:
            raise BadInput(f"field 'to_users': {name!r} is not a user of an agency in this thread")
    return draft.priority, handling.value, to_users


def _post(
    session: Session, identity: Identity, thread: Thread, draft: Draft, reply_to: str | None, now: dt.datetime
) -> Message:
    priority, handling, to_users = _checked(session, identity, draft, thread)
    message = message_store.add_message(
        session,
        thread.thread_id,
        identity,
        priority=priority,
        handling=handling,
        to_users=to_users,
        body=draft.body,
        entity_refs=draft.entity_refs,
        reply_to=reply_to,
        now=now,
    )
    if priority != "routine":
        _alert(session, identity, thread, message, now)
    audit.record(
        session,
        identity,
        "message.send",
        f"thread:{thread.thread_id}",
        now=now,
        detail={
            "message": message.message_id,
            "priority": priority,
            "handling": handling,
            "entity_refs": list(draft.entity_refs),
        },
    )
    return message


def _alert(session: Session, identity: Identity, thread: Thread, message: Message, now: dt.datetime) -> None:
    """Urgent and flash messages alert the other agencies in the thread, or a RED message's users.

    Every message of a RED thread is RED, so a RED thread's subject is never sent to an agency.
    """
    detail = {
        "thread": thread.thread_id,
        "subject": thread.subject,
        "from": identity.actor,
        "agency": identity.agency,
        "priority": message.priority,
        "message": message.message_id,
    }
    kind, subject = f"message.{message.priority}", f"thread:{thread.thread_id}"
    if message.handling == Handling.RED.value:
        for user in message.to_users:
            if user == identity.actor:
                continue
            alert_store.add_alert(session, user=user, kind=kind, subject=subject, detail=detail, now=now)
        return
    for agency in thread.participants:
        if agency != identity.agency:
            alert_store.add_alert(session, agency=agency, kind=kind, subject=subject, detail=detail, now=now)


def open_thread(
    engine: Engine,
    identity: Identity,
    subject: str,
    to_agencies: Sequence[str],
    draft: Draft,
    now: dt.datetime,
) -> tuple[Thread, Message]:
    """Start a thread with other agencies (the sender's agency takes part) with its first message.

    The thread takes the first message's handling code. A RED thread names its users in the
    message's `to_users` (users of those agencies); only they and its creator ever see it.
    """
    _member(identity)
    subject = subject.strip()
    if not 0 < len(subject) <= 300:
        raise BadInput("field 'subject': 1 to 300 characters")
    agencies = sorted({code.strip().upper() for code in to_agencies} - {identity.agency})
    if not agencies:
        raise BadInput("field 'to': name at least one other agency")
    with Session(engine) as session, session.begin():
        for code in agencies:
            if not store.is_known(session, "agency", code):
                raise BadInput(f"field 'to': no agency {code!r}")
        handling = _handling(draft)
        if handling is Handling.RED and not any(name.strip() for name in draft.to_users):
            raise BadInput(
                "field 'to_users': a RED thread names the users it is for "
                "(only they and you will see it, subject included)"
            )
        thread_id = message_store.add_thread(
            session,
            subject,
            identity.actor,
            [*agencies, str(identity.agency)],
            now,
            handling=handling.value,
            to_users=[name.strip() for name in draft.to_users if name.strip()],
        )
        thread = message_store.thread_of(session, thread_id, identity)
        assert thread is not None  # made just now, with the sender's agency in it
        return thread, _post(session, identity, thread, draft, None, now)


def reply(
    engine: Engine,
    identity: Identity,
    thread_id: str,
    draft: Draft,
    now: dt.datetime,
    reply_to: str | None = None,
) -> Message:
    """Add a message to a thread the caller reads, answering one of its messages if named.

    In a RED thread the message is RED, for the thread's readers it names or, naming none, all of them.
    """
    _member(identity)
    with Session(engine) as session, session.begin():
        thread = message_store.thread_of(session, thread_id, identity)
        if thread is None:
            raise NotFound(f"no thread {thread_id!r} of yours")
        if reply_to is not None and message_store.message_in(session, thread_id, reply_to, identity) is None:
            raise NotFound(f"no message {reply_to!r} in thread {thread_id!r}")
        return _post(session, identity, thread, draft, reply_to, now)


def list_threads(
    engine: Engine, identity: Identity, *, limit: int = 50, offset: int = 0
) -> tuple[list[Thread], int]:
    """The threads the caller reads (their agency's, a RED one if it names them), latest first, with
    the caller's unread counts."""
    _member(identity)
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise BadInput(f"'limit' must be 1 to {MAX_PAGE} and 'offset' 0 or more")
    with Session(engine) as session:
        return message_store.threads_for(session, identity, limit, offset)


def read_thread(
    engine: Engine, identity: Identity, thread_id: str, now: dt.datetime
) -> tuple[Thread, list[Message]]:
    """A thread and the messages the caller may read in it, which are then marked read; audited."""
    _member(identity)
    with Session(engine) as session, session.begin():
        thread = message_store.thread_of(session, thread_id, identity)
        if thread is None:
            raise NotFound(f"no thread {thread_id!r} of yours")
        messages = message_store.visible_messages(session, thread_id, identity)
        fresh = message_store.mark_read(
            session, [message.message_id for message in messages], identity.actor, now
        )
        audit.record(session, identity, "read", f"thread:{thread_id}", now=now, detail={"newly_read": fresh})
    return thread, messages


def receipts(
    engine: Engine, identity: Identity, thread_id: str, message_id: str
) -> list[tuple[str, dt.datetime]]:
    """Who read a message the caller may read, and when."""
    _member(identity)
    with Session(engine) as session:
        if message_store.message_in(session, thread_id, message_id, identity) is None:
            raise NotFound(f"no message {message_id!r} in thread {thread_id!r}")
        return message_store.receipts_of(session, message_id)
