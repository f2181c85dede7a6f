"""`/api/v1/trafficking`: HTCDS case imports, indicator screenings for first responders, and
statistics safe to publish.

The indicator list comes translated (`lang`); a screening is sent with the form's one-time token,
so sending it twice is refused (409) instead of recorded twice. Statistics count what the caller
may read, with small cells withheld, as JSON or CSV, audited with the purpose.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from liaison.domains.trafficking.indicators import ADVICE, GROUPS, INDICATORS, SETTINGS
from liaison.http.auth import CallerDep, SettingsDep, WriterDep
from liaison.http.deps import DatasetName, EngineDep
from liaison.http.stated import COUNTRY, one_of
from liaison.i18n import LANGUAGES, translations
from liaison.ingest.base import read_as_file
from liaison.services.sharing.imports import envelope_for
from liaison.services.trafficking import indicator_screening, trafficking_cases
from liaison.services.trafficking.indicator_screening import Screening
from liaison.store.trafficking import CASE_DIMENSIONS, VICTIM_DIMENSIONS

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/trafficking", tags=["trafficking"])
Purpose = Annotated[str, Query(min_length=3, max_length=500, description="Why; recorded in the audit trail.")]
Language = Literal["en", "fr", "es"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_INDICATOR = one_of(indicator.id for indicator in INDICATORS)


class ScreeningIn(BaseModel):
    """What a first responder saw: where, and which indicators (ids from GET /indicators)."""

    form_token: str = Field(min_length=16, max_length=64, description="One-time token of this form.")
    setting: str = Field(max_length=40, examples=["worksite"], json_schema_extra=one_of(SETTINGS))
    country: str = Field(min_length=2, max_length=3, examples=["es"], json_schema_extra=COUNTRY)
    observed: list[
        Annotated[str, Field(max_length=40, json_schema_extra=one_of(item.id for item in INDICATORS))]
    ] = Field(max_length=40, examples=[["debt_bondage"]])
    language: Language = "en"
    notes: str = Field(default="", max_length=indicator_screening.MAX_NOTES)


def _screening(found: Screening) -> dict[str, Any]:
    say = translations(found.language).gettext
    title, what = ADVICE[found.assessment.advice]
    return {
        "id": found.id,
        "advice": found.assessment.advice.value,
        "title": say(title),
        "what_to_do": say(what),
        "reasons": [say(reason) for reason in found.assessment.reasons],
        "observed": list(found.assessment.observed),
        "setting": found.setting,
        "country": found.country,
        "language": found.language,
        "created": found.created.isoformat(),
    }


@router.get("/indicators")
def indicators(_identity: CallerDep, lang: Language = "en") -> dict[str, Any]:
    """The form: settings, indicators by section (their questions in `lang`), and the advice levels."""
    say = translations(lang).gettext
    return {
        "language": lang,
        "languages": LANGUAGES,
        "settings": {key: say(label) for key, label in SETTINGS.items()},
        "sections": [
            {
                "id": group,
                "title": say(title),
                "indicators": [
                    {
                        "id": item.id,
                        "question": say(item.question),
                        "strong": item.strong,
                        "danger": item.danger,
                    }
                    for item in INDICATORS
                    if item.group == group
                ],
            }
            for group, title in GROUPS.items()
        ],
        "form_token": indicator_screening.form_token(),
    }


@router.post("/screenings", status_code=201)
async def screen(engine: EngineDep, identity: WriterDep, sent: ScreeningIn) -> dict[str, Any]:
    """Record a screening and answer its advice; the same form_token twice is refused (409)."""
    found = await run_in_threadpool(
        lambda: indicator_screening.record(
            engine,
            identity,
            token=sent.form_token,
            setting=sent.setting,
            country=sent.country,
            language=sent.language,
            observed=sent.observed,
            notes=sent.notes,
            now=_now(),
        )
    )
    return _screening(found)


@router.get("/screenings")
def screenings(
    engine: EngineDep, identity: CallerDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> dict[str, Any]:
    """Your agency's screenings, newest first: advice, setting and indicators, no one named."""
    found = indicator_screening.listing(engine, identity, _now(), limit)
    return {"screenings": [_screening(item) for item in found]}


