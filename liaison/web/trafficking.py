"""Human trafficking in the browser: the first responder's indicator form (phone-first, in
English, French or Spanish), its advice, and case statistics with small cells withheld.

The form is one page of plain questions. Each rendering carries a one-time token, so a form
sent twice (a double tap, a reload) is refused instead of recorded twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from liaison.domains.trafficking.indicators import ADVICE, GROUPS, INDICATORS, SETTINGS
from liaison.errors import BadInput, Conflict, Forbidden, NotFound
from liaison.http.auth import SettingsDep
from liaison.http.deps import EngineDep
from liaison.i18n import LANGUAGES, negotiate, translations
from liaison.ingest.base import read_as_file
from liaison.ingest.stix import MAX_BUNDLE_BYTES
from liaison.services.sharing.imports import envelope_for
from liaison.services.trafficking import indicator_screening, trafficking_cases
from liaison.services.trafficking.trafficking_cases import Statistics
from liaison.store.trafficking import CASE_DIMENSIONS, CASE_MEASURES, VICTIM_DIMENSIONS
from liaison.web.render import page, redirect, refusal_status
from liaison.web.session import PostedDep, Viewer, ViewerDep
from liaison.web.uploads import upload_name

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
REFUSED = (BadInput, Forbidden, Conflict, NotFound)
Lang = Annotated[str | None, Query(max_length=8)]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _language(request: Request, chosen: str | None) -> str:
    return negotiate(chosen, request.headers.get("accept-language"))


def _texts(language: str) -> dict[str, Any]:
    """What every indicator template needs to speak the language."""
    return {"_": translations(language).gettext, "lang": language, "languages": LANGUAGES}


def _form(
    request: Request,
    viewer: Viewer,
    language: str,
    *,
    sent: dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    groups = {group: [i for i in INDICATORS if i.group == group] for group in GROUPS}
    return page(
        request,
        viewer,
        "indicators.html",
        status,
        groups=groups,
        group_titles=GROUPS,
        settings=SETTINGS,
        token=indicator_screening.form_token(),
        sent=sent or {"observed": [], "setting": "", "country": viewer.identity.country or "", "notes": ""},
        error=error,
        section="trafficking",
        **_texts(language),
    )


@router.get("/indicators", response_class=HTMLResponse)
def indicator_form(request: Request, viewer: ViewerDep, lang: Lang = None) -> HTMLResponse:
    """The indicator form, in the language asked for or the browser's."""
    return _form(request, viewer, _language(request, lang))


@router.post("/indicators", response_model=None)
def send_indicators(request: Request, engine: EngineDep, sent: PostedDep) -> Response:
    """Record a screening and show its advice; a form sent twice is refused, changing nothing."""
    language = negotiate(sent.text("lang")[:8], None)
    form: dict[str, Any] = {
        "observed": sent.texts("observed")[: len(INDICATORS) + 1],
        "setting": sent.text("setting")[:40],
        "country": sent.text("country")[:3],
        "notes": sent.text("notes")[: indicator_screening.MAX_NOTES + 1],
    }
    try:
        done = indicator_screening.record(
            engine,
            sent.identity,
            token=sent.text("form_token")[:80],
            setting=form["setting"],
            country=form["country"],
            language=language,
            observed=form["observed"],
            notes=form["notes"],
            now=_now(),
        )
    except REFUSED as exc:
        status = refusal_status(exc)
        return _form(request, sent.viewer, language, sent=form, error=str(exc), status=status)
    return redirect(f"/app/indicators/{done.id}?lang={language}")


@router.get("/indicators/{screening_id}", response_class=HTMLResponse)
def screening_result(
    request: Request,
    engine: EngineDep,
    viewer: ViewerDep,
    screening_id: Annotated[str, Path(max_length=32)],
    lang: Lang = None,
) -> HTMLResponse:
    """A recorded screening: the advice, what to do, and the indicators seen."""
    language = _language(request, lang)
    found = indicator_screening.get(engine, viewer.identity, screening_id, _now())
    questions = {indicator.id: indicator.question for indicator in INDICATORS}
    return page(
        request,
        viewer,
        "indicator_result.html",
        screening=found,
        advice=ADVICE[found.assessment.advice],
        questions=questions,
        settings=SETTINGS,
        section="trafficking",
        **_texts(language),
    )


