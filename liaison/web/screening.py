"""Screening: one person from a form, or a whole CSV (a manifest, a visa list) streamed back as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.datastructures import UploadFile

from liaison.errors import BadInput
from liaison.ingest.base import read_as_file
from liaison.ingest.screening_csv import ScreeningRow, read_screening_csv
from liaison.model import Identity
from liaison.services.screening.matching_service import MAX_BATCH, Matches, MatchingService, Scope
from liaison.web.render import page
from liaison.web.session import PostedDep, ViewerDep
from liaison.web.uploads import upload_name

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
_LIMIT = 10
COLUMNS = (
    "row",
    "name",
    "status",
    "entity_id",
    "datasets",
    "caption",
    "score",
    "explanation",
    "owner_agency",
)


@router.get("/screen", response_class=HTMLResponse)
def screen_person(
    request: Request,
    viewer: ViewerDep,
    name: str = "",
    birth_date: str = "",
    nationality: str = "",
    document: str = "",
    purpose: str = "",
) -> HTMLResponse:
    """The screening forms and, for a name and a purpose, that person's matches and references."""
    values = {
        "name": name.strip()[:300],
        "birth_date": birth_date.strip()[:10],
        "nationality": nationality.strip()[:2],
        "document": document.strip()[:64],
        "purpose": purpose.strip()[:500],
    }
    context: dict[str, Any] = {"values": values, "answer": None, "error": ""}
    if not values["name"]:
        return page(request, viewer, "screen.html", **context)
    if len(values["purpose"]) < 3:
        context["error"] = (
            "Say why you screen (at least 3 characters): every screening is audited with its purpose."
        )
        return page(request, viewer, "screen.html", 422, **context)
    properties = {"name": [values["name"]]}
    for field, prop in (
        ("birth_date", "birthDate"),
        ("nationality", "nationality"),
        ("document", "idNumber"),
    ):
        if values[field]:
            properties[prop] = [values[field]]
    answers = _match(
        request,
        viewer.identity,
        {"person": {"schema": "Person", "properties": properties}},
        values["purpose"],
    )
    context["answer"] = answers[0]
    return page(request, viewer, "screen.html", **context)


@router.post("/screen/file", response_model=None)
async def screen_file(request: Request, sent: PostedDep) -> Response:
    """Screen every row of an uploaded CSV; the result streams back as CSV, a row at a time.

    The file is checked before anything is screened: a file without a `name` column is refused
    whole. Rows that cannot be read come back with their error; the others are still screened.
    The `X-Liaison-Rows` header says how many rows there are, so a page can show progress.
    """
    upload = sent.form.get("file")
    purpose = sent.text("purpose")[:500]
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise BadInput("field 'file': choose a CSV file to screen")
    if len(purpose) < 3:
        raise BadInput("field 'purpose': say why you screen (at least 3 characters); it is audited")
    name = upload_name(upload.filename, "upload.csv")
    rows = read_as_file(await upload.read(), name, lambda path: list(read_screening_csv(path)))
    identity = sent.identity
    return StreamingResponse(
        _lines(request, identity, rows, purpose),
        media_type="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="screened-{_ascii(name)}"',
            "X-Liaison-Rows": str(len(rows)),
            "Cache-Control": "no-store",
        },
    )


def _ascii(name: str) -> str:
    return "".join(char if char.isascii() and (char.isalnum() or char in "._-") else "_" for char in name)


def _lines(request: Request, identity: Identity, rows: Sequence[ScreeningRow], purpose: str) -> Iterator[str]:
    """The result CSV, one batch of rows at a time: each row's matches, references, or why it failed."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for start in range(0, len(rows), MAX_BATCH):
        batch = rows[start : start + MAX_BATCH]
        queries = {str(row.row): row.query.to_dict() for row in batch if row.query is not None}
        answers = (
            {answer.key: answer for answer in _match(request, identity, queries, purpose)} if queries else {}
        )
        for row in batch:
            _write_row(writer, row, answers.get(str(row.row)))
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def _write_row(writer: Any, row: ScreeningRow, answer: Matches | None) -> None:
    name = row.values.get("name", "")
    if answer is None:
        writer.writerow([row.row, name, "error", "", "", "", "", row.error or "", ""])
        return
    for note in row.notes:  # what the row was screened without, before what it found
        writer.writerow([row.row, name, "note", "", "", "", "", note, ""])
    hits = [scored for scored in answer.results if scored.match]
    if not hits and not answer.references:
        writer.writerow([row.row, name, "clear", "", "", "", "", "", ""])
    for scored in hits:
        why = "; ".join(f"{f.name}={f.value:.2f} ({f.contribution:+.2f})" for f in scored.score.features)
        found = scored.found
        owners = " ".join(envelope.owner_agency for envelope in found.envelopes)
        score = f"{scored.score.score:.4f}"
        datasets = " ".join(found.datasets)
        writer.writerow(
            [row.row, name, "match", found.proxy.id, datasets, found.proxy.caption, score, why, owners]
        )
    for reference in answer.references:
        hidden = "a record you may not read; ask its owner for access"
        score = f"{reference.score:.4f}"
        writer.writerow(
            [row.row, name, "reference", reference.ref, "", "", score, hidden, reference.owner_agency]
        )


def _match(request: Request, identity: Identity, queries: dict[str, Any], purpose: str) -> list[Matches]:
    matching: MatchingService = request.app.state.matching
    threshold = request.app.state.settings.match_threshold
    return matching.match(
        queries,
        scope=Scope(),
        threshold=threshold,
        cutoff=threshold,
        limit=_LIMIT,
        identity=identity,
        now=dt.datetime.now(dt.UTC),
        purpose=purpose,
    )
