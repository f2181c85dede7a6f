"""A yente-compatible API, so OpenSanctions clients such as yente-client work unchanged.

The paths and shapes follow yente: `/match/{dataset}`, `/search/{dataset}`, `/entities/{id}`,
`/catalog`, `/algorithms`, `/healthz`, `/readyz`; the dataset `default` means all datasets.
Bad queries answer 400, as yente does, where the rest of Liaison's API answers 422.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from liaison.api.yente_models import (
    CatalogOut,
    DatasetOut,
    EntityOut,
    MatchesOut,
    MatchRequest,
    MatchResponse,
    ReferenceOut,
    ScoredOut,
    SearchResponse,
    Total,
)
from liaison.errors import BadInput
from liaison.http.auth import CallerDep, SettingsDep
from liaison.http.deps import MatchingDep
from liaison.http.problems import problem
from liaison.http.stated import FTM_SCHEMA, one_of
from liaison.matching.model import FEATURES
from liaison.services.screening.matching_service import DEFAULT_SCOPE, Found, Scope, Scored

__all__ = ["ALGORITHM", "probes", "router"]

ALGORITHM = "liaison-v1"
"""Our one scoring model under the name clients pass as `algorithm`; `best` means it too."""
DEFAULT_CUTOFF = 0.5
"""yente's default cutoff: candidates scoring below it are not returned at all."""


router = APIRouter(tags=["yente"])
# Liveness and readiness probes come from orchestrators that hold no API key.
probes = APIRouter(tags=["yente"])


def _entity(found: Found) -> dict[str, Any]:
    proxy = found.proxy
    return {
        "id": proxy.id,
        "caption": proxy.caption,
        "schema": proxy.schema.name,
        "properties": proxy.properties,
        "datasets": list(found.datasets),
        # OpenSanctions marks a list's own subjects as targets; ours carry risk topics instead.
        "target": bool(proxy.get("topics", quiet=True)),
        "first_seen": found.first_seen,
        "last_seen": found.last_seen,
        "last_change": found.last_seen,
    }


def _scored(result: Scored) -> ScoredOut:
    explained = result.score.explain()
    return ScoredOut.model_validate(
        {
            **_entity(result.found),
            "score": round(result.score.score, 4),
            "match": result.match,
            "features": {name: parts["value"] for name, parts in explained.items()},
            "explanations": {name: {"score": parts["value"], **parts} for name, parts in explained.items()},
        }
    )


def _bad_request(exc: BadInput) -> JSONResponse:
    return problem(400, "Bad request", str(exc))


@router.post("/match/{dataset}", response_model=MatchResponse)
def match(
    body: MatchRequest,
    service: MatchingDep,
    identity: CallerDep,
    settings: SettingsDep,
    dataset: str,
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    cutoff: Annotated[float, Query(ge=0.0, le=1.0)] = DEFAULT_CUTOFF,
    algorithm: Annotated[str, Query(json_schema_extra=one_of((ALGORITHM, "best")))] = ALGORITHM,
    include_dataset: Annotated[list[str] | None, Query()] = None,
    exclude_dataset: Annotated[list[str] | None, Query()] = None,
    exclude_schema: Annotated[list[str] | None, Query()] = None,
) -> MatchResponse | JSONResponse:
    """Match a batch of entities by example; each answer comes back under its query's key.

    Example body: `{"queries": {"q1": {"schema": "Person", "properties": {"name": ["Saddam
    Hussein al-Tikriti"], "birthDate": ["1937"]}}}}`. Results scoring at least `cutoff` are
    returned, best first; `match` is true from `threshold` (default: the server's setting).
    `explanations` give each feature's value, weight and contribution to the score.
    """
    try:
        if algorithm not in (ALGORITHM, "best"):
            raise BadInput(f"query parameter 'algorithm': unknown {algorithm!r}; use {ALGORITHM!r} or 'best'")
        if body.config:
            raise BadInput(f"field 'config': {ALGORITHM} takes no configuration")
        answers = service.match(
            {key: example.model_dump(by_alias=True) for key, example in body.queries.items()},
            scope=Scope(dataset, tuple(include_dataset or ()), tuple(exclude_dataset or ())),
            threshold=settings.match_threshold if threshold is None else threshold,
            cutoff=cutoff,
            limit=limit,
            identity=identity,
            now=dt.datetime.now(dt.UTC),
            weights=body.weights,
            exclude_schemata=exclude_schema or (),
        )
    except BadInput as exc:
        return _bad_request(exc)
    responses = {
        answer.key: MatchesOut(
            status=answer.status,
            results=[_scored(result) for result in answer.results],
            total=Total(value=answer.total),
            query=answer.query.to_dict() if answer.query is not None else {},
            references=[ReferenceOut.model_validate(ref.to_dict()) for ref in answer.references],
            notes=list(answer.notes),
        )
        for answer in answers
    }
    return MatchResponse(responses=responses, limit=limit)