@router.get("/trafficking", response_class=HTMLResponse)
def statistics_page(
    request: Request,
    viewer: ViewerDep,
    counted: Annotated[str, Query(max_length=10)] = "cases",
    by: Annotated[list[str] | None, Query(max_length=20)] = None,
    measure: Annotated[str, Query(max_length=20)] = "victims",
    purpose: Annotated[str, Query(max_length=500)] = "",
    imported: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """Case or victim counts within access, cells of fewer than 11 people withheld; CSV beside."""
    return _statistics(request, viewer, counted, by or ["year"], measure, purpose, imported=imported)


def _statistics(
    request: Request,
    viewer: Viewer,
    counted: str,
    by: list[str],
    measure: str,
    purpose: str,
    *,
    imported: str = "",
    import_error: str = "",
    status: int = 200,
) -> HTMLResponse:
    found: Statistics | None = None
    error = ""
    if purpose.strip():
        try:
            if counted not in ("cases", "victims"):
                raise BadInput("field 'counted': use cases or victims")
            found = trafficking_cases.statistics(
                request.app.state.engine,
                viewer.identity,
                counted,  # type: ignore[arg-type]
                by,
                measure=measure if counted == "cases" else "victims",
                purpose=purpose,
                now=_now(),
            )
        except BadInput as exc:
            error, status = str(exc), 422
    query = [("counted", counted), *(("by", name) for name in by), ("measure", measure)]
    csv_link = "/api/v1/trafficking/statistics?" + urlencode(
        [*query, ("purpose", purpose), ("format", "csv")]
    )
    return page(
        request,
        viewer,
        "trafficking.html",
        status,
        counted=counted,
        by=by,
        measure=measure,
        purpose=purpose,
        found=found,
        error=error,
        case_dimensions=list(CASE_DIMENSIONS),
        victim_dimensions=list(VICTIM_DIMENSIONS),
        measures=list(CASE_MEASURES),
        csv_link=csv_link,
        imported=imported,
        import_error=import_error,
        section="trafficking",
    )


def _import(request: Request, sent: PostedDep, dataset: str, handling: str, name: str, data: bytes) -> str:
    """Import an uploaded case file; what it wrote, in words."""
    identity, now = sent.identity, _now()
    envelope = envelope_for(
        identity.agency or "",
        dataset,
        handling,
        "human trafficking",
        now=now,
        retention_years=request.app.state.settings.retention_years,
    )
    done = read_as_file(
        data,
        name,
        lambda path: trafficking_cases.import_cases(
            request.app.state.engine, identity, path, envelope=envelope, source=name, now=now
        ),
    )
    return f"{done.cases} cases with {done.victims} victims into {dataset}"


@router.post("/trafficking/import", response_model=None)
async def import_upload(request: Request, settings: SettingsDep, sent: PostedDep) -> Response:
    """Import an uploaded HTCDS case file into a dataset of your agency; all or nothing."""
    dataset, handling = sent.text("dataset")[:64], sent.text("handling")[:20]
    upload = sent.form.get("file")
    limit = min(MAX_BUNDLE_BYTES, int(settings.max_body_bytes))
    try:
        if not dataset or not dataset.replace("_", "").replace("-", "").replace(".", "").isalnum():
            raise BadInput("field 'dataset': letters, digits, '_', '-' or '.'")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise BadInput("field 'file': choose an HTCDS case file (JSON)")
        name = upload_name(upload.filename, "cases.json")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise BadInput(f"{name}: larger than the {limit:,} bytes an upload may take; use the CLI")
        said = await run_in_threadpool(_import, request, sent, dataset, handling, name, data)
    except REFUSED as exc:
        return _statistics(
            request,
            sent.viewer,
            "cases",
            ["year"],
            "victims",
            "",
            import_error=str(exc),
            status=refusal_status(exc),
        )
    return redirect("/app/trafficking?" + urlencode({"imported": said}))
