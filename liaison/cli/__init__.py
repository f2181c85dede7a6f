"""The `liaison` command line: thin commands that parse, call a service and render."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.table import Table
from typer.core import TyperGroup
from typer.main import get_group

from liaison import ingest
from liaison.cli.cyber import correlate
from liaison.cli.render import ScreenFormat, render_screening
from liaison.cli.support import (
    DATASET_HELP,
    caller,
    counting,
    engine,
    err,
    out,
    purpose,
    reported,
    set_caller,
    settings,
)
from liaison.cli.xref import clusters, xref
from liaison.errors import BadInput
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, parse_release

if TYPE_CHECKING:
    from typer import _click  # Typer's own copy of Click, whose types its groups take

__all__ = ["app"]

# Each group of sub-commands, as module and attribute: a command builds and imports its own group
# only (Typer would build all hundred commands, and import their modules, on every call).
_GROUPS = {
    "review": ("liaison.cli.xref", "review_app"),
    "user": ("liaison.cli.access", "user_app"),
    "token": ("liaison.cli.access", "token_app"),
    "group": ("liaison.cli.access", "group_app"),
    "audit": ("liaison.cli.access", "audit_app"),
    "access": ("liaison.cli.sharing", "access_app"),
    "alerts": ("liaison.cli.sharing", "alerts_app"),
    "retention": ("liaison.cli.retention", "retention_app"),
    "message": ("liaison.cli.messages", "message_app"),
    "notice": ("liaison.cli.notices", "notice_app"),
    "watch": ("liaison.cli.watches", "watch_app"),
    "webhook": ("liaison.cli.watches", "webhook_app"),
    "graph": ("liaison.cli.graph", "graph_app"),
    "operation": ("liaison.cli.operations", "operation_app"),
    "manifest": ("liaison.cli.border", "manifest_app"),
    "document": ("liaison.cli.border", "document_app"),
    "decision": ("liaison.cli.border", "decision_app"),
    "takedown": ("liaison.cli.takedowns", "takedown_app"),
    "species": ("liaison.cli.wildlife", "species_app"),
    "seizure": ("liaison.cli.wildlife", "seizure_app"),
    "trade": ("liaison.cli.wildlife", "trade_app"),
    "trafficking": ("liaison.cli.trafficking", "trafficking_app"),
    "node": ("liaison.cli.federation", "node_app"),
    "peer": ("liaison.cli.federation", "peer_app"),
    "sync": ("liaison.cli.federation", "sync_app"),
}


class _LazyGroups(TyperGroup):
    """The root command, which builds a group of sub-commands when it is named (or listed in help)."""

    def list_commands(self, ctx: _click.Context) -> list[str]:
        """The root's own commands, then every group, in the order help shows them."""
        return [*super().list_commands(ctx), *_GROUPS]

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        """A root command, or the named group built from its module."""
        if cmd_name not in _GROUPS:
            return super().get_command(ctx, cmd_name)
        module, attribute = _GROUPS[cmd_name]
        group = get_group(getattr(importlib.import_module(module), attribute))
        group.name = cmd_name
        return group


app = typer.Typer(
    cls=_LazyGroups,
    help="Liaison: shared intelligence for law-enforcement cooperation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
agency_app = typer.Typer(help="Member agencies.", no_args_is_help=True)
export_app = typer.Typer(help="Write data out in standard formats.", no_args_is_help=True)
app.add_typer(agency_app, name="agency")
app.add_typer(export_app, name="export")
app.command()(xref)
app.command()(correlate)
app.command()(clusters)


@app.callback()
def invocation(
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Act as this user (audited as them); the local operator without it."),
    ] = None,
    purpose_given: Annotated[
        str, typer.Option("--purpose", help="Why this read is made; recorded in the audit trail.")
    ] = "",
) -> None:
    """Liaison: shared intelligence for law-enforcement cooperation."""
    set_caller(as_user, purpose_given)


@app.command()
def init() -> None:
    """Create the database, or migrate it to the latest schema.

    Example: LIAISON_DATABASE_URL=sqlite:///liaison.db liaison init
    """
    from liaison.services.messaging import webhooks

    with reported():
        opened = engine(migrate=True)
        out.print(f"database ready: {opened.url.render_as_string()}")
        if sealed := webhooks.seal_plaintext(opened, webhooks.config(settings())):
            out.print(
                f"{sealed} webhook secret{'s' if sealed > 1 else ''} sealed (they were kept in plain text)"
            )


