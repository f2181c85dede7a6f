"""Coordinated operations in the browser: the list, the planning form, and each operation with its
live tally, its latest field results, the form to file one, and its after-action report.

The operations service decides who sees and files what; these pages offer only the forms that could
succeed for the viewer, and the service refuses any other with an error page. The tally is drawn
here first, then `static/operations.js` redraws it in place from the API's tally stream.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, fields, replace
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from liaison.access import Action, OperationFacts, may
from liaison.errors import BadInput, Conflict
from liaison.http.deps import EngineDep
from liaison.http.problems import MAX_ID
from liaison.model import Identity
from liaison.model.operation import VICTIM_KINDS, Checkpoint, CrimeArea, OperationPlan, ResultKind, Seizure
from liaison.services.operations import operation_report, operations
from liaison.services.sharing import catalog
from liaison.store.operations import Operation
from liaison.web.render import page, redirect
from liaison.web.session import Posted, PostedDep, Viewer, ViewerDep

__all__ = ["headline", "router"]

router = APIRouter(prefix="/app", include_in_schema=False)
SHOWN = 50
"""The latest field results an operation's page lists; the report's appendix lists them all."""
Key = Annotated[str, Path(max_length=200)]
"""An operation's id, or its name (which may be up to 200 characters)."""
KINDS = tuple((kind.value, kind.value.replace("_", " ")) for kind in ResultKind)
AREAS = tuple(area.value for area in CrimeArea)
# The report is a document of its own: styles and charts inline, nothing fetched and nothing run,
# so its policy allows no script at all (the pages' own allows Liaison's scripts).
_REPORT_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
        "base-uri 'none'; form-action 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
_SEPARATORS = re.compile(r"[\s,;]+")


def _now() -> dt.datetime:
    """The time of the request, in UTC: operations' days are UTC days, as the API's are."""
    return dt.datetime.now(dt.UTC)


def _words(text: str) -> list[str]:
    """Values typed in one field, separated by commas, semicolons or spaces."""
    return [word for word in _SEPARATORS.split(text) if word]


