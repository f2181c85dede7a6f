"""`/api/v1/operations`: coordinated operations, their field results, the live tally and the report."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from liaison.http.auth import CallerDep, WriterDep
from liaison.http.deps import EngineDep
from liaison.http.problems import MAX_ID
from liaison.http.stated import COUNTRY, one_of
from liaison.model import Identity
from liaison.model.operation import Checkpoint, OperationPlan, ResultKind, Seizure
from liaison.services.operations import operation_report, operations
from liaison.store.operations import Operation

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["operations"])

POLL_SECONDS = 0.5
"""How often a tally stream looks for new results: a glance at the latest id, a sum only on change."""
HEARTBEAT_SECONDS = 15.0
RESULT_KIND = one_of(kind.value for kind in ResultKind)


class CheckpointIn(BaseModel):
    """An airport, border crossing or port, with the flights or routes it monitors."""

    code: str = Field(min_length=1, max_length=16, examples=["MAD"])
    name: str = Field(default="", max_length=200, examples=["Madrid Barajas"])
    kind: Literal["airport", "border_crossing", "port"]
    country: str = Field(min_length=2, max_length=3, examples=["es"], json_schema_extra=COUNTRY)
    monitored: list[str] = Field(default_factory=list, max_length=500, examples=[["UX1094", "IB3170"]])


class OperationIn(BaseModel):
    """A new operation, coordinated by the caller's agency."""

    name: str = Field(min_length=1, max_length=200, examples=["Liberterra III"])
    area: Literal["trafficking", "cyber", "wildlife", "other"]
    starts: dt.date
    ends: dt.date
    agencies: list[str] = Field(min_length=1, max_length=500, examples=[["NCB-ES", "BP-MD"]])
    countries: list[Annotated[str, Field(json_schema_extra=COUNTRY)]] = Field(
        min_length=1, max_length=300, examples=[["es", "md"]]
    )
    objectives: str = Field(default="", max_length=20_000)
    watchlists: list[str] = Field(default_factory=list, max_length=500)
    checkpoints: list[CheckpointIn] = Field(default_factory=list, max_length=500)


class SeizureIn(BaseModel):
    """What was seized, how much, in which unit, and where."""

    what: str = Field(min_length=1, max_length=200, examples=["pangolin scales"])
    quantity: float = Field(ge=0, le=1e12, examples=[120.5])
    unit: str = Field(min_length=1, max_length=32, examples=["kg"])
    place: str = Field(default="", max_length=200)


class ResultIn(BaseModel):
    """A field result: a count of one kind, on one day, in one country and checkpoint."""

    kind: Literal[
        "arrest",
        "victim_identified",
        "victim_rescued",
        "person_screened",
        "database_check",
        "hit",
        "seizure",
        "ip_taken_down",
        "domain_taken_down",
        "server_seized",
    ]
    count: int = Field(ge=-(2**31), le=2**31, description="0 or more; a negative count is refused.")
    country: str = Field(min_length=2, max_length=3, examples=["es"], json_schema_extra=COUNTRY)
    day: dt.date | None = Field(default=None, description="Today when left out.")
    checkpoint: str | None = Field(default=None, max_length=16)
    entities: list[str] = Field(default_factory=list, max_length=500)
    seizure: SeizureIn | None = None
    note: str = Field(default="", max_length=2_000)


class OperationOut(BaseModel):
    """An operation as its participants see it."""

    id: str
    name: str
    area: str
    starts: str
    ends: str
    status: str
    agency: str
    agencies: list[str]
    countries: list[str]
    objectives: str
    watchlists: list[str]
    checkpoints: list[dict[str, Any]]
    created_by: str
    created_at: str
    closed_at: str | None


class ResultOut(BaseModel):
    """A field result; a victim result's details are withheld from other agencies."""

    id: int
    kind: str
    count: int
    country: str
    day: str
    checkpoint: str | None
    agency: str
    filed_by: str
    filed_at: str
    handling: str
    source: str
    entities: list[str]
    seizure: dict[str, Any] | None
    note: str
    withheld: bool


class TallyOut(BaseModel):
    """Sums of the results up to `last_result`, by kind, by country and by day."""

    last_result: int
    totals: dict[str, int]
    by_country: dict[str, dict[str, int]]
    by_day: dict[str, dict[str, int]]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _out(operation: Operation) -> OperationOut:
    return OperationOut.model_validate(operations.view(operation, _now().date()))


@router.post("/operations", status_code=201, response_model=OperationOut)
def create_operation(body: OperationIn, engine: EngineDep, identity: WriterDep) -> OperationOut:
    """Create an operation (coordinators): participating agencies and countries, period, checkpoints."""
    checkpoints = [
        Checkpoint.parse(point.code, point.name, point.kind, point.country, point.monitored)
        for point in body.checkpoints
    ]
    plan = OperationPlan.parse(
        body.name,
        body.area,
        body.starts,
        body.ends,
        agencies=body.agencies,
        countries=body.countries,
        objectives=body.objectives,
        watchlists=body.watchlists,
        checkpoints=checkpoints,
    )
    return _out(operations.create(engine, identity, plan, _now()))


