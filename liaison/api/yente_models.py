"""Request and response shapes of the yente-compatible API, as OpenSanctions clients expect them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from liaison.http.stated import one_of
from liaison.matching.model import FEATURES

__all__ = [
    "CatalogOut",
    "DatasetOut",
    "EntityOut",
    "MatchRequest",
    "MatchResponse",
    "MatchesOut",
    "QueryExample",
    "ReferenceOut",
    "ScoredOut",
    "SearchResponse",
    "Total",
]


class QueryExample(BaseModel):
    """One query of a match batch: an FtM schema and properties, each a value or a list of values."""

    id: str | None = None
    schema_: str | None = Field(default=None, alias="schema", examples=["Person"])
    properties: dict[str, Any] = Field(default_factory=dict, examples=[{"name": ["Saddam Hussein"]}])


class MatchRequest(BaseModel):
    """A batch of named queries, with optional weight overrides per feature."""

    queries: dict[str, QueryExample] = Field(min_length=1, max_length=100)
    weights: dict[str, float] = Field(
        default_factory=dict, json_schema_extra={"propertyNames": one_of(FEATURES)}
    )
    config: dict[str, Any] = Field(
        default_factory=dict,
        description="Not supported: must be empty.",
        json_schema_extra={"maxProperties": 0},
    )


class EntityOut(BaseModel):
    """An FtM entity as yente returns it: properties plus the datasets holding it."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    caption: str
    schema_: str = Field(alias="schema")
    properties: dict[str, list[str]]
    datasets: list[str]
    referents: list[str] = Field(default_factory=list)
    target: bool
    first_seen: dt.datetime
    last_seen: dt.datetime
    last_change: dt.datetime


class ScoredOut(EntityOut):
    """A match result: the entity, its score, whether it is a match and why.

    `features` maps each feature to its value, as yente does; `explanations` adds our weight,
    contribution to the logit and a readable detail, with the value also under yente's `score`.
    """

    score: float
    match: bool
    features: dict[str, float]
    explanations: dict[str, dict[str, float | str]]


class ReferenceOut(BaseModel):
    """A hit/no-hit reference: a record matched that the caller may not read. Liaison's addition
    to yente's shapes; clients that do not know it ignore it.
    """

    reference: str = Field(description="Quote it in POST /api/v1/access-requests to ask for the record.")
    owner_agency: str
    score: float
    request_access: str


class Total(BaseModel):
    """How many results there are; `gte` when only a lower bound is known."""

    value: int
    relation: str = "eq"


class MatchesOut(BaseModel):
    """The answer to one query of the batch, under the query's key."""

    status: int = Field(default=200, description="400 when this query could not be run; `notes` say why")
    results: list[ScoredOut]
    total: Total
    query: dict[str, Any]
    references: list[ReferenceOut] = Field(default_factory=list)
    notes: list[str] = Field(
        default_factory=list, description="What of the query could not be read and was screened without"
    )


class MatchResponse(BaseModel):
    """Answers per query key."""

    responses: dict[str, MatchesOut]
    limit: int


class SearchResponse(BaseModel):
    """One page of search results."""

    results: list[EntityOut]
    facets: dict[str, Any] = Field(default_factory=dict)
    total: Total
    limit: int
    offset: int
    references: list[ReferenceOut] = Field(default_factory=list)


class DatasetOut(BaseModel):
    """A dataset or collection in the catalog, with the version indexed beside the version stored."""

    name: str
    title: str
    load: bool = True
    entity_count: int
    version: str
    index_version: str | None
    index_current: bool
    children: list[str] = Field(default_factory=list)


class CatalogOut(BaseModel):
    """The catalog: every dataset, the `default` collection, and which are indexed up to date."""

    datasets: list[DatasetOut]
    current: list[str]
    outdated: list[str]
    index_stale: bool