@app.command("import")
def import_(
    kind: Annotated[str, typer.Argument(help=f"Source format: {', '.join(ingest.KINDS)}.")],
    path: Annotated[Path, typer.Argument(help="File (or folder, for uk and ofac) to import.")],
    dataset: Annotated[
        str,
        typer.Option(help=DATASET_HELP),
    ],
    agency: Annotated[str, typer.Option(help="Code of the owner agency.")],
    handling: Annotated[
        str, typer.Option(help="TLP 2.0 code: CLEAR, GREEN, AMBER, AMBER+STRICT or RED.")
    ] = "GREEN",
    release: Annotated[
        list[str] | None,
        typer.Option(help="Releasability entry, e.g. agency:NCB-ES, country:es, group:balkans."),
    ] = None,
    purpose: Annotated[str, typer.Option(help="Why the records are held.")] = "law-enforcement cooperation",
    title: Annotated[str | None, typer.Option(help="Dataset title; defaults to its name.")] = None,
    mapping: Annotated[Path | None, typer.Option(help="FtM mapping YAML, for csv imports.")] = None,
) -> None:
    """Import a source into a dataset in one transaction; bad input changes nothing.

    Example: liaison import un-xml un_consolidated.xml --dataset un_sc --agency NCB-FR --handling CLEAR
    """
    from liaison.services.sharing.imports import import_records

    with reported():
        config = settings()
        try:
            code = Handling.parse(handling)
        except ValueError as exc:
            raise BadInput(f"--handling: {exc}") from exc
        try:
            releasability = tuple(dict.fromkeys(parse_release(entry) for entry in release or ()))
        except ValueError as exc:
            raise BadInput(f"--release: {exc}") from exc
        now = dt.datetime.now(dt.UTC)
        envelope = Envelope(
            owner_agency=agency,
            dataset=dataset,
            handling=code,
            purpose=purpose,
            retention_review=now.date().replace(year=now.year + config.retention_years),
            releasability=releasability,
        )
        records = ingest.read(kind, path, mapping)
        with counting(f"import {kind} {path.name}") as progress:
            result = import_records(
                engine(),
                records,
                envelope=envelope,
                title=title or dataset,
                kind=kind,
                source=str(path),
                now=now,
                batch_size=config.import_batch_size,
                progress=progress,
                identity=caller(),
            )
        summary = ", ".join(f"{schema} {count:,}" for schema, count in sorted(result.schemata.items()))
        out.print(f"imported {result.records:,} records into {dataset}: {summary}")


def _export(dataset: str, output: str, write: Callable[..., int]) -> int:
    """Run an exporter into a file or stdout, as the caller, with progress; the count it wrote."""
    opened = engine()
    with counting(f"export {dataset}") as progress:
        identity, now = caller(), dt.datetime.now(dt.UTC)
        if output == "-":
            return write(opened, dataset, sys.stdout.buffer, identity, now, purpose(), progress)
        with open(output, "wb") as handle:
            return write(opened, dataset, handle, identity, now, purpose(), progress)


@export_app.command("ftm")
def export_ftm(
    dataset: Annotated[str, typer.Option(help="Dataset to export.")],
    output: Annotated[str, typer.Option("--output", "-o", help="File to write, or - for stdout.")] = "-",
) -> None:
    """Write a dataset as FtM JSON lines, as OpenSanctions and Aleph read them.

    Example: liaison export ftm --dataset un_sc -o un_sc.ftm.json
    """
    from liaison.services.sharing import catalog

    with reported():
        count = _export(dataset, output, catalog.export_ftm)
        err.print(f"exported {count:,} entities from {dataset}")