@router.get("/screenings/{screening_id}")
def screening(
    engine: EngineDep, identity: CallerDep, screening_id: Annotated[str, PathParam(max_length=32)]
) -> dict[str, Any]:
    """One of your agency's screenings."""
    return _screening(indicator_screening.get(engine, identity, screening_id, _now()))


@router.get("/statistics", response_model=None, responses={200: {"content": {"text/csv": {}}}})
async def statistics(
    engine: EngineDep,
    identity: CallerDep,
    purpose: Purpose,
    counted: Literal["cases", "victims"] = "cases",
    by: Annotated[
        list[Annotated[str, Field(json_schema_extra=one_of([*CASE_DIMENSIONS, *VICTIM_DIMENSIONS]))]] | None,
        Query(max_length=5, json_schema_extra={"maxItems": 3, "uniqueItems": True}),
    ] = None,
    measure: Literal["cases", "victims", "minors", "defendants"] = "victims",
    format: Literal["json", "csv"] = "json",
) -> Response | dict[str, Any]:
    """Counts of cases or victim records you may read; cells of fewer than 11 people withheld (null)."""
    found = await run_in_threadpool(
        lambda: trafficking_cases.statistics(
            engine,
            identity,
            counted,
            by or ["year"],
            measure=measure,
            purpose=purpose,
            now=_now(),
        )
    )
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([*found.by, found.measure, "withheld"])
        writer.writerows(
            [*key, "" if count is None else count, "yes" if count is None else ""]
            for key, count in found.cells.items()
        )
        return Response(
            out.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="trafficking-{counted}.csv"'},
        )
    return {
        "counted": found.counted,
        "measure": found.measure,
        "by": list(found.by),
        "k": found.k,
        "withheld": found.withheld,
        "cells": [
            {**dict(zip(found.by, key, strict=True)), found.measure: count}
            for key, count in found.cells.items()
        ],
    }


@router.post("/datasets/{dataset}/cases", status_code=201)
async def import_cases(
    request: Request,
    engine: EngineDep,
    identity: WriterDep,
    settings: SettingsDep,
    dataset: DatasetName,
    handling: str = "AMBER",
) -> dict[str, Any]:
    """Import the HTCDS 2.0 case file of the request body (JSON) under your agency, all or nothing.

    Victims are RED and minimised whatever the handling; cases and perpetrators take `handling`.
    """
    now = _now()
    envelope = envelope_for(
        identity.agency or "",
        dataset,
        handling,
        "human trafficking",
        now=now,
        retention_years=settings.retention_years,
    )
    body = await request.body()

    def run(path: FilePath) -> trafficking_cases.CaseImport:
        return trafficking_cases.import_cases(
            engine, identity, path, envelope=envelope, source="request", now=now
        )

    done = await run_in_threadpool(read_as_file, body, "request", run)
    return {
        "dataset": dataset,
        "run_id": done.result.run_id,
        "cases": done.cases,
        "victims": done.victims,
        "victim_fields_not_kept": done.dropped,
    }


@router.post("/datasets/{dataset}/ctdc", status_code=201)
async def import_ctdc(
    request: Request,
    engine: EngineDep,
    identity: WriterDep,
    settings: SettingsDep,
    dataset: DatasetName,
) -> dict[str, Any]:
    """Import CTDC-coded victim records (the request body, CSV) under your agency: RED, all or nothing."""
    now = _now()
    envelope = envelope_for(
        identity.agency or "",
        dataset,
        "RED",
        "human trafficking",
        now=now,
        retention_years=settings.retention_years,
    )
    body = await request.body()

    def run(path: FilePath) -> tuple[Any, int]:
        return trafficking_cases.import_ctdc(engine, identity, path, envelope=envelope, now=now)

    result, victims = await run_in_threadpool(read_as_file, body, "request", run)
    return {"dataset": dataset, "run_id": result.run_id, "victims": victims}
