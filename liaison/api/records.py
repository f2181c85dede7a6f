"""`/api/v1/datasets/{dataset}/entities` and `/api/v1/entities`: entities with their handling.

Writes need a token with the `write` scope and land in the caller's agency's datasets; reads go
through the access filter, and a record the caller may not read answers 404 exactly as one that
does not exist. Every write and read is audited; searches must say why they are made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from liaison.api.yente_models import ReferenceOut
from liaison.http.auth import CallerDep, SettingsDep, WriterDep
from liaison.http.problems import MAX_OFFSET
from liaison.http.stated import FTM_SCHEMA, HANDLING
from liaison.model.provenance import Provenance
from liaison.services.screening.matching_service import DEFAULT_SCOPE, MatchingService, Scope
from liaison.services.sharing import records, retention
from liaison.store import StoredEntity

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["entities"])

_DATASET = r"^[A-Za-z0-9_.-]{1,64}$"


class HandlingIn(BaseModel):
    """How a record is handled: TLP 2.0 code, releasability, purpose and retention review date."""

    handling: str | None = Field(default=None, max_length=16, examples=["AMBER"], json_schema_extra=HANDLING)
    releasability: list[str] | None = Field(
        default=None, max_length=200, examples=[["agency:NCB-ES", "group:thb-taskforce"]]
    )
    purpose: str | None = Field(default=None, max_length=2_000, examples=["investigation 2026/118"])
    retention_review: dt.date | None = None


class EntityIn(HandlingIn):
    """A new entity: FtM id, schema and properties, with its handling (required)."""

    id: str = Field(min_length=1, max_length=255, examples=["es-case-118-p1"])
    schema_: str = Field(alias="schema", max_length=64, examples=["Person"], json_schema_extra=FTM_SCHEMA)
    properties: dict[str, list[str] | str] = Field(default_factory=dict, examples=[{"name": ["Ana Ruiz"]}])
    agency: str | None = Field(default=None, max_length=32, description="Operator only: the owning agency.")


class EntityUpdate(HandlingIn):
    """An entity's new properties (they replace the old), and any part of its handling to change."""

    schema_: str = Field(alias="schema", max_length=64, examples=["Person"], json_schema_extra=FTM_SCHEMA)
    properties: dict[str, list[str] | str] = Field(default_factory=dict)


class EntityRecordOut(BaseModel):
    """One dataset's copy of an entity with its envelope and provenance."""

    id: str
    schema_: str = Field(alias="schema")
    caption: str
    properties: dict[str, list[str]]
    dataset: str
    owner_agency: str
    handling: str
    releasability: list[str]
    purpose: str
    retention_review: dt.date
    provenance: str
    created_at: dt.datetime
    updated_at: dt.datetime


class EntityRecordPage(BaseModel):
    """One page of a dataset's entities, in id order."""

    results: list[EntityRecordOut]
    total: int
    limit: int
    offset: int


class EntitySearchOut(BaseModel):
    """Search results the caller may read, most relevant first, and references to matching records
    they may not. Each result's `score` is its relevance: the share of `q` its names hold, in [0, 1].
    `total` counts every result past the filters; `exact` is false when it is a lower bound."""

    results: list[dict[str, Any]]
    total: int
    exact: bool = True
    limit: int
    offset: int
    references: list[ReferenceOut]


def _out(stored: StoredEntity) -> EntityRecordOut:
    envelope = stored.envelope
    return EntityRecordOut.model_validate(
        {
            "id": stored.proxy.id,
            "schema": stored.proxy.schema.name,
            "caption": stored.proxy.caption,
            "properties": stored.proxy.properties,
            "dataset": envelope.dataset,
            "owner_agency": envelope.owner_agency,
            "handling": envelope.handling.value,
            "releasability": list(envelope.releasability),
            "purpose": envelope.purpose,
            "retention_review": envelope.retention_review,
            "provenance": Provenance.parse(stored.provenance).compact,
            "created_at": stored.created_at,
            "updated_at": stored.updated_at,
        }
    )


def _handled(body: HandlingIn) -> records.Handled:
    return records.Handled(body.handling, body.releasability, body.purpose, body.retention_review)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.post("/datasets/{dataset}/entities", status_code=201, response_model=EntityRecordOut)
def create_entity(
    dataset: Annotated[str, PathParam(pattern=_DATASET)],
    body: EntityIn,
    request: Request,
    identity: WriterDep,
    settings: SettingsDep,
) -> EntityRecordOut:
    """Add an entity to a dataset of your agency (created if new), handled as you say.

    Example body: `{"id": "es-118-p1", "schema": "Person", "properties": {"name": ["Ana Ruiz"]},
    "handling": "AMBER", "releasability": ["agency:NCB-FR"], "purpose": "case 118"}`.
    A new dataset's name starts with your agency's prefix (`ncb_es_` for NCB-ES); 403 for any
    other name not your agency's. 409 if the id is taken in the dataset; 422 names the bad field.
    """
    data = {"id": body.id, "schema": body.schema_, "properties": body.properties}
    stored = records.create(
        request.app.state.engine,
        identity,
        dataset,
        data,
        _handled(body),
        now=_now(),
        retention_years=settings.retention_years,
        agency=body.agency,
    )
    _matching(request).refresh_soon()
    return _out(stored)