@export_app.command("stix")
def export_stix(
    dataset: Annotated[str, typer.Option(help="Dataset to export.")],
    output: Annotated[str, typer.Option("--output", "-o", help="File to write, or - for stdout.")] = "-",
) -> None:
    """Write a dataset as a STIX 2.1 bundle, each object marked with its record's TLP level.

    Example: liaison --as joost --purpose "share with CERT" export stix --dataset gs_lyon_apt1 -o apt1.json
    """
    from liaison.services.cyber import stix_export

    with reported():
        count = _export(dataset, output, stix_export.export_stix)
        err.print(f"exported {count:,} STIX objects from {dataset}")


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Entities per dataset and per schema.

    Example: liaison stats --json
    """
    from liaison.services.sharing import catalog

    with reported():
        counts = catalog.stats(engine(), caller())
        if as_json:
            data = {
                name: {"entities": sum(s.values()), "schemata": dict(sorted(s.items()))}
                for name, s in sorted(counts.items())
            }
            sys.stdout.write(orjson.dumps({"datasets": data}, option=orjson.OPT_INDENT_2).decode() + "\n")
            return
        table = Table("dataset", "schema", "entities")
        for name, schemata in sorted(counts.items()):
            for schema, count in sorted(schemata.items()):
                table.add_row(name, schema, f"{count:,}")
            table.add_row(f"[bold]{name}", "[bold]all", f"[bold]{sum(schemata.values()):,}", end_section=True)
        out.print(table)


@app.command()
def datasets() -> None:
    """List datasets with their owner agency and entity count.

    Example: liaison datasets
    """
    from liaison.services.sharing import catalog

    with reported():
        table = Table("dataset", "title", "owner", "entities", "updated")
        for summary in catalog.datasets(engine(), caller()):
            table.add_row(
                summary.name,
                summary.title,
                summary.owner_agency,
                f"{summary.entities:,}",
                f"{summary.updated_at:%Y-%m-%d %H:%M}",
            )
        out.print(table)


@app.command()
def show(
    entity_id: Annotated[str, typer.Argument(help="Entity id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print FtM JSON lines.")] = False,
) -> None:
    """Show an entity, with its envelope and provenance, in every dataset that holds it.

    Example: liaison show un-sc-6908048
    """
    from liaison.model.provenance import Provenance
    from liaison.services.sharing import catalog

    with reported():
        found = catalog.show(engine(), entity_id, caller(), dt.datetime.now(dt.UTC), purpose())
        for stored in found:
            if as_json:
                sys.stdout.write(orjson.dumps(stored.proxy.to_dict()).decode() + "\n")
                continue
            env = stored.envelope
            table = Table(
                title=f"{stored.proxy.caption} · {stored.proxy.schema.label} · {stored.proxy.id}",
                show_header=False,
            )
            table.add_row("handling", f"TLP:{env.handling.value}")
            table.add_row("dataset", env.dataset)
            table.add_row("owner", env.owner_agency)
            table.add_row("releasability", ", ".join(env.releasability) or "-")
            table.add_row("purpose", env.purpose)
            table.add_row("provenance", Provenance.parse(stored.provenance).compact)
            table.add_row("updated", f"{stored.updated_at:%Y-%m-%d %H:%M}")
            table.add_row("retention review", env.retention_review.isoformat(), end_section=True)
            for prop, values in sorted(stored.proxy.properties.items()):
                table.add_row(prop, "\n".join(values))
            out.print(table)


@agency_app.command("add")
def agency_add(
    code: Annotated[str, typer.Argument(help="Short code, e.g. NCB-FR.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 country code.")],
    kind: Annotated[AgencyKind, typer.Option(help="What the agency does.")],
) -> None:
    """Register (or update) a member agency.

    Example: liaison agency add NCB-FR --name "INTERPOL NCB Paris" --country FR --kind ncb
    """
    from liaison.services.accounts import agencies

    with reported():
        agencies.register(engine(), Agency(code=code, name=name, country=country, kind=kind), caller())
        out.print(f"agency {code} saved")


@agency_app.command("list")
def agency_list() -> None:
    """List member agencies.

    Example: liaison agency list
    """
    from liaison.services.sharing import catalog

    with reported():
        table = Table("code", "name", "country", "kind")
        for agency in catalog.agencies(engine()):
            table.add_row(agency.code, agency.name, agency.country, agency.kind.value)
        out.print(table)


@app.command("demo")
def demo_(
    seed: Annotated[int | None, typer.Option(help="Seed of the generated world.")] = None,
    unless_loaded: Annotated[
        bool, typer.Option("--unless-loaded", help="Do nothing if the demo world is already whole here.")
    ] = False,
) -> None:
    """Load the demo world: agencies, the real UN and OFAC lists, and agencies' own records.

    A load that stopped half-way is finished by loading again (`make run` does so).

    Example: liaison demo --seed 7
    """
    from liaison import demo

    with reported():
        config = settings()
        opened = engine(migrate=True)
        found = demo.state(opened)
        if unless_loaded and found is not None and found.loaded:
            out.print(f"demo world already loaded (seed {found.seed}, {found.at:%Y-%m-%d %H:%M} UTC)")
            return
        if found is not None and not found.loaded:
            out.print("the demo world's last load stopped before its end; loading it again to finish it")
        with counting("demo world") as progress:
            loaded = demo.load(opened, config, seed if seed is not None else config.demo_seed, progress)
        out.print(
            f"demo world loaded: {loaded.agencies} agencies, {loaded.datasets} datasets, "
            f"{loaded.entities:,} records"
        )
        out.print(f"web users (password [bold]{demo.DEMO_PASSWORD}[/bold]), log in at /app:")
        for name, agency, role in loaded.users:
            out.print(f"  {name:8} {agency:8} {role}")


@app.command()
def screen(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with a header: name (required), birth_date, nationality, "
            "gender, id_number, country, schema."
        ),
    ],
    against: Annotated[
        str | None, typer.Option(help="Datasets to screen against, comma-separated; all by default.")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(min=0.0, max=1.0, help="Score at or above which a result is a match.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Matches per row at most.")] = 5,
    output_format: Annotated[
        ScreenFormat, typer.Option("--format", help="json, csv or table.")
    ] = ScreenFormat.TABLE,
) -> None:
    """Screen every row of a CSV against the store; each row gets its matches, best first, explained.

    A row that cannot be read gets an error naming its row and field; the others are still
    screened, and the command then exits with code 3.

    Example: liaison screen travellers.csv --against un_sc,us_ofac_sdn --format json
    """
    from sqlalchemy.orm import Session

    from liaison.cli.render import ScreenedRow
    from liaison.ingest.screening_csv import read_screening_csv
    from liaison.services.screening.matching_service import Matches, MatchingService, Scope, settle

    with reported():
        config = settings()
        opened = engine()
        datasets = [name.strip() for name in against.split(",") if name.strip()] if against else []
        rows = list(read_screening_csv(file))
        cutoff = config.match_threshold if threshold is None else threshold
        # Indexed are only the datasets named: a screening against two lists reads two lists.
        matching = MatchingService(opened, candidates=config.match_candidates, datasets=datasets or None)
        scope = Scope(datasets[0], tuple(datasets[1:])) if datasets else Scope()
        queries = {
            str(row.row): {"schema": row.query.schema.name, "properties": row.query.properties}
            for row in rows
            if row.query is not None
        }
        answers: dict[str, Matches] = {}
        with counting("index", "entities") as progress:
            matching.prepare(progress)
        if queries:
            with counting(f"screen {file.name}", "rows") as progress:
                scoring = matching.score(
                    queries,
                    scope=scope,
                    cutoff=cutoff,
                    identity=caller(),
                    most=len(queries),
                    progress=progress,
                )
            with Session(opened) as session, session.begin():
                settled = settle(
                    session,
                    caller(),
                    scoring,
                    threshold=cutoff,
                    limit=limit,
                    via="screen",
                    now=dt.datetime.now(dt.UTC),
                    audited=("screen", f"file:{file.name}"),
                    purpose=purpose(),
                    detail={"rows": len(rows), "errors": len(rows) - len(queries)},
                )
            answers = {answer.key: answer for answer in settled}
        render_screening([ScreenedRow(row, answers.get(str(row.row))) for row in rows], output_format)
        failed = [row for row in rows if row.query is None]
        if failed:
            raise BadInput(f"{len(failed)} of {len(rows)} rows could not be screened; see their errors")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes; one per core.")] = 1,
) -> None:
    """Serve the web application and API.

    Example: liaison serve --port 8000 --workers 2
    """
    from liaison import demo
    from liaison.api.serving import serve as run
    from liaison.services.messaging import webhooks
    from liaison.services.sharing import catalog

    with reported():
        config = settings()
        opened = engine()  # refuses a store that is not initialised, before any worker starts
        webhooks.seal_plaintext(opened, webhooks.config(config))  # before any worker delivers
        found, served = demo.state(opened), catalog.overview(opened, Identity.operator())
        opened.dispose()
        out.print(
            f"serving {opened.url.render_as_string()}: {len(served.agencies)} agencies, "
            f"{len(served.datasets)} datasets, {served.entities:,} records",
            soft_wrap=True,  # a path or URL broken across lines cannot be copied
        )
        if found is not None and not found.loaded:
            err.print("[bold yellow]warning:[/] the demo world is half-loaded; `liaison demo` finishes it")
        bound_host, bound_port = host or config.host, port or config.port
        # Browsers keep the Secure session cookie over plain HTTP for localhost only.
        shown = "localhost" if bound_host == "127.0.0.1" else bound_host
        out.print(f"web application: http://{shown}:{bound_port}/app", soft_wrap=True)
        run(bound_host, bound_port, workers)


def main() -> None:
    """Entry point: run the CLI so that no traceback ever reaches a user."""
    try:
        app(standalone_mode=True)
    except Exception as exc:  # the last line of defence: one line, not a traceback
        err.print(f"[bold red]unexpected error:[/] {type(exc).__name__}: {exc}", highlight=False)
        sys.exit(1)
