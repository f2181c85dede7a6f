"""`/api/v1/manifests`, `/documents`, `/referrals`, `/decisions`, `/screenings`: border and freeze screening.

A manifest is posted as the request body (CSV, or a UN/EDIFACT PAXLST message) and answered
with each passenger's outcome; hits go to the agency's referral queue, where officers decide.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from liaison.http.auth import CallerDep, SettingsDep, WriterDep
from liaison.http.deps import EngineDep, MatchingDep
from liaison.http.problems import MAX_ID
from liaison.http.stated import COUNTRY, MATCHABLE_SCHEMA, PURPOSE, SAYS_SOMETHING
from liaison.ingest.base import read_as_file
from liaison.ingest.manifest import MAX_FILE_BYTES, read_manifest
from liaison.model import Identity
from liaison.services.screening import asset_screening, entry_decisions, manifests, travel_documents
from liaison.services.screening.matching_service import MatchingService
from liaison.store.border import StoredManifest

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["border"])
_NAME = r"^[\w-][\w.-]{0,99}$"


class ManifestOut(BaseModel):
    """A screened manifest: the flight, its counts, refused passengers, and each passenger's outcome."""

    id: str
    flight: str
    departure: str
    arrival: str
    departs_at: dt.datetime | None
    operation: str | None
    format: str
    counts: dict[str, int]
    errors: list[dict[str, Any]]
    passengers: list[dict[str, Any]]
    created_at: dt.datetime


class DocumentIn(BaseModel):
    """A travel document reported lost, stolen, revoked or invalidated."""

    number: str = Field(min_length=1, max_length=64, examples=["FA123456"])
    country: str = Field(min_length=2, max_length=3, examples=["ua"], json_schema_extra=COUNTRY)
    kind: Literal["passport", "identity_card", "visa", "other"] = "passport"
    status: Literal["lost", "stolen", "revoked", "invalidated"] = "stolen"
    note: str = Field(default="", max_length=2_000)


class DocumentOut(BaseModel):
    """A report in the register."""

    number: str
    country: str
    kind: str
    status: str
    agency: str
    reported_by: str
    reported_at: dt.datetime
    note: str


class DecisionIn(BaseModel):
    """A decision on one hit of a referral."""

    listing: str = Field(
        min_length=1, max_length=320, description="The hit's listing, document or reference."
    )
    decision: Literal["deny", "refer", "clear"]
    reason: str = Field(max_length=2_000, description="Why: required.", json_schema_extra=SAYS_SOMETHING)


class SubjectIn(BaseModel):
    """A subject to screen, as an FtM schema and properties."""

    schema_: str = Field(
        alias="schema", max_length=64, examples=["Company"], json_schema_extra=MATCHABLE_SCHEMA
    )
    properties: dict[str, list[str] | str] = Field(examples=[{"name": ["Ocean Star Shipping"]}])


class ScreeningIn(BaseModel):
    """Subjects to screen for a freeze or entry: organisations, companies, vessels, accounts, people."""

    subjects: list[SubjectIn] = Field(min_length=1, max_length=asset_screening.MAX_SUBJECTS)
    purpose: str = Field(min_length=3, max_length=500, json_schema_extra=PURPOSE)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _manifest(stored: StoredManifest, passengers: list[dict[str, Any]]) -> ManifestOut:
    return ManifestOut(
        id=stored.manifest_id,
        flight=stored.flight,
        departure=stored.departure,
        arrival=stored.arrival,
        departs_at=stored.departs_at,
        operation=stored.operation,
        format=stored.format,
        counts=stored.counts,
        errors=stored.errors,
        passengers=passengers,
        created_at=stored.created_at,
    )


@router.post(
    "/manifests",
    status_code=201,
    response_model=ManifestOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        }
    },
)
async def screen_manifest(
    request: Request,
    identity: WriterDep,
    purpose: Annotated[
        str, Query(min_length=3, max_length=500, description="Why; it is audited.", json_schema_extra=PURPOSE)
    ],
    name: Annotated[str, Query(pattern=_NAME, description="The file's name, for messages.")] = "manifest",
    operation: Annotated[
        str | None, Query(max_length=200, description="The operation it counts for.")
    ] = None,
) -> ManifestOut:
    """Screen a flight's passengers: the body is the manifest, CSV or a UN/EDIFACT PAXLST message.

    Each passenger is clear, a possible match (scores and explanations; hit/no-hit references
    for records you may not read) or a document hit; hits go to your officers' referral queue.
    A file that is not a manifest is refused whole (422) and nothing is saved; passengers that
    cannot be read are listed in `errors` and the others are still screened.
    """
    body = await request.body()
    # Screening is seconds of CPU: off the event loop, so other requests are served meanwhile.
    return await run_in_threadpool(_screen_manifest, request, identity, body, purpose, name, operation)


def _screen_manifest(
    request: Request, identity: Identity, body: bytes, purpose: str, name: str, operation: str | None
) -> ManifestOut:
    now = _now()
    manifest = read_as_file(body[: MAX_FILE_BYTES + 1], name, lambda path: read_manifest(path, now.date()))
    matching: MatchingService = request.app.state.matching
    threshold = request.app.state.settings.match_threshold
    screened = manifests.screen(
        request.app.state.engine,
        matching,
        identity,
        manifest,
        threshold=threshold,
        purpose=purpose,
        now=now,
        operation=operation,
    )
    passengers = [
        {
            "position": passenger.position,
            "name": passenger.name,
            "status": outcome.status,
            "hits": outcome.shown(),
        }
        for passenger, outcome in screened.outcomes
    ]
    return _manifest(screened.manifest, passengers)


