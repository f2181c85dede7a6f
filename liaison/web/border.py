"""Border screening in the browser: passenger manifests, the officers' referral queue, decisions
with four eyes, and the register of lost and stolen travel documents.

The services decide who may screen, decide and confirm, by the one access decision; these pages
ask its rules which forms to offer. A refused form comes back on its own page with the reason, under the
status the error table gives it (422 bad input, 403 forbidden, 404 not found, 409 conflict).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, replace
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from liaison.access.decision import Action, Kind, rule
from liaison.errors import BadInput, Conflict, Forbidden, NotFound
from liaison.http.problems import MAX_ID, MAX_OFFSET
from liaison.ingest.base import read_as_file
from liaison.ingest.manifest import MAX_FILE_BYTES, read_manifest
from liaison.model import Identity
from liaison.model.manifest import Manifest
from liaison.model.operation import OperationStatus
from liaison.services.operations import operations
from liaison.services.screening import entry_decisions, manifests, travel_documents
from liaison.store.entry_decisions import PENDING, Decision
from liaison.web.render import page, redirect, refusal_status
from liaison.web.session import PostedDep, Viewer, ViewerDep
from liaison.web.uploads import upload_name

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
ManifestId = Annotated[str, Path(max_length=64)]
DecisionId = Annotated[str, Path(max_length=64)]
ReferralId = Annotated[int, Path(ge=1, le=MAX_ID)]
SHOWN = 100
# The errors a form can be refused with; anything else is a page of its own, or a bug.
REFUSED = (BadInput, Forbidden, Conflict, NotFound)
_DONE = {
    "deny": "Deny recorded. It stands once another officer of your agency confirms it.",
    "refer": "Referral recorded.",
    "clear": "Cleared: the hit is not raised again while neither the subject's data nor the listing changes.",
    "confirm": "Deny confirmed: it is now in force.",
}


def _now() -> dt.datetime:
    """Now, in UTC: the services take the clock as an argument."""
    return dt.datetime.now(dt.UTC)


def _screens(identity: Identity) -> bool:
    """Whether to offer screening and reporting forms: whether the user screens for an agency at all."""
    return bool(rule(identity, Action.SCREEN, Kind.AGENCY))


def _decides(identity: Identity) -> bool:
    """Whether to offer decide and confirm forms: whether the user decides on any referral."""
    return bool(rule(identity, Action.DECIDE, Kind.REFERRAL))


# Manifests.


@dataclass(frozen=True, slots=True)
class UploadForm:
    """What the upload form held besides the file, so that a refused upload comes back filled in."""

    purpose: str = ""
    operation: str = ""


def _read(name: str, data: bytes, today: dt.date) -> Manifest:
    """Read an uploaded manifest; its errors, and the manifest's source, name the user's file."""
    return replace(read_as_file(data, name, lambda path: read_manifest(path, today)), source=name)


def _upload_limit(request: Request) -> int:
    """The largest file the form takes: a manifest's limit, or the server's body limit if lower."""
    return min(MAX_FILE_BYTES, int(request.app.state.settings.max_body_bytes))


@router.get("/manifests", response_class=HTMLResponse)
def manifest_list(request: Request, viewer: ViewerDep) -> HTMLResponse:
    """The upload form and the agency's latest screened manifests."""
    return _manifests_page(request, viewer, UploadForm())


@router.post("/manifests", response_model=None)
async def upload_manifest(request: Request, sent: PostedDep) -> Response:
    """Screen an uploaded manifest (CSV or PAXLST), then show it; a refused file saves nothing.

    Example: a CSV with a `surname` column, one passenger a row; hits go to the referral queue.
    """
    form = UploadForm(purpose=sent.text("purpose")[:500], operation=sent.text("operation")[:200])
    upload = sent.form.get("file")
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise BadInput("field 'file': choose a manifest file (CSV or UN/EDIFACT PAXLST)")
        name = upload_name(upload.filename, "manifest")
        data = await upload.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise BadInput(f"{name}: larger than the {MAX_FILE_BYTES:,} bytes a manifest file may take")
        now = _now()
        manifest = await run_in_threadpool(_read, name, data, now.date())
        screened = await run_in_threadpool(
            lambda: manifests.screen(
                request.app.state.engine,
                request.app.state.matching,
                sent.identity,
                manifest,
                threshold=request.app.state.settings.match_threshold,
                purpose=form.purpose,
                now=now,
                operation=form.operation or None,
            )
        )
    except REFUSED as exc:
        return _manifests_page(request, sent.viewer, form, error=str(exc), status=refusal_status(exc))
    return redirect(f"/app/manifests/{screened.manifest.manifest_id}")


