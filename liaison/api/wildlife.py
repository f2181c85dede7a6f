"""`/api/v1/species`, `/api/v1/seizures/trends`, `/routes`, `/duplicates`, seizure imports, and
`/api/v1/trade`: CITES trade records beside seizures, and importer/exporter discrepancies.

Trends and routes count the seizures the caller may read, audited with the purpose; trends
come as JSON or CSV. An import takes the file as the request body (xlsx or CSV) with a built-in
mapping's name, all or nothing, under the caller's agency.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from starlette.concurrency import run_in_threadpool

from liaison.errors import BadInput
from liaison.http.auth import CallerDep, SettingsDep, WriterDep
from liaison.http.deps import DatasetName, EngineDep
from liaison.http.stated import one_of
from liaison.ingest.base import read_as_file
from liaison.ingest.seizure_mappings import BUILT_IN
from liaison.services.sharing.imports import envelope_for
from liaison.services.wildlife import cites_trade, seizures
from liaison.store.seizures import SeizureFilter

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["wildlife"])
Purpose = Annotated[str, Query(min_length=3, max_length=500, description="Why; recorded in the audit trail.")]
Species = Annotated[
    str | None, Query(max_length=200, description="A species, genus or family, any of its names.")
]
MAX_UPLOAD = 50 * 1024 * 1024


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.get("/species/{name}")
def species(
    engine: EngineDep, _identity: CallerDep, name: Annotated[str, PathParam(max_length=200)]
) -> dict[str, Any]:
    """The taxon a scientific, synonym or common name stands for, with its CITES appendix."""
    found = seizures.lookup(engine, name)
    return {
        "taxon_id": found.taxon_id,
        "name": found.name,
        "rank": found.rank,
        "listing": found.listing,
        "matched_as": found.kind,
    }


@router.get("/seizures/trends", response_model=None, responses={200: {"content": {"text/csv": {}}}})
async def seizure_trends(
    engine: EngineDep,
    identity: CallerDep,
    purpose: Purpose,
    by: Literal["species", "country", "commodity"] = "species",
    species: Species = None,
    country: Annotated[list[str] | None, Query(max_length=300)] = None,
    since: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    until: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    format: Literal["json", "csv"] = "json",
) -> Response | dict[str, Any]:
    """Seizures you may read per year and species, country or commodity: count, kilograms, individuals."""
    wanted = SeizureFilter(countries=tuple(code.lower() for code in country or ()), since=since, until=until)
    rows = await run_in_threadpool(
        lambda: seizures.trend(
            engine,
            identity,
            by,
            species=species,
            wanted=wanted,
            purpose=purpose,
            now=_now(),
        )
    )
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["year", by, "seizures", "weight_kg", "individuals"])
        writer.writerows(
            (row.year, row.key, row.seizures, round(row.weight_kg, 3), round(row.individuals, 3))
            for row in rows
        )
        return Response(
            out.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="seizures-by-{by}.csv"'},
        )
    return {
        "by": by,
        "species": species,
        "rows": [
            {
                "year": row.year,
                "key": row.key,
                "seizures": row.seizures,
                "weight_kg": row.weight_kg,
                "individuals": row.individuals,
            }
            for row in rows
        ],
    }


@router.get("/seizures/routes")
async def seizure_routes(
    engine: EngineDep, identity: CallerDep, purpose: Purpose, species: Species = None
) -> dict[str, Any]:
    """The legs seizures you may read travelled between countries, most travelled first."""
    legs = await run_in_threadpool(
        lambda: seizures.routes(engine, identity, species=species, purpose=purpose, now=_now())
    )
    return {
        "species": species,
        "legs": [{"from": source, "to": target, "seizures": count} for source, target, count in legs],
    }


@router.get("/seizures/duplicates")
async def seizure_duplicates(
    engine: EngineDep,
    identity: CallerDep,
    purpose: Purpose,
    dataset: Annotated[str, Query(min_length=1, max_length=64)],
    against: Annotated[str, Query(min_length=1, max_length=64)],
) -> dict[str, Any]:
    """Seizures of `dataset` that `against` may report too (likely first), each with its reasons."""
    pairs = await run_in_threadpool(
        lambda: seizures.reported_twice(engine, identity, dataset, against, purpose=purpose, now=_now())
    )
    return {"dataset": dataset, "against": against, "pairs": [asdict(pair) for pair in pairs]}


@router.get("/trade/compare")
async def trade_compare(
    engine: EngineDep, identity: CallerDep, purpose: Purpose, species: Species = None
) -> dict[str, Any]:
    """Per year, legal trade in CITES records beside the seizures you may read (a taxon and its own)."""
    years = await run_in_threadpool(
        lambda: cites_trade.beside_seizures(engine, identity, species, purpose=purpose, now=_now())
    )
    return {"species": species, "years": [asdict(row) for row in years]}


@router.get("/trade/discrepancies")
async def trade_discrepancies(
    engine: EngineDep,
    identity: CallerDep,
    purpose: Purpose,
    species: Species = None,
    ratio: Annotated[float, Query(gt=0, lt=1)] = 0.5,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """CITES trade records whose importer and exporter figures differ by more than `ratio`, largest first."""
    found = await run_in_threadpool(
        lambda: cites_trade.disagreements(
            engine, identity, species, ratio=ratio, limit=limit, purpose=purpose, now=_now()
        )
    )
    keys = (
        "year",
        "appendix",
        "taxon",
        "importer",
        "exporter",
        "origin",
        "importer_quantity",
        "exporter_quantity",
        "term",
        "unit",
        "purpose",
        "source",
    )
    return {"species": species, "records": [{key: getattr(row, key) for key in keys} for row in found]}


@router.post("/datasets/{dataset}/seizures", status_code=201)
async def import_seizures(
    request: Request,
    engine: EngineDep,
    identity: WriterDep,
    settings: SettingsDep,
    dataset: DatasetName,
    mapping: Annotated[
        str,
        Query(description=f"A built-in mapping: {', '.join(BUILT_IN)}.", json_schema_extra=one_of(BUILT_IN)),
    ],
    file_format: Annotated[Literal["xlsx", "csv"], Query(alias="format")] = "xlsx",
    handling: str = "GREEN",
) -> dict[str, Any]:
    """Import the seizures of the request body (an xlsx or CSV file) through a built-in mapping."""
    if mapping not in BUILT_IN:
        raise BadInput(f"mapping: {mapping!r}; use one of {', '.join(BUILT_IN)}")
    now = _now()
    envelope = envelope_for(
        identity.agency or "",
        dataset,
        handling,
        "wildlife crime",
        now=now,
        retention_years=settings.retention_years,
    )
    body = await request.body()

    def run(path: Path) -> seizures.SeizureImport:
        return seizures.import_seizures(
            engine, identity, path, mapping, envelope=envelope, source="request", now=now
        )

    # The reader tells xlsx from CSV by the name's extension.
    done = await run_in_threadpool(read_as_file, body, f"request.{file_format}", run)
    return {
        "dataset": dataset,
        "run_id": done.result.run_id,
        "seizures": done.seizures,
        "skipped": done.skipped,
    }