@router.get("/manifests", response_model=list[ManifestOut])
def list_manifests(engine: EngineDep, identity: CallerDep) -> list[ManifestOut]:
    """Your agency's screened manifests, latest first (without their passengers)."""
    return [_manifest(found, []) for found in manifests.list_manifests(engine, identity)]


@router.get("/manifests/{manifest_id}", response_model=ManifestOut)
def read_manifest_result(manifest_id: str, engine: EngineDep, identity: CallerDep) -> ManifestOut:
    """One screened manifest of your agency with every passenger's outcome."""
    stored, passengers = manifests.get(engine, identity, manifest_id, _now())
    return _manifest(
        stored,
        [
            {
                "position": passenger.position,
                "name": passenger.name,
                "status": passenger.status,
                "hits": passenger.hits,
            }
            for passenger in passengers
        ],
    )


@router.post("/documents", status_code=201, response_model=DocumentOut)
def report_document(body: DocumentIn, engine: EngineDep, identity: WriterDep) -> DocumentOut:
    """Report a travel document lost, stolen or revoked; 409 if it was reported before."""
    made = travel_documents.report(
        engine,
        identity,
        country=body.country,
        number=body.number,
        kind=body.kind,
        status=body.status,
        note=body.note,
        now=_now(),
    )
    return DocumentOut.model_validate(made, from_attributes=True)


@router.get("/documents", response_model=list[DocumentOut])
def list_documents(
    engine: EngineDep,
    identity: CallerDep,
    every: Annotated[bool, Query(description="Every agency's.")] = False,
) -> list[DocumentOut]:
    """The latest reports in the register: your agency's, or every agency's."""
    found = travel_documents.list_reports(engine, identity, mine=not every)
    return [DocumentOut.model_validate(report, from_attributes=True) for report in found]


@router.get("/referrals", response_model=list[dict[str, Any]])
def list_referrals(
    engine: EngineDep,
    identity: CallerDep,
    status: Annotated[Literal["open", "settled"], Query()] = "open",
) -> list[dict[str, Any]]:
    """Your agency's referral queue: hits waiting for an officer's decision, first in first."""
    found, _total = entry_decisions.list_referrals(engine, identity, status)
    return [entry_decisions.referral_view(referral) for referral in found]


@router.post("/referrals/{referral_id}/decisions", status_code=201, response_model=dict[str, Any])
def decide(
    referral_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: DecisionIn,
    engine: EngineDep,
    identity: WriterDep,
) -> dict[str, Any]:
    """Decide on one hit of a referral: deny (waits for a second officer), refer or clear, with a reason."""
    made = entry_decisions.decide(
        engine,
        identity,
        referral_id,
        body.listing,
        body.decision,
        body.reason,
        _now(),
    )
    return entry_decisions.view(made)


@router.post("/decisions/{decision_id}/confirm", response_model=dict[str, Any])
def confirm(decision_id: str, engine: EngineDep, identity: WriterDep) -> dict[str, Any]:
    """Confirm another officer's deny (four eyes): 403 for the officer who made it."""
    return entry_decisions.view(entry_decisions.confirm(engine, identity, decision_id, _now()))


@router.get("/decisions", response_model=None, responses={200: {"content": {"text/csv": {}}}})
def list_decisions(
    engine: EngineDep,
    identity: CallerDep,
    decision: Annotated[Literal["deny", "refer", "clear"] | None, Query()] = None,
    status: Annotated[Literal["pending", "confirmed", "final"] | None, Query()] = None,
    format: Annotated[
        Literal["json", "csv"], Query(description="csv exports (audited as an export).")
    ] = "json",
    limit: Annotated[int, Query(ge=1, le=entry_decisions.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    """Your agency's decisions, newest first, as JSON or a CSV export."""
    found, total = entry_decisions.list_decisions(
        engine,
        identity,
        decision=decision,
        status=status,
        limit=limit,
        offset=offset,
        now=_now(),
        export=format == "csv",
    )
    if format == "json":
        views = [entry_decisions.view(made) for made in found]
        body = orjson.dumps({"results": views, "total": total, "limit": limit, "offset": offset})
        return Response(body, media_type="application/json")
    out = io.StringIO()
    csv.writer(out).writerows(entry_decisions.export_rows(found))
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="decisions.csv"', "Cache-Control": "no-store"},
    )


@router.post("/decisions/recheck", response_model=dict[str, int])
def recheck(
    engine: EngineDep, matching: MatchingDep, settings: SettingsDep, identity: WriterDep
) -> dict[str, int]:
    """Screen your agency's cleared subjects again; new or changed listings refer them for review."""
    referred = entry_decisions.recheck(
        engine,
        matching,
        identity,
        threshold=settings.match_threshold,
        now=_now(),
    )
    return {"referred": referred}


@router.post("/screenings", response_model=list[dict[str, Any]])
def screen_subjects(
    body: ScreeningIn, engine: EngineDep, matching: MatchingDep, settings: SettingsDep, identity: WriterDep
) -> list[dict[str, Any]]:
    """Screen organisations, companies, vessels or people for an asset freeze (or entry).

    Each subject comes back clear or a possible match, with its hits, references and the
    referral that took it to your officers' queue; earlier decisions are recalled.
    """
    subjects = [subject.model_dump(by_alias=True) for subject in body.subjects]
    outcomes, referrals = asset_screening.screen(
        engine,
        matching,
        identity,
        subjects,
        threshold=settings.match_threshold,
        purpose=body.purpose,
        now=_now(),
    )
    return [
        {"subject": outcome.query(), "status": outcome.status, "hits": outcome.shown(), "referral": referral}
        for outcome, referral in zip(outcomes, referrals, strict=True)
    ]