def _manifests_page(
    request: Request, viewer: Viewer, form: UploadForm, *, error: str = "", status: int = 200
) -> HTMLResponse:
    """The manifests page: the upload form (with the viewer's running operations) and the latest manifests."""
    engine, identity = request.app.state.engine, viewer.identity
    today = _now().date()
    running = [
        operation
        for operation in operations.list_operations(engine, identity)
        if operation.takes_part(identity.agency)
        and operations.status(operation, today) is OperationStatus.ACTIVE
    ]
    return page(
        request,
        viewer,
        "manifests.html",
        status,
        form=form,
        running=running,
        manifests=manifests.list_manifests(engine, identity),
        screens=_screens(identity),
        limit=_upload_limit(request),
        error=error,
        section="manifests",
    )


@router.get("/manifests/{manifest_id}", response_class=HTMLResponse)
def manifest_page(request: Request, viewer: ViewerDep, manifest_id: ManifestId) -> HTMLResponse:
    """One screened manifest: its flight, counts, refused entries, and each passenger's outcome."""
    found, passengers = manifests.get(request.app.state.engine, viewer.identity, manifest_id, _now())
    return page(request, viewer, "manifest.html", manifest=found, passengers=passengers, section="manifests")


# Referrals and decisions.


@dataclass(frozen=True, slots=True)
class DecideForm:
    """A decision as posted, kept so that a refused one comes back beside its hit, filled in."""

    referral: int = 0
    listing: str = ""
    decision: str = ""
    reason: str = ""


@router.get("/referrals", response_class=HTMLResponse)
def referral_queue(
    request: Request, viewer: ViewerDep, done: Annotated[str, Query(max_length=20)] = ""
) -> HTMLResponse:
    """The open referrals, oldest first, each hit with its decide form; and denials to confirm."""
    return _queue(request, viewer, DecideForm(), done=_DONE.get(done, ""))


@router.post("/referrals/{referral_id}/decide", response_model=None)
def decide(request: Request, sent: PostedDep, referral_id: ReferralId) -> Response:
    """Decide on one hit of a referral: deny (waits for a second officer), refer or clear, with a reason."""
    form = DecideForm(
        referral_id, sent.text("listing")[:400], sent.text("decision")[:20], sent.text("reason")
    )
    try:
        made = entry_decisions.decide(
            request.app.state.engine,
            sent.identity,
            referral_id,
            form.listing,
            form.decision,
            form.reason,
            _now(),
        )
    except REFUSED as exc:
        return _queue(request, sent.viewer, form, error=str(exc), status=refusal_status(exc))
    return redirect(f"/app/referrals?done={made.decision}")


@router.post("/decisions/{decision_id}/confirm", response_model=None)
def confirm(request: Request, sent: PostedDep, decision_id: DecisionId) -> Response:
    """Confirm another officer's deny (four eyes); one's own is refused."""
    try:
        entry_decisions.confirm(request.app.state.engine, sent.identity, decision_id, _now())
    except REFUSED as exc:
        return _queue(request, sent.viewer, DecideForm(), error=str(exc), status=refusal_status(exc))
    return redirect("/app/referrals?done=confirm")


