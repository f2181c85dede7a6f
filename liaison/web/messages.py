"""Messages between agencies: threads, priorities (urgent and flash alert at once), read receipts.

What a viewer sees is decided by the messages service (a RED thread only by the users it names);
these pages draw it, and a refused new thread comes back as its form with the reason.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from liaison.errors import BadInput
from liaison.http.deps import EngineDep
from liaison.model import Handling
from liaison.services.messaging import messages
from liaison.services.sharing import catalog
from liaison.web.render import page, redirect
from liaison.web.session import Posted, PostedDep, ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
PRIORITIES = ("routine", "urgent", "flash")


@router.get("/messages", response_class=HTMLResponse)
def threads(request: Request, engine: EngineDep, viewer: ViewerDep) -> HTMLResponse:
    """My agency's threads, latest first, with my unread counts."""
    found, total = messages.list_threads(engine, viewer.identity, limit=100)
    return page(request, viewer, "messages.html", threads=found, total=total)


@router.get("/messages/new", response_class=HTMLResponse)
def new(request: Request, viewer: ViewerDep, to: str = "", entity: str = "") -> HTMLResponse:
    """The form for a new thread, optionally addressed to an agency and about an entity."""
    return _form(request, viewer, {"to": [to] if to else [], "entity": entity})


def _form(
    request: Request, viewer: ViewerDep, values: dict[str, object], status: int = 200, error: str = ""
) -> HTMLResponse:
    others = [
        agency
        for agency in catalog.agencies(request.app.state.engine)
        if agency.code != viewer.identity.agency
    ]
    handlings = [code.value for code in Handling]
    return page(
        request,
        viewer,
        "message_new.html",
        status,
        agencies=others,
        priorities=PRIORITIES,
        handlings=handlings,
        values=values,
        error=error,
    )


@router.post("/messages", response_model=None)
def open_thread(request: Request, engine: EngineDep, sent: PostedDep) -> Response:
    """Start a thread with its first message; a refused one (a RED thread naming no one) comes back
    as the form, filled in as sent, with the reason."""
    try:
        thread, _message = messages.open_thread(
            engine,
            sent.identity,
            sent.text("subject"),
            sent.texts("to"),
            _draft(sent),
            dt.datetime.now(dt.UTC),
        )
    except BadInput as exc:
        fields = ("subject", "priority", "handling", "to_users", "body")
        values: dict[str, object] = {name: sent.text(name) for name in fields}
        values |= {"to": sent.texts("to"), "entity": ", ".join(sent.texts("entity_refs"))}
        return _form(request, sent.viewer, values, status=422, error=str(exc))
    return redirect(f"/app/messages/{thread.thread_id}")


@router.get("/messages/{thread_id}", response_class=HTMLResponse)
def thread(request: Request, engine: EngineDep, viewer: ViewerDep, thread_id: str) -> HTMLResponse:
    """A thread's messages, which are then marked read, with who has read mine."""
    identity = viewer.identity
    found, posts = messages.read_thread(engine, identity, thread_id[:64], dt.datetime.now(dt.UTC))
    # The sender's own reading is no news to them: receipts name the other readers.
    receipts = {
        post.message_id: [
            (reader, at)
            for reader, at in messages.receipts(engine, identity, found.thread_id, post.message_id)
            if reader != post.sender
        ]
        for post in posts
        if post.sender_agency == identity.agency
    }
    # In a RED thread every message is RED: the reply form says so rather than offer other codes.
    handlings = [Handling.RED.value] if found.readers is not None else [code.value for code in Handling]
    return page(
        request,
        viewer,
        "thread.html",
        thread=found,
        posts=posts,
        receipts=receipts,
        priorities=PRIORITIES,
        handlings=handlings,
    )


@router.post("/messages/{thread_id}", response_model=None)
def reply(engine: EngineDep, thread_id: str, sent: PostedDep) -> Response:
    """Answer in a thread."""
    messages.reply(
        engine,
        sent.identity,
        thread_id[:64],
        _draft(sent),
        dt.datetime.now(dt.UTC),
        reply_to=sent.text("reply_to") or None,
    )
    return redirect(f"/app/messages/{thread_id}")


def _draft(sent: Posted) -> messages.Draft:
    return messages.Draft(
        body=sent.text("body"),
        priority=sent.text("priority", "routine"),
        handling=sent.text("handling", "AMBER"),
        to_users=sent.texts("to_users"),
        entity_refs=sent.texts("entity_refs"),
    )
