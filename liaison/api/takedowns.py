"""`/api/v1/operations/{key}/takedowns` and `/api/v1/takedowns/{id}`: malicious IPs, domains and
servers of an operation, identified to taken down or seized, with the share ended per country."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from liaison.http.auth import CallerDep, WriterDep
from liaison.http.deps import EngineDep
from liaison.http.problems import MAX_ID
from liaison.http.stated import COUNTRY
from liaison.services.operations import takedowns
from liaison.store.takedowns import CountryShare, Takedown

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["operations"])
OperationKey = Annotated[str, Path(min_length=1, max_length=200)]


class TakedownIn(BaseModel):
    """A target identified during an operation."""

    kind: Literal["ip", "domain", "server"]
    value: str = Field(min_length=1, max_length=600, examples=["203.0.113.7"])
    country: str = Field(min_length=2, max_length=3, examples=["nl"], json_schema_extra=COUNTRY)
    provider: str = Field(min_length=1, max_length=200, examples=["Example Hosting BV"])
    day: dt.date | None = Field(default=None, description="Day identified; today without it.")
    note: str = Field(default="", max_length=200)


class StepIn(BaseModel):
    """The stage a takedown moves on to, when, and (notified) to whom."""

    stage: Literal["notified", "taken_down", "seized"]
    day: dt.date | None = Field(default=None, description="Day it happened; today without it.")
    notified_to: str = Field(default="", max_length=200, examples=["Example Hosting BV abuse desk"])
    note: str = Field(default="", max_length=200)


def _out(item: Takedown) -> dict[str, Any]:
    return {
        "id": item.takedown_id,
        "operation": item.operation_id,
        "kind": item.kind.value,
        "value": item.value,
        "country": item.country,
        "provider": item.provider,
        "stage": item.stage.value,
        "agency": item.agency,
        "notified_to": item.notified_to,
        "identified_on": item.identified_on,
        "notified_on": item.notified_on,
        "ended_on": item.ended_on,
        "note": item.note,
    }


def _share(share: CountryShare) -> dict[str, Any]:
    return {
        "country": share.country,
        "targets": share.targets,
        "identified": share.identified,
        "notified": share.notified,
        "taken_down": share.taken_down,
        "seized": share.seized,
        "share": round(share.share, 4),
    }


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


@router.post("/operations/{key}/takedowns", status_code=201)
async def add_takedown(
    engine: EngineDep, identity: WriterDep, key: OperationKey, body: TakedownIn
) -> dict[str, Any]:
    """Add a malicious IP, domain or server identified during the operation."""
    made = await run_in_threadpool(
        lambda: takedowns.add(
            engine,
            identity,
            key,
            kind=body.kind,
            value=body.value,
            country=body.country,
            provider=body.provider,
            day=body.day or _today(),
            note=body.note,
            now=dt.datetime.now(dt.UTC),
        )
    )
    return _out(made)


@router.get("/operations/{key}/takedowns")
async def list_takedowns(
    engine: EngineDep,
    identity: CallerDep,
    key: OperationKey,
    stage: Annotated[Literal["identified", "notified", "taken_down", "seized"] | None, Query()] = None,
) -> dict[str, Any]:
    """The operation's targets, and per country the share taken down or seized."""
    operation, found, shares = await run_in_threadpool(
        takedowns.listing, engine, identity, key, dt.datetime.now(dt.UTC), stage
    )
    ended = sum(share.taken_down + share.seized for share in shares)
    total = sum(share.targets for share in shares)
    return {
        "operation": operation.operation_id,
        "takedowns": [_out(item) for item in found],
        "countries": [_share(share) for share in shares],
        "share": round(ended / total, 4) if total else 0.0,
    }


@router.post("/takedowns/{takedown_id}/steps")
async def advance_takedown(
    engine: EngineDep, identity: WriterDep, takedown_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: StepIn
) -> dict[str, Any]:
    """Move a takedown on: notified, then taken down or seized (which files the operation's result)."""
    moved = await run_in_threadpool(
        lambda: takedowns.advance(
            engine,
            identity,
            takedown_id,
            stage=body.stage,
            day=body.day or _today(),
            notified_to=body.notified_to,
            note=body.note,
            now=dt.datetime.now(dt.UTC),
        )
    )
    return _out(moved)
