"""`liaison operation`: plan coordinated operations, file field results, follow the tally, report."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.table import Table

from liaison.cli.support import caller, engine, out, reported
from liaison.errors import BadInput
from liaison.model.operation import Checkpoint, OperationPlan, ResultKind, Seizure

__all__ = ["operation_app"]

operation_app = typer.Typer(
    help="Coordinated operations: plan, file field results, follow the live tally, report.",
    no_args_is_help=True,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option}: {value[:40]!r} is not a date (YYYY-MM-DD)") from None


@operation_app.command("create")
def operation_create(
    name: Annotated[str, typer.Option(help="The operation's name, unique.")],
    area: Annotated[str, typer.Option(help="trafficking, cyber, wildlife or other.")],
    starts: Annotated[str, typer.Option(help="First day (YYYY-MM-DD).")],
    ends: Annotated[str, typer.Option(help="Last day (YYYY-MM-DD).")],
    agency: Annotated[list[str], typer.Option(help="A participating agency (repeat).")],
    country: Annotated[list[str], typer.Option(help="A participating country, ISO 3166 (repeat).")],
    objectives: Annotated[str, typer.Option(help="What the operation sets out to do.")] = "",
    watchlist: Annotated[
        list[str] | None, typer.Option(help="A dataset its screenings use (repeat; all when none).")
    ] = None,
    checkpoint: Annotated[
        list[str] | None,
        typer.Option(help="CODE:KIND:COUNTRY[:NAME[:ROUTE,ROUTE]], KIND airport, border_crossing or port."),
    ] = None,
) -> None:
    """Create an operation coordinated by your agency (coordinators).

    Example: liaison --as hugo operation create --name "Liberterra III" --area trafficking
    --starts 2026-12-01 --ends 2026-12-07 --agency NCB-ES --agency BP-MD --country es --country md
    --checkpoint MAD:airport:es:Madrid Barajas:UX1094,IB3170
    """
    from liaison.services.operations import operations

    with reported():
        plan = OperationPlan.parse(
            name,
            area,
            _date(starts, "--starts"),
            _date(ends, "--ends"),
            agencies=agency,
            countries=country,
            objectives=objectives,
            watchlists=watchlist or (),
            checkpoints=[Checkpoint.from_line(value) for value in checkpoint or ()],
        )
        operation = operations.create(engine(), caller(), plan, _now())
        out.print(f"operation {operation.operation_id} created: {plan.name}")


@operation_app.command("list")
def operation_list(as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False) -> None:
    """The operations your agency coordinates or takes part in."""
    from liaison.services.operations import operations

    with reported():
        found = operations.list_operations(engine(), caller())
        today = _now().date()
        if as_json:
            for operation in found:
                out.print(
                    orjson.dumps(operations.view(operation, today)).decode(), highlight=False, soft_wrap=True
                )
            return
        table = Table("id", "name", "area", "period", "status", "agencies", title=f"{len(found)} operations")
        for operation in found:
            plan = operation.plan
            table.add_row(
                operation.operation_id,
                plan.name,
                plan.area.value,
                f"{plan.starts} to {plan.ends}",
                operations.status(operation, today).value,
                str(len(plan.agencies)),
            )
        out.print(table)


@operation_app.command("show")
def operation_show(
    operation: Annotated[str, typer.Argument(help="The operation's id or name.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False,
) -> None:
    """An operation's plan: agencies, countries, objectives, watchlists and checkpoints."""
    from liaison.services.operations import operations

    with reported():
        now = _now()
        found = operations.get(engine(), caller(), operation, now)
        view = operations.view(found, now.date())
        if as_json:
            out.print(orjson.dumps(view).decode(), highlight=False, soft_wrap=True)
            return
        for field in ("id", "name", "area", "starts", "ends", "status", "agency", "objectives"):
            out.print(f"{field}: {view[field]}", highlight=False)
        out.print(f"agencies: {', '.join(view['agencies'])}", highlight=False)  # type: ignore[arg-type]
        out.print(f"countries: {', '.join(view['countries'])}", highlight=False)  # type: ignore[arg-type]
        out.print(f"watchlists: {', '.join(view['watchlists']) or 'all'}", highlight=False)  # type: ignore[arg-type]
        for point in found.plan.checkpoints:
            routes = ", ".join(point.monitored) or "no routes named"
            out.print(
                f"checkpoint {point.code} ({point.kind.value}, {point.country.upper()}) "
                f"{point.name}: {routes}"
            )


@operation_app.command("close")
def operation_close(operation: Annotated[str, typer.Argument(help="The operation's id or name.")]) -> None:
    """Close an operation: it takes no more results (its coordinating agency's coordinators)."""
    from liaison.services.operations import operations

    with reported():
        closed = operations.close(engine(), caller(), operation, _now())
        out.print(f"operation {closed.operation_id} closed")


