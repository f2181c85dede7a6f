"""Cyber intelligence in the browser: correlate indicators, import STIX bundles and MISP events, and
share datasets as STIX bundles or through the TAXII 2.1 server.

The services decide who may import, read and export; these pages offer the import form only to
roles that write. A refused form comes back on the page with the reason and the status the
error table gives it.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from liaison import ingest
from liaison.access.decision import Action, Kind, rule
from liaison.errors import BadInput, Forbidden, NotFound
from liaison.http.deps import DatasetName
from liaison.ingest.base import read_as_file
from liaison.ingest.stix import MAX_BUNDLE_BYTES
from liaison.model import Handling
from liaison.services.cyber import correlation, stix_export, taxii
from liaison.services.cyber.correlation import Correlated
from liaison.services.sharing.imports import ImportResult, envelope_for, import_records
from liaison.web.render import page, redirect, refusal_status
from liaison.web.session import PostedDep, Viewer, ViewerDep
from liaison.web.uploads import upload_name

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
KINDS = {"stix": "STIX 2.1 bundle", "misp": "MISP event"}
REFUSED = (BadInput, Forbidden, NotFound)


@dataclass(frozen=True, slots=True)
class ImportForm:
    """What the import form held besides the file, so that a refused import comes back filled in."""

    kind: str = "stix"
    dataset: str = ""
    handling: str = "AMBER"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _imports(viewer: Viewer) -> bool:
    """Whether to offer the import form: whether the user writes into any dataset (auditors do not)."""
    return bool(rule(viewer.identity, Action.WRITE, Kind.DATASET))


@router.get("/cyber", response_class=HTMLResponse)
def cyber_page(
    request: Request,
    viewer: ViewerDep,
    values: Annotated[str, Query(max_length=40_000)] = "",
    purpose: Annotated[str, Query(max_length=500)] = "",
    imported: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    """The correlation form (and its results when values are given), imports and sharing."""
    found: list[Correlated] = []
    error, status = "", 200
    if values.strip():
        try:
            wanted = correlation.read_values(
                [(None, line.strip()) for line in values.splitlines() if line.strip()]
            )
            found = correlation.correlate(
                request.app.state.engine, viewer.identity, wanted, purpose=purpose, now=_now()
            )
        except BadInput as exc:
            error, status = str(exc), 422
    return _page(
        request,
        viewer,
        ImportForm(),
        status,
        values=values,
        purpose=purpose,
        found=found,
        correlate_error=error,
        imported=imported,
    )


def _page(
    request: Request, viewer: Viewer, form: ImportForm, status: int = 200, **context: object
) -> HTMLResponse:
    base = str(request.base_url).rstrip("/")
    return page(
        request,
        viewer,
        "cyber.html",
        status,
        form=form,
        kinds=KINDS,
        handlings=[code.value for code in Handling],
        imports=_imports(viewer),
        collections=taxii.collections(request.app.state.engine, viewer.identity),
        discovery=f"{base}/taxii2/",
        section="cyber",
        **{
            "values": "",
            "purpose": "",
            "found": [],
            "correlate_error": "",
            "import_error": "",
            "imported": "",
            **context,
        },
    )


def _import(request: Request, posted: PostedDep, form: ImportForm, name: str, data: bytes) -> ImportResult:
    identity, now = posted.identity, _now()
    envelope = envelope_for(
        identity.agency or "",
        form.dataset,
        form.handling,
        "cyber threat intelligence",
        now=now,
        retention_years=request.app.state.settings.retention_years,
    )
    return read_as_file(
        data,
        name,
        lambda path: import_records(
            request.app.state.engine,
            ingest.read(form.kind, path),
            envelope=envelope,
            title=form.dataset,
            kind=form.kind,
            source=name,
            now=now,
            identity=identity,
        ),
    )


@router.post("/cyber/import", response_model=None)
async def import_upload(request: Request, sent: PostedDep) -> Response:
    """Import an uploaded STIX bundle or MISP event into a dataset of your agency; all or nothing."""
    form = ImportForm(sent.text("kind")[:10], sent.text("dataset")[:64], sent.text("handling")[:20])
    upload = sent.form.get("file")
    limit = min(MAX_BUNDLE_BYTES, int(request.app.state.settings.max_body_bytes))
    try:
        if form.kind not in KINDS:
            raise BadInput(f"field 'kind': use one of {', '.join(KINDS)}")
        if not form.dataset or not form.dataset.replace("_", "").replace("-", "").replace(".", "").isalnum():
            raise BadInput("field 'dataset': letters, digits, '_', '-' or '.'")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise BadInput("field 'file': choose a STIX bundle or MISP event file (JSON)")
        name = upload_name(upload.filename, "upload.json")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise BadInput(
                f"{name}: larger than the {limit:,} bytes an upload may take; use `liaison import`"
            )
        result = await run_in_threadpool(_import, request, sent, form, name, data)
    except REFUSED as exc:
        return _page(request, sent.viewer, form, refusal_status(exc), import_error=str(exc))
    return redirect(f"/app/cyber?imported={result.dataset}:{result.records}")


@router.get("/cyber/datasets/{dataset}/stix", response_model=None)
def download_stix(
    request: Request,
    viewer: ViewerDep,
    dataset: DatasetName,
    purpose: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """The dataset's records you may read as a STIX 2.1 bundle file; audited with its purpose."""
    if len(purpose.strip()) < 3:
        raise BadInput("field 'purpose': say why you export (at least 3 characters); it is audited")
    buffer = io.BytesIO()
    stix_export.export_stix(request.app.state.engine, dataset, buffer, viewer.identity, _now(), purpose)
    return Response(
        buffer.getvalue(),
        media_type="application/stix+json;version=2.1",
        headers={"Content-Disposition": f'attachment; filename="{dataset}.stix.json"'},
    )
