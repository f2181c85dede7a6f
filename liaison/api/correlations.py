"""`/api/v1/correlations`: who else holds an IP, domain, URL, hash, e-mail, phone or wallet.

Values are canonicalised (a refused value answers 422 naming it); records the caller may read
come back whole, the others as hit/no-hit references. Every request is audited with its purpose.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from liaison.http.auth import CallerDep
from liaison.http.deps import EngineDep
from liaison.http.stated import PURPOSE
from liaison.model.observables import MAX_OBSERVABLE_CHARS
from liaison.services.cyber import correlation
from liaison.services.cyber.correlation import Correlated

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["cyber"])


class ObservableIn(BaseModel):
    """A value to correlate; without a kind, it is read as the kind it plausibly is."""

    kind: str | None = Field(default=None, max_length=16, examples=["ip"])
    value: str = Field(min_length=1, max_length=MAX_OBSERVABLE_CHARS, examples=["185.220.101.4"])


class CorrelationIn(BaseModel):
    """Values to correlate and why."""

    observables: list[ObservableIn] = Field(min_length=1, max_length=correlation.MAX_VALUES)
    purpose: str = Field(min_length=3, max_length=500, json_schema_extra=PURPOSE)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _out(found: Correlated) -> dict[str, Any]:
    return {
        "observable": {"kind": found.observable.kind.value, "value": found.observable.value},
        "records": [
            {
                "dataset": held.entity.envelope.dataset,
                "id": held.entity.proxy.id,
                "schema": held.entity.proxy.schema.name,
                "caption": held.entity.proxy.caption,
                "owner_agency": held.entity.envelope.owner_agency,
                "handling": held.entity.envelope.handling.value,
                "holds": [{"kind": found.kind.value, "value": found.value} for found in held.found],
            }
            for held in found.records
        ],
        "references": [reference.to_dict() for reference in found.references],
    }


@router.post("/correlations", response_model=list[dict[str, Any]])
def correlate(body: CorrelationIn, engine: EngineDep, identity: CallerDep) -> list[dict[str, Any]]:
    """Every record holding each value: IPs also find the networks around them and the addresses
    inside a network.

    Example body: {"observables": [{"value": "185.220.101.4"}, {"kind": "domain", "value": "evil.example"}],
    "purpose": "case 2026/77"}
    """
    observables = correlation.read_values([(item.kind, item.value) for item in body.observables])
    found = correlation.correlate(engine, identity, observables, purpose=body.purpose, now=_now())
    return [_out(item) for item in found]


@router.get("/datasets/{dataset}/entities/{entity_id}/correlations", response_model=list[dict[str, Any]])
def correlate_entity(
    dataset: Annotated[str, PathParam(max_length=64)],
    entity_id: Annotated[str, PathParam(max_length=255)],
    purpose: Annotated[
        str, Query(min_length=3, max_length=500, description="Why; it is audited.", json_schema_extra=PURPOSE)
    ],
    engine: EngineDep,
    identity: CallerDep,
) -> list[dict[str, Any]]:
    """Each observable of a record you may read, with every other record holding it."""
    _stored, found = correlation.correlate_entity(
        engine, identity, dataset, entity_id, purpose=purpose, now=_now()
    )
    return [_out(item) for item in found]