def _date(value: str, field_name: str) -> dt.date:
    """A date typed in a form (a date input sends YYYY-MM-DD); BadInput names the field."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"field '{field_name}': {value[:40]!r} is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True, slots=True)
class PlanForm:
    """What the planning form holds, kept as typed so that a refused form comes back filled in."""

    name: str = ""
    area: str = CrimeArea.TRAFFICKING.value
    starts: str = ""
    ends: str = ""
    agencies: list[str] = field(default_factory=list)
    countries: str = ""
    objectives: str = ""
    watchlists: list[str] = field(default_factory=list)
    checkpoints: str = ""

    @classmethod
    def read(cls, sent: Posted) -> PlanForm:
        """The form as posted."""
        return cls(
            name=sent.text("name"),
            area=sent.text("area"),
            starts=sent.text("starts"),
            ends=sent.text("ends"),
            agencies=sent.texts("agencies"),
            countries=sent.text("countries"),
            objectives=sent.text("objectives"),
            watchlists=sent.texts("watchlists"),
            checkpoints=sent.text("checkpoints"),
        )

    def plan(self) -> OperationPlan:
        """The plan, checked whole; BadInput names the field (and the checkpoint's line) at fault."""
        checkpoints = []
        for number, line in enumerate(self.checkpoints.splitlines(), start=1):
            if line.strip():
                try:
                    checkpoints.append(Checkpoint.from_line(line.strip()))
                except BadInput as exc:
                    raise BadInput(f"field 'checkpoints', line {number}: {exc}") from exc
        return OperationPlan.parse(
            self.name,
            self.area,
            _date(self.starts, "starts"),
            _date(self.ends, "ends"),
            agencies=self.agencies,
            countries=_words(self.countries),
            objectives=self.objectives,
            watchlists=self.watchlists,
            checkpoints=checkpoints,
        )


@dataclass(frozen=True, slots=True)
class ResultForm:
    """What the field result form holds, kept as typed so that a refused result comes back filled in."""

    kind: str = ResultKind.ARREST.value
    count: str = "1"
    country: str = ""
    day: str = ""
    checkpoint: str = ""
    entities: str = ""
    what: str = ""
    quantity: str = ""
    unit: str = ""
    place: str = ""
    note: str = ""

    @classmethod
    def read(cls, sent: Posted) -> ResultForm:
        """The form as posted."""
        return cls(**{known.name: sent.text(known.name) for known in fields(cls)})

    def number(self) -> int:
        """The count as a whole number; its sign is the model's to check."""
        try:
            return int(self.count)
        except ValueError:
            raise BadInput(f"field 'count': {self.count[:20]!r} is not a whole number") from None

    def seizure(self) -> Seizure | None:
        """The seizure described, if any of its fields is filled in; they go together."""
        if not (self.what or self.quantity or self.unit or self.place):
            return None
        if not (self.what and self.quantity and self.unit):
            raise BadInput("field 'seizure': say what was seized, how much and in which unit")
        try:
            quantity = float(self.quantity)
        except ValueError:
            raise BadInput(f"field 'seizure.quantity': {self.quantity[:20]!r} is not a number") from None
        return Seizure(self.what, quantity, self.unit, self.place)


@router.get("/operations", response_class=HTMLResponse)
def operation_list(request: Request, engine: EngineDep, viewer: ViewerDep) -> HTMLResponse:
    """The operations the user's agency coordinates or takes part in."""
    found = operations.list_operations(engine, viewer.identity)
    today = _now().date()
    return page(
        request,
        viewer,
        "operations.html",
        operations=[(operation, operations.status(operation, today).value) for operation in found],
        plans=_plans(viewer.identity),
    )


@router.get("/operations/new", response_class=HTMLResponse)
def new_operation(request: Request, viewer: ViewerDep) -> HTMLResponse:
    """The planning form, with the next week as the period."""
    today = _now().date()
    draft = PlanForm(starts=today.isoformat(), ends=(today + dt.timedelta(days=6)).isoformat())
    return _plan_form(request, viewer, draft)


@router.post("/operations/new", response_class=HTMLResponse)
def create_operation(request: Request, engine: EngineDep, sent: PostedDep) -> Response:
    """Create the operation, then show it; a refused plan comes back with the reason and what was typed."""
    draft = PlanForm.read(sent)
    try:
        created = operations.create(engine, sent.identity, draft.plan(), _now())
    except BadInput as exc:
        return _plan_form(request, sent.viewer, draft, error=str(exc), status=422)
    except Conflict as exc:
        return _plan_form(request, sent.viewer, draft, error=str(exc), status=409)
    return redirect(f"/app/operations/{created.operation_id}")


@router.get("/operations/{key}", response_class=HTMLResponse)
def operation_page(
    request: Request,
    viewer: ViewerDep,
    key: Key,
    filed: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> HTMLResponse:
    """The plan, the live tally, the latest results, and the forms open to the viewer."""
    return _operation_page(request, viewer, key, ResultForm(), filed=filed)


@router.post("/operations/{key}/results", response_class=HTMLResponse)
def file_result(request: Request, engine: EngineDep, sent: PostedDep, key: Key) -> Response:
    """File a field result for the user's agency; a refused one comes back on the page with the reason."""
    form = ResultForm.read(sent)
    now = _now()
    try:
        result = operations.file_result(
            engine,
            sent.identity,
            key,
            kind=form.kind,
            count=form.number(),
            country=form.country,
            day=_date(form.day, "day") if form.day else now.date(),
            checkpoint=form.checkpoint or None,
            entities=_words(form.entities),
            seizure=form.seizure(),
            note=form.note,
            source="web",
            now=now,
        )
    except BadInput as exc:
        return _operation_page(request, sent.viewer, key, form, error=str(exc), status=422)
    return redirect(f"/app/operations/{result.operation_id}?filed={result.result_id}#file")


@router.post("/operations/{key}/close")
def close_operation(engine: EngineDep, sent: PostedDep, key: Key) -> Response:
    """Close the operation: it takes no more results. Forbidden or Conflict become error pages."""
    closed = operations.close(engine, sent.identity, key, _now())
    return redirect(f"/app/operations/{closed.operation_id}")


@router.get("/operations/{key}/report", response_class=HTMLResponse)
def report_page(engine: EngineDep, viewer: ViewerDep, key: Key) -> HTMLResponse:
    """The after-action report as a page of its own, as it stands now."""
    report = operation_report.build(engine, viewer.identity, key, _now())
    return HTMLResponse(operation_report.render_html(report), headers=_REPORT_HEADERS)


@router.get("/operations/{key}/report.pdf")
def report_pdf(engine: EngineDep, viewer: ViewerDep, key: Key) -> Response:
    """The after-action report as a PDF download."""
    report = operation_report.build(engine, viewer.identity, key, _now())
    filename = f"after-action-{report.operation.operation_id}.pdf"
    return Response(
        operation_report.render_pdf(report),
        media_type="application/pdf",
        headers={**_REPORT_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _plans(identity: Identity) -> bool:
    """Whether to offer the planning form: a display hint, `operations.create` decides."""
    return bool(may(identity, Action.PLAN, OperationFacts(identity.agency or "", frozenset())))


def _plan_form(
    request: Request, viewer: Viewer, draft: PlanForm, *, error: str = "", status: int = 200
) -> HTMLResponse:
    """The planning form, filled in with the draft, and the reason it was refused if it was."""
    engine = request.app.state.engine
    return page(
        request,
        viewer,
        "operation_new.html",
        status,
        draft=draft,
        areas=AREAS,
        agencies=catalog.agencies(engine),
        datasets=catalog.datasets(engine, viewer.identity),
        plans=_plans(viewer.identity),
        error=error,
    )


def _operation_page(
    request: Request,
    viewer: Viewer,
    key: str,
    form: ResultForm,
    *,
    filed: int | None = None,
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    """An operation's page; the result form holds what was typed when a result was refused."""
    engine, identity, now = request.app.state.engine, viewer.identity, _now()
    operation = operations.get(engine, identity, key, now)
    _found, tally = operations.tally(engine, identity, operation.operation_id)
    total = sum(cell.results for cell in tally.cells)
    _found, latest = operations.results(
        engine, identity, operation.operation_id, now, limit=SHOWN, newest_first=True
    )
    state = operations.status(operation, now.date())
    return page(
        request,
        viewer,
        "operation.html",
        status,
        operation=operation,
        plan=operation.plan,
        state=state.value,
        tally=tally,
        kinds=KINDS,
        columns=[(kind, label) for kind, label in KINDS if kind in tally.totals],
        countries=list(dict.fromkeys((*operation.plan.countries, *sorted(tally.by_country)))),
        results=[(result, operations.view_result(result, identity)) for result in latest],
        total_results=total,
        shown=SHOWN,
        may_file=_files(identity, operation),
        may_close=_closes(identity, operation),
        form=form if form.day else _today_in(form, operation, now.date()),
        filed=filed,
        error=error,
    )


def _today_in(form: ResultForm, operation: Operation, today: dt.date) -> ResultForm:
    """A fresh form's day: today, or the nearest day of the operation's period."""
    plan = operation.plan
    return replace(form, day=min(max(today, plan.starts), plan.ends).isoformat())


def _files(identity: Identity, operation: Operation) -> bool:
    """Whether to offer the field result form: a display hint, `operations.file_result` decides."""
    return operation.closed_at is None and bool(may(identity, Action.FILE, operation.facts))


def _closes(identity: Identity, operation: Operation) -> bool:
    """Whether to offer the Close button: a display hint, `operations.close` decides."""
    return operation.closed_at is None and bool(may(identity, Action.CLOSE, operation.facts))


def headline(totals: dict[str, int]) -> dict[str, int]:
    """The figures a dashboard shows of an operation: arrests, victims (rescued and identified), hits."""
    return {
        "arrests": totals.get(ResultKind.ARREST.value, 0),
        "victims": sum(totals.get(kind.value, 0) for kind in VICTIM_KINDS),
        "hits": totals.get(ResultKind.HIT.value, 0),
    }
