"""`/api/v1/datasets/{dataset}/stix`: a dataset as a STIX 2.1 bundle, and bundles imported into one.

An export holds what the caller may read, each object marked with its record's TLP level, and
is audited with its purpose. An import is the CLI's `liaison import stix`: every object checked,
the whole bundle or nothing, under the caller's agency; TLP markings tighten the handling.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from liaison.http.auth import CallerDep, SettingsDep, WriterDep
from liaison.http.deps import DatasetName, EngineDep
from liaison.http.stated import HANDLING
from liaison.ingest.stix import bundle_objects, parse_json, stix_records
from liaison.services.cyber import stix_export
from liaison.services.sharing.imports import envelope_for, import_records

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["cyber"])
STIX_TYPE = "application/stix+json;version=2.1"


class StixImported(BaseModel):
    """What a bundle import wrote."""

    dataset: str
    run_id: int
    records: int
    schemata: dict[str, int]


@router.get(
    "/datasets/{dataset}/stix", response_class=Response, responses={200: {"content": {STIX_TYPE: {}}}}
)
def export_bundle(
    engine: EngineDep,
    identity: CallerDep,
    dataset: DatasetName,
    purpose: Annotated[
        str, Query(min_length=3, max_length=500, description="Why; recorded in the audit trail.")
    ],
) -> Response:
    """The dataset's records you may read as one STIX 2.1 bundle, each marked with its TLP level."""
    buffer = io.BytesIO()
    stix_export.export_stix(engine, dataset, buffer, identity, dt.datetime.now(dt.UTC), purpose)
    return Response(buffer.getvalue(), media_type=STIX_TYPE)


@router.post("/datasets/{dataset}/stix", status_code=201)
async def import_bundle(
    request: Request,
    engine: EngineDep,
    identity: WriterDep,
    settings: SettingsDep,
    dataset: DatasetName,
    handling: Annotated[
        str, Query(description="TLP 2.0 code of unmarked objects.", json_schema_extra=HANDLING)
    ] = "AMBER",
    release: Annotated[list[str] | None, Query(description="Releasability entries.")] = None,
    title: Annotated[str | None, Query(max_length=255)] = None,
) -> StixImported:
    """Import a STIX 2.1 bundle (the request body) into a dataset of your agency; all or nothing."""
    now = dt.datetime.now(dt.UTC)
    envelope = envelope_for(
        identity.agency or "",
        dataset,
        handling,
        "cyber threat intelligence",
        now=now,
        retention_years=settings.retention_years,
        release=release or (),
    )
    objects = bundle_objects(parse_json(await request.body(), "the body"), "the body")
    result = await run_in_threadpool(
        lambda: import_records(
            engine,
            stix_records(objects, "request"),
            envelope=envelope,
            title=title or dataset,
            kind="stix",
            source="request",
            now=now,
            identity=identity,
        )
    )
    return StixImported(
        dataset=result.dataset, run_id=result.run_id, records=result.records, schemata=result.schemata
    )