@router.get("/search/{dataset}", response_model=SearchResponse)
def search(
    service: MatchingDep,
    identity: CallerDep,
    settings: SettingsDep,
    dataset: str,
    q: str = "",
    schema: Annotated[str, Query(json_schema_extra=FTM_SCHEMA)] = "Thing",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=1_000)] = 0,
    include_dataset: Annotated[list[str] | None, Query()] = None,
    exclude_dataset: Annotated[list[str] | None, Query()] = None,
    purpose: Annotated[str, Query(max_length=500, description="Why the search is made; audited.")] = "",
) -> SearchResponse | JSONResponse:
    """Find entities by name, the most relevant first: those whose names hold most of `q`.

    Example: `GET /search/default?q=saddam%20hussein&schema=Person`. Only names are searched;
    yente's query syntax, filters and facets are not supported.
    """
    scope = Scope(dataset, tuple(include_dataset or ()), tuple(exclude_dataset or ()))
    try:
        page = service.search(
            q,
            scope=scope,
            schema=schema,
            limit=limit,
            offset=offset,
            identity=identity,
            now=dt.datetime.now(dt.UTC),
            purpose=purpose,
            threshold=settings.match_threshold,
        )
    except BadInput as exc:
        return _bad_request(exc)
    return SearchResponse(
        results=[EntityOut.model_validate(_entity(hit.found)) for hit in page.results],
        total=Total(value=page.total, relation="eq" if page.exact else "gte"),
        limit=limit,
        offset=offset,
        references=[ReferenceOut.model_validate(ref.to_dict()) for ref in page.references],
    )


@router.get("/entities/{entity_id}", response_model=EntityOut)
def fetch(entity_id: str, service: MatchingDep, identity: CallerDep) -> EntityOut:
    """One entity merged from every dataset holding it; adjacent entities are not nested.

    Example: `GET /entities/un-sc-6908048`. Only the copies the caller may read are merged;
    an entity with none is not found, exactly as one that does not exist.
    """
    return EntityOut.model_validate(_entity(service.fetch(entity_id, identity, dt.datetime.now(dt.UTC))))


@router.get("/catalog", response_model=CatalogOut)
def catalog(service: MatchingDep, identity: CallerDep) -> CatalogOut:
    """Every dataset with its entity count, and `default`, the collection of them all.

    A dataset whose `version` differs from its `index_version` was changed after the matching
    index was built; it is listed under `outdated` until the index is refreshed.
    """
    states = service.catalog(identity)
    datasets = [
        DatasetOut(
            name=state.name,
            title=state.title,
            entity_count=state.entities,
            version=state.version,
            index_version=state.indexed_version,
            index_current=state.version == state.indexed_version,
        )
        for state in states
    ]
    current = [dataset.name for dataset in datasets if dataset.index_current]
    outdated = [dataset.name for dataset in datasets if not dataset.index_current]
    latest = max((dataset.version for dataset in datasets), default="")
    collection = DatasetOut(
        name=DEFAULT_SCOPE,
        title="All datasets",
        entity_count=sum(dataset.entity_count for dataset in datasets),
        version=latest,
        index_version=latest if not outdated else None,
        index_current=not outdated,
        children=[dataset.name for dataset in datasets],
    )
    if not outdated:
        current.append(DEFAULT_SCOPE)
    return CatalogOut(
        datasets=[*datasets, collection], current=current, outdated=outdated, index_stale=bool(outdated)
    )


@router.get("/algorithms")
def algorithms(service: MatchingDep, _identity: CallerDep) -> dict[str, Any]:
    """The scoring algorithm `/match` uses, its features and their weights.

    Example response: `{"algorithms": [{"name": "liaison-v1", ...}], "default": "liaison-v1",
    "best": "liaison-v1"}`.
    """
    features = {
        name: {
            "description": description,
            "coefficient": service.weights.features.get(name, 0.0),
            "url": "liaison/matching/model.py",
        }
        for name, description in FEATURES.items()
    }
    description = "Calibrated logistic model over name, date, country, gender and identifier features."
    docs = {"name": ALGORITHM, "description": description, "config": {}, "features": features}
    return {
        "algorithms": [{"name": ALGORITHM, "description": description, "features": features, "docs": docs}],
        "default": ALGORITHM,
        "best": ALGORITHM,
    }


@probes.get("/healthz")
async def healthz() -> dict[str, str]:
    """Whether the server is up: `{"status": "ok"}`."""
    return {"status": "ok"}


@probes.get("/readyz")
def readyz(service: MatchingDep) -> dict[str, str]:
    """Whether the matching index is built (it is built now if need be); 503 while the store is not ready."""
    service.prepare()
    return {"status": "ok"}