@operation_app.command("result")
def operation_result(
    operation: Annotated[str, typer.Argument(help="The operation's id or name.")],
    kind: Annotated[str, typer.Option(help=", ".join(ResultKind))],
    count: Annotated[int, typer.Option(help="How many.")],
    country: Annotated[str, typer.Option(help="Where, ISO 3166.")],
    day: Annotated[str | None, typer.Option(help="Which day (YYYY-MM-DD); today when left out.")] = None,
    checkpoint: Annotated[str | None, typer.Option(help="The checkpoint's code.")] = None,
    entity: Annotated[list[str] | None, typer.Option(help="A linked entity's id (repeat).")] = None,
    what: Annotated[str | None, typer.Option(help="Seizures: what was seized.")] = None,
    quantity: Annotated[float | None, typer.Option(help="Seizures: how much.")] = None,
    unit: Annotated[str | None, typer.Option(help="Seizures: the unit (kg, pieces, heads...).")] = None,
    place: Annotated[str, typer.Option(help="Seizures: where.")] = "",
    note: Annotated[str, typer.Option(help="What else to say; victims' notes stay RED.")] = "",
) -> None:
    """File a field result for your agency.

    Example: liaison --as carmen operation result "Liberterra III" --kind arrest --count 2 --country es
    --checkpoint MAD
    """
    from liaison.services.operations import operations

    with reported():
        seizure = None
        if what is not None or quantity is not None or unit is not None:
            if what is None or quantity is None or unit is None:
                raise BadInput("--what, --quantity and --unit go together to describe a seizure")
            seizure = Seizure(what, quantity, unit, place)
        now = _now()
        filed = operations.file_result(
            engine(),
            caller(),
            operation,
            kind=kind,
            count=count,
            country=country,
            day=_date(day, "--day") if day else now.date(),
            checkpoint=checkpoint,
            entities=entity or (),
            seizure=seizure,
            note=note,
            source="cli",
            now=now,
        )
        out.print(f"result {filed.result_id} filed: {filed.report.count} {filed.report.kind.value}")


@operation_app.command("results")
def operation_results(
    operation: Annotated[str, typer.Argument(help="The operation's id or name.")],
    after: Annotated[int, typer.Option(help="Only results after this id.")] = 0,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on standard output.")] = False,
) -> None:
    """Every field result filed, oldest first (victims' details only to their agency)."""
    from liaison.services.operations import operations

    with reported():
        identity, rows = caller(), list[dict[str, object]]()
        while True:
            _operation, found = operations.results(engine(), identity, operation, _now(), after=after)
            rows.extend(operations.view_result(result, identity) for result in found)
            if len(found) < operations.MAX_RESULTS_PAGE:
                break
            after = found[-1].result_id
        columns = (
            "id",
            "day",
            "country",
            "checkpoint",
            "kind",
            "count",
            "agency",
            "source",
            "note",
            "withheld",
        )
        if as_csv:
            writer = csv.writer(sys.stdout)
            writer.writerow(columns)
            writer.writerows([row[column] for column in columns] for row in rows)
            return
        table = Table(*columns, title=f"{len(rows)} results")
        for row in rows:
            table.add_row(*(str(row[column] if row[column] is not None else "") for column in columns))
        out.print(table)


@operation_app.command("tally")
def operation_tally(
    operation: Annotated[str, typer.Argument(help="The operation's id or name.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON.")] = False,
) -> None:
    """The live tally: totals by kind and by country."""
    from liaison.services.operations import operations

    with reported():
        found, tally = operations.tally(engine(), caller(), operation)
        if as_json:
            out.print(orjson.dumps(tally.to_dict()).decode(), highlight=False, soft_wrap=True)
            return
        kinds = [kind.value for kind in ResultKind if kind.value in tally.totals]
        table = Table("country", *kinds, title=f"{found.plan.name}: results 1 to {tally.last_result}")
        for country, sums in sorted(tally.by_country.items()):
            table.add_row(country.upper(), *(f"{sums.get(kind, 0):,}" for kind in kinds))
        table.add_row("all", *(f"{tally.totals[kind]:,}" for kind in kinds), style="bold")
        out.print(table)


@operation_app.command("report")
def operation_report_command(
    operation: Annotated[str, typer.Argument(help="The operation's id or name.")],
    output: Annotated[Path, typer.Option("--out", help="The report file: .html or .pdf.")],
) -> None:
    """Write the after-action report: totals, a table per country, charts, top hits, agencies."""
    from liaison.services.operations import operation_report

    with reported():
        suffix = output.suffix.lower()
        if suffix not in (".html", ".pdf"):
            raise BadInput(f"--out: {output.name!r}; the report is written as .html or .pdf")
        report = operation_report.build(engine(), caller(), operation, _now())
        if suffix == ".pdf":
            output.write_bytes(operation_report.render_pdf(report))
        else:
            output.write_text(operation_report.render_html(report), encoding="utf-8")
        out.print(
            f"report of {report.operation.plan.name} written to {output} ({report.total_results} results)"
        )