def _queue(
    request: Request, viewer: Viewer, form: DecideForm, *, done: str = "", error: str = "", status: int = 200
) -> HTMLResponse:
    """The queue page: open referrals with their decide forms, and the agency's pending denials."""
    engine, identity = request.app.state.engine, viewer.identity
    referrals, total = entry_decisions.list_referrals(engine, identity)
    pending, _pending_total = entry_decisions.list_decisions(
        engine, identity, decision="deny", status=PENDING, now=_now()
    )
    # A hit with a deny waiting for confirmation says so beside its form.
    waiting = {(decision.referral, decision.listing): decision for decision in pending}
    return page(
        request,
        viewer,
        "referrals.html",
        status,
        referrals=referrals,
        total=total,
        pending=pending,
        waiting=waiting,
        decides=_decides(identity),
        decisions=entry_decisions.DECISIONS,
        form=form,
        done=done,
        error=error,
        section="referrals",
    )


@router.get("/decisions", response_class=HTMLResponse)
def decision_list(
    request: Request,
    viewer: ViewerDep,
    decision: Annotated[str, Query(max_length=20)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HTMLResponse:
    """The agency's decisions, newest first, each with its legal basis."""
    found, total = entry_decisions.list_decisions(
        request.app.state.engine,
        viewer.identity,
        decision=decision or None,
        limit=SHOWN,
        offset=offset,
        now=_now(),
    )
    return page(
        request,
        viewer,
        "decisions.html",
        found=found,
        total=total,
        wanted=decision,
        decisions=entry_decisions.DECISIONS,
        offset=offset,
        shown=SHOWN,
        section="decisions",
    )


@router.get("/decisions.csv")
def decision_export(
    request: Request, viewer: ViewerDep, decision: Annotated[str, Query(max_length=20)] = ""
) -> Response:
    """Every decision of the agency as CSV, in the columns of `liaison decision list --csv`; audited."""
    engine, identity, now = request.app.state.engine, viewer.identity, _now()
    rows: list[Decision] = []
    total = 1
    while len(rows) < total:
        # The service hands out a page at a time; each page is audited as part of the export.
        found, total = entry_decisions.list_decisions(
            engine, identity, decision=decision or None, offset=len(rows), now=now, export=True
        )
        if not found:
            break
        rows.extend(found)
    out = io.StringIO()
    csv.writer(out).writerows(entry_decisions.export_rows(rows))
    filename = f"decisions-{identity.agency or 'all'}-{now:%Y%m%d}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


# The lost and stolen document register.


@dataclass(frozen=True, slots=True)
class ReportForm:
    """A document report as typed, so that a refused one comes back filled in."""

    number: str = ""
    country: str = ""
    kind: str = "passport"
    status: str = "stolen"
    note: str = ""


@router.get("/documents", response_class=HTMLResponse)
def document_register(
    request: Request, viewer: ViewerDep, reported: Annotated[int, Query(ge=0, le=1)] = 0
) -> HTMLResponse:
    """The report form and the agency's latest reports."""
    return _documents(request, viewer, ReportForm(), reported=bool(reported))


@router.post("/documents", response_model=None)
def report_document(request: Request, sent: PostedDep) -> Response:
    """Report a document lost, stolen, revoked or invalidated: any manifest carrying it becomes a hit."""
    form = ReportForm(
        sent.text("number")[:64],
        sent.text("country")[:3],
        sent.text("kind")[:20],
        sent.text("status")[:20],
        sent.text("note"),
    )
    try:
        travel_documents.report(
            request.app.state.engine,
            sent.identity,
            country=form.country,
            number=form.number,
            kind=form.kind,
            status=form.status,
            note=form.note,
            now=_now(),
        )
    except REFUSED as exc:
        return _documents(request, sent.viewer, form, error=str(exc), status=refusal_status(exc))
    return redirect("/app/documents?reported=1")


def _documents(
    request: Request,
    viewer: Viewer,
    form: ReportForm,
    *,
    reported: bool = False,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    """The register page: the report form and the agency's latest reports."""
    return page(
        request,
        viewer,
        "documents.html",
        status,
        form=form,
        reports=travel_documents.list_reports(request.app.state.engine, viewer.identity),
        kinds=travel_documents.KINDS,
        statuses=travel_documents.STATUSES,
        screens=_screens(viewer.identity),
        reported=reported,
        error=error,
        section="documents",
    )