@router.get("/datasets/{dataset}/entities", response_model=EntityRecordPage)
def list_entities(
    dataset: str,
    request: Request,
    identity: CallerDep,
    limit: Annotated[int, Query(ge=1, le=records.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> EntityRecordPage:
    """The dataset's entities you may read, a page at a time, in id order."""
    found, total = records.page(
        request.app.state.engine, identity, dataset, limit=limit, offset=offset, now=_now()
    )
    return EntityRecordPage(
        results=[_out(stored) for stored in found], total=total, limit=limit, offset=offset
    )


@router.get("/datasets/{dataset}/entities/{entity_id}", response_model=EntityRecordOut)
def read_entity(dataset: str, entity_id: str, request: Request, identity: CallerDep) -> EntityRecordOut:
    """One dataset's copy of an entity with its handling, releasability and provenance."""
    return _out(records.read(request.app.state.engine, identity, dataset, entity_id, _now()))


@router.put("/datasets/{dataset}/entities/{entity_id}", response_model=EntityRecordOut)
def update_entity(
    dataset: str,
    entity_id: str,
    body: EntityUpdate,
    request: Request,
    identity: WriterDep,
    settings: SettingsDep,
) -> EntityRecordOut:
    """Replace an entity's properties; handling fields given replace the record's, others stay."""
    data = {"schema": body.schema_, "properties": body.properties}
    stored = records.update(
        request.app.state.engine,
        identity,
        dataset,
        entity_id,
        data,
        _handled(body),
        now=_now(),
        retention_years=settings.retention_years,
    )
    _matching(request).refresh_soon()
    return _out(stored)


@router.get("/entities", response_model=EntitySearchOut)
def search_entities(
    request: Request,
    identity: CallerDep,
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, max_length=500)],
    purpose: Annotated[str, Query(min_length=3, max_length=500, description="Why you search; audited.")],
    schema: Annotated[
        str, Query(max_length=64, description="Thing (any type) or a schema.", json_schema_extra=FTM_SCHEMA)
    ] = "Thing",
    dataset: Annotated[str, Query(max_length=64)] = DEFAULT_SCOPE,
    country: Annotated[str, Query(max_length=2, description="ISO 3166 code a record gives.")] = "",
    agency: Annotated[str, Query(max_length=32, description="Owner agency of the record.")] = "",
    handling: Annotated[str, Query(max_length=16, description="TLP 2.0 code of the record.")] = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000)] = 0,
) -> EntitySearchOut:
    """Search entities by name across everything you may read; a purpose is required.

    Example: `GET /api/v1/entities?q=Natalia%20Petrenko&purpose=case%20118&country=ua&limit=20`.
    Results come most relevant first, each with its `score`, and stop at a relevance floor;
    the filters apply before ranking, and `total` counts what they leave. Matching records you
    may not read come back as hit/no-hit `references`.
    """
    page = _matching(request).search(
        q,
        scope=Scope(dataset),
        schema=schema or "Thing",
        limit=limit,
        offset=offset,
        identity=identity,
        now=_now(),
        purpose=purpose,
        threshold=settings.match_threshold,
        country=country,
        agency=agency,
        handling=handling,
    )
    results = [
        {
            "id": hit.found.proxy.id,
            "schema": hit.found.proxy.schema.name,
            "caption": hit.found.proxy.caption,
            "score": round(hit.relevance.score, 4),
            "properties": hit.found.proxy.properties,
            "datasets": list(hit.found.datasets),
        }
        for hit in page.results
    ]
    return EntitySearchOut(
        results=results,
        total=page.total,
        exact=page.exact,
        limit=limit,
        offset=offset,
        references=[ReferenceOut.model_validate(ref.to_dict()) for ref in page.references],
    )


def _matching(request: Request) -> MatchingService:
    service: MatchingService = request.app.state.matching
    return service


class RetentionIn(BaseModel):
    """A re-confirmation: the record's next review date."""

    until: dt.date


class DueOut(BaseModel):
    """A record past its review date."""

    dataset: str
    entity_id: str
    schema_: str = Field(alias="schema")
    caption: str
    owner_agency: str
    handling: str
    retention_review: dt.date


class DuePage(BaseModel):
    """One page of records due for review, oldest first."""

    results: list[DueOut]
    total: int
    limit: int
    offset: int


@router.get("/retention/due", response_model=DuePage)
def retention_due(
    request: Request,
    identity: CallerDep,
    limit: Annotated[int, Query(ge=1, le=retention.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> DuePage:
    """Your agency's records past their retention review date; each must be re-confirmed or deleted."""
    found, total = retention.due(
        request.app.state.engine, identity, _now().date(), limit=limit, offset=offset
    )
    results = [
        DueOut.model_validate({**asdict(record), "schema": record.schema}, by_alias=True) for record in found
    ]
    return DuePage(results=results, total=total, limit=limit, offset=offset)


@router.post("/datasets/{dataset}/entities/{entity_id}/retention", status_code=204)
def retention_confirm(
    dataset: str, entity_id: str, body: RetentionIn, request: Request, identity: WriterDep
) -> None:
    """Keep a record of your agency until a new review date (within ten years)."""
    retention.confirm(request.app.state.engine, identity, dataset, entity_id, body.until, _now())


@router.delete("/datasets/{dataset}/entities/{entity_id}", status_code=204)
def delete_entity(dataset: str, entity_id: str, request: Request, identity: WriterDep) -> None:
    """Delete a record of your agency, as retention review decides; audited."""
    retention.delete(request.app.state.engine, identity, dataset, entity_id, _now())
    _matching(request).refresh_soon()
