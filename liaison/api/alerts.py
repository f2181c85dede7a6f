"""`/api/v1/watches`, `/api/v1/webhooks` and `/api/v1/alerts/stream`: 24/7 alerts as they happen."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from liaison.http.auth import CallerDep, SettingsDep, WriterDep
from liaison.http.deps import EngineDep
from liaison.http.problems import MAX_ID
from liaison.http.stated import MATCHABLE_SCHEMA
from liaison.model import Identity
from liaison.services.messaging import alerts, webhooks
from liaison.services.screening import watches
from liaison.store.watches import Watch

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["alerts"])

POLL_SECONDS = 0.2
"""How often the stream looks for new alerts: well inside the two seconds an alert may take."""
HEARTBEAT_SECONDS = 15.0


class WatchIn(BaseModel):
    """A watch: what to look for, as an FtM query example, and from which score to alert."""

    label: str = Field(min_length=1, max_length=300, examples=["Ivan Sokolov, case 118"])
    schema_: str = Field(
        alias="schema", max_length=64, examples=["Person"], json_schema_extra=MATCHABLE_SCHEMA
    )
    properties: dict[str, list[str] | str] = Field(
        examples=[{"name": ["Ivan Sokolov"], "birthDate": ["1975"]}]
    )
    threshold: float = Field(default=0.7, ge=0.5, le=1.0)


class EntityWatchIn(BaseModel):
    """A watch on a record you may read: alert when other records of the same person or body appear."""

    dataset: str = Field(max_length=64)
    entity_id: str = Field(max_length=255)
    threshold: float = Field(default=0.7, ge=0.5, le=1.0)


class WatchOut(BaseModel):
    """A watch of yours."""

    id: str
    label: str
    query: dict[str, Any]
    threshold: float
    created_at: dt.datetime


class WebhookIn(BaseModel):
    """Where to post your alerts."""

    url: str = Field(
        max_length=2_000,
        examples=["https://soc.example.org/liaison-alerts"],
        json_schema_extra={
            "pattern": r"^https?://([^\s\x00/?#@:\[\]]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?([/?#][^\s\x00]*)?$"
        },
    )


class WebhookOut(BaseModel):
    """A webhook; `secret` is given once, when it is added, to check the `X-Liaison-Signature` header."""

    id: str
    url: str
    created_at: dt.datetime
    secret: str | None = None


def _watch(watch: Watch) -> WatchOut:
    return WatchOut(
        id=watch.watch_id,
        label=watch.label,
        query=watch.query,
        threshold=watch.threshold,
        created_at=watch.created_at,
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.post("/watches", status_code=201, response_model=WatchOut)
def add_watch(body: WatchIn, engine: EngineDep, identity: WriterDep) -> WatchOut:
    """Be alerted when new or changed data matches this query, within what you may read.

    Hits on records you may not read come as hit/no-hit references.
    """
    query = {"schema": body.schema_, "properties": body.properties}
    return _watch(watches.add(engine, identity, body.label, query, body.threshold, _now()))


@router.post("/watches/entity", status_code=201, response_model=WatchOut)
def watch_entity(body: EntityWatchIn, engine: EngineDep, identity: WriterDep) -> WatchOut:
    """Watch for other records of an entity you may read."""
    return _watch(
        watches.watch_entity(engine, identity, body.dataset, body.entity_id, body.threshold, _now())
    )


@router.get("/watches", response_model=list[WatchOut])
def list_watches(engine: EngineDep, identity: CallerDep) -> list[WatchOut]:
    """Your watches."""
    return [_watch(watch) for watch in watches.list_watches(engine, identity)]


@router.delete("/watches/{watch_id}", status_code=204)
def remove_watch(watch_id: str, engine: EngineDep, identity: WriterDep) -> None:
    """Stop a watch."""
    watches.remove(engine, identity, watch_id, _now())


@router.post("/webhooks", status_code=201, response_model=WebhookOut)
def add_webhook(body: WebhookIn, engine: EngineDep, settings: SettingsDep, identity: WriterDep) -> WebhookOut:
    """Post your alerts (and your agency's) to a URL as well, signed with HMAC-SHA256; retried until taken."""
    setup = webhooks.config(settings)
    added = webhooks.add(engine, identity, body.url, _now(), setup)
    hook = added.webhook
    return WebhookOut(id=hook.webhook_id, url=hook.url, created_at=hook.created_at, secret=added.secret)


@router.get("/webhooks", response_model=list[WebhookOut])
def list_webhooks(engine: EngineDep, identity: CallerDep) -> list[WebhookOut]:
    """Your webhooks (without their secrets)."""
    found = webhooks.list_webhooks(engine, identity)
    return [WebhookOut(id=hook.webhook_id, url=hook.url, created_at=hook.created_at) for hook in found]


@router.delete("/webhooks/{webhook_id}", status_code=204)
def remove_webhook(webhook_id: str, engine: EngineDep, identity: WriterDep) -> None:
    """Remove a webhook."""
    webhooks.remove(engine, identity, webhook_id, _now())


@router.get(
    "/alerts/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream_alerts(
    request: Request,
    engine: EngineDep,
    identity: CallerDep,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="Start after this alert id.")] = 0,
    max_events: Annotated[int | None, Query(ge=1, le=10_000, description="Close after this many.")] = None,
    unnamed: Annotated[
        bool, Query(description="Send every alert as an unnamed event, for a browser's `onmessage`.")
    ] = False,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Your alerts as server-sent events, as they are raised; reconnecting with `Last-Event-ID` resumes.

    Each event has the alert's id, its kind as the event name (none with `unnamed`), and the
    alert as JSON data.
    """
    alerts.list_alerts(engine, identity, 0, 1)  # refuse the public before the stream opens
    start = int(last_event_id) if last_event_id and last_event_id.isdigit() else after
    return StreamingResponse(
        _events(request, identity, min(start, MAX_ID), max_events, unnamed),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _events(
    request: Request, identity: Identity, after: int, limit: int | None, unnamed: bool
) -> AsyncIterator[bytes]:
    engine = request.app.state.engine
    sent, quiet = 0, 0.0
    yield b": connected\n\n"
    while limit is None or sent < limit:
        found = await run_in_threadpool(alerts.list_alerts, engine, identity, after, 100)
        for alert in found[: None if limit is None else limit - sent]:
            named = "" if unnamed else f"event: {alert.kind}\n"
            event = f"id: {alert.alert_id}\n{named}data: ".encode()
            yield event + orjson.dumps(alerts.view(alert)) + b"\n\n"
            after, sent, quiet = alert.alert_id, sent + 1, 0.0
        if limit is not None and sent >= limit:
            return
        if await request.is_disconnected():
            return
        await asyncio.sleep(POLL_SECONDS)
        quiet += POLL_SECONDS
        if quiet >= HEARTBEAT_SECONDS:
            yield b": heartbeat\n\n"
            quiet = 0.0
