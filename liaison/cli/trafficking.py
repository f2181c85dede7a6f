"""`liaison trafficking`: prosecution and HTCDS case imports, and statistics safe to publish."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from liaison.cli.support import DATASET_HELP, caller, engine, out, purpose, reported, settings
from liaison.domains.trafficking.indicators import ADVICE, GROUPS, INDICATORS, SETTINGS
from liaison.errors import BadInput
from liaison.i18n import LANGUAGES, translations
from liaison.model import Envelope

__all__ = ["trafficking_app"]

trafficking_app = typer.Typer(
    help="Human trafficking: case imports (prosecutions, HTCDS), statistics, indicator screening.",
    no_args_is_help=True,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _envelope(dataset: str, agency: str, handling: str, release: list[str] | None) -> Envelope:
    from liaison.services.sharing.imports import envelope_for

    return envelope_for(
        agency,
        dataset,
        handling,
        "human trafficking",
        now=_now(),
        retention_years=settings().retention_years,
        release=release or (),
    )


Dataset = Annotated[
    str,
    typer.Option(help=DATASET_HELP),
]
Agency = Annotated[str, typer.Option(help="Code of the owner agency.")]
Release = Annotated[list[str] | None, typer.Option(help="Releasability entry, e.g. agency:NCB-ES.")]


@trafficking_app.command("import-prosecutions")
def import_prosecutions(
    folder: Annotated[
        Path, typer.Argument(help="Folder with case_data.csv, defendant_data.csv, judge_data.csv.")
    ],
    dataset: Dataset,
    agency: Agency,
    handling: Annotated[str, typer.Option(help="TLP 2.0 code.")] = "CLEAR",
    release: Release = None,
) -> None:
    """Import the Human Trafficking Prosecution Dataset (US federal cases, defendants, judges).

    Example: liaison trafficking import-prosecutions trafficking_cases/ --dataset htpd --agency NCB-FR
    """
    from liaison.services.trafficking import trafficking_cases

    with reported():
        envelope = _envelope(dataset, agency, handling, release)
        result, cases = trafficking_cases.import_prosecutions(
            engine(), caller(), folder, envelope=envelope, now=_now()
        )
        summary = ", ".join(f"{schema} {count:,}" for schema, count in sorted(result.schemata.items()))
        out.print(f"imported {cases:,} cases into {dataset}: {summary}")


@trafficking_app.command("import-cases")
def import_cases(
    path: Annotated[Path, typer.Argument(help="HTCDS 2.0 case file (JSON).")],
    dataset: Dataset,
    agency: Agency,
    handling: Annotated[
        str, typer.Option(help="TLP 2.0 code of cases and perpetrators; victims are RED.")
    ] = "AMBER",
    release: Release = None,
) -> None:
    """Import trafficking cases in HTCDS 2.0 field names; victims RED and minimised; all or nothing.

    Example: liaison trafficking import-cases cases.json --dataset es_cases --agency NCB-ES
    """
    from liaison.services.trafficking import trafficking_cases

    with reported():
        envelope = _envelope(dataset, agency, handling, release)
        done = trafficking_cases.import_cases(
            engine(), caller(), path, envelope=envelope, source=str(path), now=_now()
        )
        out.print(
            f"imported {done.cases:,} cases with {done.victims:,} victims into {dataset} "
            f"({done.dropped:,} victim contact or address fields not kept)"
        )


@trafficking_app.command("import-ctdc")
def import_ctdc(
    path: Annotated[Path, typer.Argument(help="CSV of victim records coded as in the CTDC Global Dataset.")],
    dataset: Dataset,
    agency: Agency,
    release: Release = None,
) -> None:
    """Import CTDC-coded victim records through the CTDC data dictionary onto HTCDS; RED, all or nothing.

    Example: liaison trafficking import-ctdc ctdc_victims.csv --dataset ctdc --agency NCB-ES
    """
    from liaison.services.trafficking import trafficking_cases

    with reported():
        envelope = _envelope(dataset, agency, "RED", release)
        _result, victims = trafficking_cases.import_ctdc(
            engine(), caller(), path, envelope=envelope, now=_now()
        )
        out.print(f"imported {victims:,} victim records into {dataset}")


@trafficking_app.command("stats")
def stats(
    counted: Annotated[str, typer.Option(help="cases or victims (victim records).")] = "cases",
    by: Annotated[
        str,
        typer.Option(
            help="Dimensions, comma-separated: year, country, region "
            "(cases); year, country, exploitation, gender, age_band (victims)."
        ),
    ] = "year",
    measure: Annotated[
        str, typer.Option(help="For cases: cases, victims, minors or defendants.")
    ] = "victims",
    as_csv: Annotated[bool, typer.Option("--csv", help="Write CSV.")] = False,
) -> None:
    """Counts you may read, with cells of fewer than 11 people withheld (shown as <11)."""
    from liaison.services.trafficking import trafficking_cases

    with reported():
        if counted not in ("cases", "victims"):
            raise BadInput(f"--counted: {counted!r}; use cases or victims")
        found = trafficking_cases.statistics(
            engine(),
            caller(),
            counted,  # type: ignore[arg-type]
            by.split(","),
            measure=measure,
            purpose=purpose(),
            now=_now(),
        )
        shown = [(key, "" if count is None else str(count)) for key, count in found.cells.items()]
        if as_csv:
            writer = csv.writer(sys.stdout)
            writer.writerow([*found.by, found.measure, "withheld"])
            writer.writerows([*key, value, "yes" if not value else ""] for key, value in shown)
            return
        table = Table(*found.by, found.measure)
        for key, value in shown:
            table.add_row(*key, value or f"<{found.k}")
        out.print(table)
        out.print(
            f"{found.withheld} of {len(found.cells)} cells withheld (fewer than {found.k}, or revealing one)"
        )


Language = Annotated[str, typer.Option("--lang", help=f"Language: {', '.join(LANGUAGES)}.")]


@trafficking_app.command("indicators")
def indicators(lang: Language = "en") -> None:
    """The trafficking indicators a first responder is asked about, and the settings, by id."""
    say = translations(lang).gettext
    table = Table("id", "question", "weight")
    for group, title in GROUPS.items():
        table.add_section()
        table.add_row("", f"[bold]{say(title)}[/bold]", "")
        for item in (item for item in INDICATORS if item.group == group):
            weight = "danger" if item.danger else "strong" if item.strong else ""
            table.add_row(item.id, say(item.question), weight)
    out.print(table)
    out.print("settings: " + ", ".join(f"{key} ({say(label)})" for key, label in SETTINGS.items()))


@trafficking_app.command("screen")
def screen(
    setting: Annotated[str, typer.Option(help=f"Where the person was met: {', '.join(SETTINGS)}.")],
    country: Annotated[str, typer.Option(help="ISO 3166 country code.")],
    observed: Annotated[list[str] | None, typer.Option(help="An indicator id seen (repeat).")] = None,
    notes: Annotated[str, typer.Option(help="What else was seen; no names.")] = "",
    lang: Language = "en",
) -> None:
    """Record a first responder's indicator screening and print the advice with its reasons.

    Example: liaison --as ines trafficking screen --setting worksite --country es
    --observed documents_withheld --observed debt_bondage
    """
    from liaison.services.trafficking import indicator_screening

    with reported():
        if lang not in LANGUAGES:
            raise BadInput(f"--lang: {lang!r}; use one of {', '.join(LANGUAGES)}")
        done = indicator_screening.record(
            engine(),
            caller(),
            token=indicator_screening.form_token(),
            setting=setting,
            country=country,
            language=lang,
            observed=observed or [],
            notes=notes,
            now=_now(),
        )
        say = translations(lang).gettext
        title, what = ADVICE[done.assessment.advice]
        out.print(f"[bold]{say(title)}[/bold] (screening {done.id})")
        out.print(say(what))
        for reason in done.assessment.reasons:
            out.print(f"- {say(reason)}")