@router.get("/operations", response_model=list[OperationOut])
def list_operations(engine: EngineDep, identity: CallerDep) -> list[OperationOut]:
    """The operations your agency coordinates or takes part in."""
    return [_out(found) for found in operations.list_operations(engine, identity)]


@router.get("/operations/{key}", response_model=OperationOut)
def read_operation(key: str, engine: EngineDep, identity: CallerDep) -> OperationOut:
    """One operation, by id or name."""
    return _out(operations.get(engine, identity, key, _now()))


@router.post("/operations/{key}/close", response_model=OperationOut)
def close_operation(key: str, engine: EngineDep, identity: WriterDep) -> OperationOut:
    """Close an operation: it takes no more results (its coordinating agency's coordinators)."""
    return _out(operations.close(engine, identity, key, _now()))


@router.post("/operations/{key}/results", status_code=201, response_model=ResultOut)
def file_result(key: str, body: ResultIn, engine: EngineDep, identity: WriterDep) -> ResultOut:
    """File a field result for your agency: 422 for a negative count, a country not in the operation or
    a day outside it; 409 once the operation is closed.
    """
    now = _now()
    seizure = Seizure(**body.seizure.model_dump()) if body.seizure else None
    filed = operations.file_result(
        engine,
        identity,
        key,
        kind=body.kind,
        count=body.count,
        country=body.country,
        day=body.day or now.date(),
        checkpoint=body.checkpoint,
        entities=body.entities,
        seizure=seizure,
        note=body.note,
        source="api",
        now=now,
    )
    return ResultOut.model_validate(operations.view_result(filed, identity))


@router.get("/operations/{key}/results", response_model=list[ResultOut])
def list_results(
    key: str,
    engine: EngineDep,
    identity: CallerDep,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=operations.MAX_RESULTS_PAGE)] = 200,
    kind: Annotated[
        list[Annotated[str, Field(json_schema_extra=RESULT_KIND)]] | None, Query(max_length=10)
    ] = None,
) -> list[ResultOut]:
    """The field results after a result id, oldest first; page on with the last id seen."""
    _found, filed = operations.results(
        engine, identity, key, _now(), after=after, limit=limit, kinds=kind or ()
    )
    return [ResultOut.model_validate(operations.view_result(result, identity)) for result in filed]


@router.get("/operations/{key}/tally", response_model=TallyOut)
def read_tally(key: str, engine: EngineDep, identity: CallerDep) -> TallyOut:
    """The tally now: sums by kind, country and day, up to `last_result`."""
    _found, tally = operations.tally(engine, identity, key)
    return TallyOut.model_validate(tally.to_dict())


@router.get(
    "/operations/{key}/tally/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream_tally(
    key: str,
    request: Request,
    engine: EngineDep,
    identity: CallerDep,
    max_events: Annotated[int | None, Query(ge=1, le=10_000, description="Close after this many.")] = None,
) -> StreamingResponse:
    """The tally as server-sent events: one `tally` event now and one each time results arrive."""
    found, _tally = await run_in_threadpool(operations.tally, engine, identity, key)
    return StreamingResponse(
        _tallies(request, identity, found.operation_id, max_events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def _tallies(request: Request, identity: Identity, key: str, limit: int | None) -> AsyncIterator[bytes]:
    engine = request.app.state.engine
    sent, quiet, seen = 0, 0.0, -1
    yield b": connected\n\n"
    while limit is None or sent < limit:
        last = await run_in_threadpool(operations.last_result, engine, identity, key)
        if last != seen:
            _found, tally = await run_in_threadpool(operations.tally, engine, identity, key)
            yield (
                f"id: {tally.last_result}\nevent: tally\ndata: ".encode()
                + orjson.dumps(tally.to_dict())
                + b"\n\n"
            )
            seen, sent, quiet = tally.last_result, sent + 1, 0.0
            continue
        if await request.is_disconnected():
            return
        await asyncio.sleep(POLL_SECONDS)
        quiet += POLL_SECONDS
        if quiet >= HEARTBEAT_SECONDS:
            yield b": heartbeat\n\n"
            quiet = 0.0


@router.get(
    "/operations/{key}/report",
    response_model=None,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def read_report(
    key: str,
    engine: EngineDep,
    identity: CallerDep,
    format: Annotated[Literal["html", "pdf"], Query(description="html or pdf.")] = "html",
) -> Response:
    """The after-action report: totals, a table per country, charts, top hits and agencies."""
    report = operation_report.build(engine, identity, key, _now())
    if format == "pdf":
        filename = f"after-action-{report.operation.operation_id}.pdf"
        return Response(
            operation_report.render_pdf(report),
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )
    return HTMLResponse(operation_report.render_html(report), headers={"Cache-Control": "no-store"})
