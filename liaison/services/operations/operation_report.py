"""After-action reports: an operation's totals, a table per country, charts over time, the top hits
and the contributing agencies, as HTML and as PDF rendered locally with WeasyPrint.

Every figure is a sum of field results up to `last_result`, and the appendix lists each result
by its id, so a reader can trace any number to the filings behind it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.analysis.charts import stacked_bars
from liaison.model import Identity
from liaison.model.operation import ResultKind, Tally
from liaison.services.accounts import audit
from liaison.services.operations import operations
from liaison.store import operations as operation_store
from liaison.store.operations import FieldResult, Operation

__all__ = ["OUTCOMES", "Report", "build", "render_html", "render_pdf"]

OUTCOMES = (
    ResultKind.ARREST,
    ResultKind.VICTIM_IDENTIFIED,
    ResultKind.VICTIM_RESCUED,
    ResultKind.HIT,
    ResultKind.SEIZURE,
    ResultKind.IP_TAKEN_DOWN,
    ResultKind.DOMAIN_TAKEN_DOWN,
    ResultKind.SERVER_SEIZED,
)
"""What an operation achieved, charted apart from the checks that dwarf them in number."""
CHECKS = (ResultKind.PERSON_SCREENED, ResultKind.DATABASE_CHECK)
TOP_HITS = 20
APPENDIX = 5_000
"""Results listed in full at most; a larger operation's results are exported as CSV beside it."""

_templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True, slots=True)
class TopHit:
    """A hit result with the entities it links, named where the reader may read them."""

    result: FieldResult
    entities: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Report:
    """Everything an after-action report shows, computed once for HTML and PDF alike."""

    operation: Operation
    status: str
    tally: Tally
    agencies: tuple[tuple[str, str, int], ...]
    top_hits: tuple[TopHit, ...]
    results: tuple[FieldResult, ...]
    total_results: int
    withheld: frozenset[int]
    generated_at: dt.datetime
    generated_by: str
    charts: tuple[str, ...]


def build(engine: Engine, identity: Identity, key: str, now: dt.datetime) -> Report:
    """The report of an operation the caller takes part in, as it stands now; audited as an export."""
    with Session(engine) as session, session.begin():
        operation = operations.find(session, identity, key)
        tally = operation_store.tally(session, operation.operation_id)
        filed = operation_store.list_results(session, operation.operation_id)
        kept = [result for result in filed if result.result_id <= tally.last_result]
        names = {agency.code: agency.name for agency in store.list_agencies(session)}
        hits = sorted(
            (result for result in kept if result.report.kind is ResultKind.HIT and result.report.entities),
            key=lambda result: (-result.report.count, -result.result_id),
        )[:TOP_HITS]
        wanted = [entity_id for result in hits for entity_id in result.report.entities]
        readable = store.entities_by_ids(session, wanted, identity)
        top = tuple(
            TopHit(
                result,
                tuple(
                    (entity_id, readable[entity_id][0].proxy.caption if entity_id in readable else "")
                    for entity_id in result.report.entities
                ),
            )
            for result in hits
        )
        audit.record(
            session,
            identity,
            "operation.report",
            f"operation:{operation.operation_id}",
            now=now,
            detail={"last_result": tally.last_result, "results": len(kept)},
        )
    counted: dict[str, int] = {}
    for result in kept:
        counted[result.agency] = counted.get(result.agency, 0) + 1
    agencies = tuple(
        (code, names.get(code, code), counted.get(code, 0))
        for code in dict.fromkeys((operation.agency, *operation.plan.agencies))
    )
    withheld = frozenset(
        result.result_id for result in kept if not operations.may_read_detail(result, identity)
    )
    return Report(
        operation,
        operations.status(operation, now.date()).value,
        tally,
        agencies,
        top,
        tuple(kept[:APPENDIX]),
        len(kept),
        withheld,
        now,
        identity.actor,
        _charts(operation, tally),
    )


def _charts(operation: Operation, tally: Tally) -> tuple[str, ...]:
    """Results over the operation's days: outcomes in one chart, screenings and checks in another."""
    plan = operation.plan
    days = [
        (plan.starts + dt.timedelta(days=offset)).isoformat()
        for offset in range((plan.ends - plan.starts).days + 1)
    ]
    charts = []
    for title, kinds in (("Results by day", OUTCOMES), ("Screenings and database checks by day", CHECKS)):
        series = {
            kind.value.replace("_", " "): [tally.by_day.get(day, {}).get(kind.value, 0) for day in days]
            for kind in kinds
        }
        if any(any(values) for values in series.values()):
            charts.append(stacked_bars(title, days, series))
    return tuple(charts)


def render_html(report: Report) -> str:
    """The report as a self-contained HTML page: styles and charts inline, nothing fetched."""
    kinds = [kind for kind in ResultKind if kind.value in report.tally.totals]
    return _templates.get_template("operation_report.html").render(
        report=report, plan=report.operation.plan, kinds=kinds, appendix_limit=APPENDIX
    )


def render_pdf(report: Report) -> bytes:
    """The report as PDF, rendered locally from the same HTML."""
    # Imported here: WeasyPrint loads Pango when imported, which only reports need.
    import weasyprint

    pdf: bytes = weasyprint.HTML(string=render_html(report)).write_pdf()
    return pdf
