"""`/api/v1/access-requests` and `/api/v1/alerts`: the hit/no-hit exchange and the alerts it raises."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from liaison.http.auth import CallerDep, WriterDep
from liaison.http.deps import EngineDep
from liaison.http.problems import MAX_ID, MAX_OFFSET
from liaison.http.stated import SAYS_SOMETHING
from liaison.services.messaging import alerts
from liaison.services.sharing import hits

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["sharing"])


class AccessRequestIn(BaseModel):
    """A request for the record behind a hit/no-hit reference."""

    reference: str = Field(max_length=32, examples=["8504800a0e7edcfb"])
    reason: str = Field(
        max_length=hits.MAX_REASON,
        examples=["same passport number as our suspect"],
        json_schema_extra=SAYS_SOMETHING,
    )


class DecisionIn(BaseModel):
    """A grant or refusal, with a word to the requester."""

    note: str = Field(default="", max_length=hits.MAX_REASON)


class AccessRequestOut(BaseModel):
    """A request as its reader may see it: the record is named only to its owner, or once granted."""

    request: str
    reference: str
    requester: str
    requester_agency: str
    owner_agency: str
    dataset: str | None
    entity_id: str | None
    reason: str
    status: str
    release_entry: str | None
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    note: str


class AccessRequestPage(BaseModel):
    """One page of requests, oldest first."""

    results: list[AccessRequestOut]
    total: int
    limit: int
    offset: int


class AlertOut(BaseModel):
    """An alert to the caller or the caller's agency."""

    id: int
    kind: str
    subject: str
    detail: dict[str, Any]
    created_at: dt.datetime


class AlertPage(BaseModel):
    """Alerts after a cursor; pass `next_after` as `after` for the next page."""

    results: list[AlertOut]
    next_after: int


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.post("/access-requests", status_code=201, response_model=AccessRequestOut)
def create_access_request(
    body: AccessRequestIn, request: Request, engine: EngineDep, identity: WriterDep
) -> AccessRequestOut:
    """Ask the owner agency for a record your search, match or screening hit but you may not read.

    Example body: `{"reference": "8504800a0e7edcfb", "reason": "same passport as our suspect"}`.
    The owner agency is alerted; 404 if the reference is not yours, 409 if a request is pending.
    """
    made = hits.request_access(engine, identity, body.reference, body.reason, _now())
    return AccessRequestOut.model_validate(hits.request_view(made, identity))


@router.get("/access-requests", response_model=AccessRequestPage)
def list_access_requests(
    engine: EngineDep,
    identity: CallerDep,
    status: Annotated[str | None, Query(pattern="^(pending|granted|refused)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> AccessRequestPage:
    """Requests you made and requests addressed to your agency, oldest first."""
    found = hits.list_requests(engine, identity, status)
    page = [
        AccessRequestOut.model_validate(hits.request_view(made, identity))
        for made in found[offset : offset + limit]
    ]
    return AccessRequestPage(results=page, total=len(found), limit=limit, offset=offset)


@router.post("/access-requests/{request_id}/grant", response_model=AccessRequestOut)
def grant_access_request(
    request_id: str, body: DecisionIn, request: Request, engine: EngineDep, identity: WriterDep
) -> AccessRequestOut:
    """Grant a pending request to your agency: the record's releasability is extended to the requester."""
    decided = hits.decide(engine, identity, request_id, grant=True, note=body.note, now=_now())
    return AccessRequestOut.model_validate(hits.request_view(decided, identity))


@router.post("/access-requests/{request_id}/refuse", response_model=AccessRequestOut)
def refuse_access_request(
    request_id: str, body: DecisionIn, request: Request, engine: EngineDep, identity: WriterDep
) -> AccessRequestOut:
    """Refuse a pending request to your agency; the requester is alerted."""
    decided = hits.decide(engine, identity, request_id, grant=False, note=body.note, now=_now())
    return AccessRequestOut.model_validate(hits.request_view(decided, identity))


@router.get("/alerts", response_model=AlertPage)
def list_alerts(
    engine: EngineDep,
    identity: CallerDep,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="Only alerts with a higher id.")] = 0,
    limit: Annotated[int, Query(ge=1, le=alerts.MAX_PAGE)] = 100,
) -> AlertPage:
    """Your alerts and your agency's, oldest first, after a cursor."""
    found = alerts.list_alerts(engine, identity, after, limit)
    results = [
        AlertOut(
            id=alert.alert_id,
            kind=alert.kind,
            subject=alert.subject,
            detail=alert.detail,
            created_at=alert.created_at,
        )
        for alert in found
    ]
    return AlertPage(results=results, next_after=found[-1].alert_id if found else after)
