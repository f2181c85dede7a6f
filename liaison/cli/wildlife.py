"""`liaison species` and `liaison seizure`: the CITES species index, seizure imports, trends and routes."""

from __future__ import annotations

import csv
import datetime as dt
import sys
from dataclasses import astuple, fields
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from liaison.cli.support import DATASET_HELP, caller, engine, out, purpose, reported, settings
from liaison.errors import BadInput
from liaison.ingest.seizure_mappings import BUILT_IN

__all__ = ["seizure_app", "species_app", "trade_app"]

species_app = typer.Typer(
    help="The CITES species index: species, synonyms, common names, appendices.", no_args_is_help=True
)
seizure_app = typer.Typer(help="Wildlife seizures: import, trends by year, routes.", no_args_is_help=True)
trade_app = typer.Typer(help="CITES trade records: legal trade beside seizures.", no_args_is_help=True)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@species_app.command("import")
def species_import(
    path: Annotated[Path, typer.Argument(help="Index of CITES Species CSV (gzipped or not).")],
) -> None:
    """Replace the species index with a Species+ export (operator or admin).

    Example: liaison species import cites_species_index_2017-04-21.csv.gz
    """
    from liaison.services.wildlife import seizures

    with reported():
        taxa, names = seizures.import_species(engine(), caller(), path, _now())
        out.print(f"species index: {taxa:,} taxa, {names:,} names")


@species_app.command("show")
def species_show(name: Annotated[str, typer.Argument(help="Scientific, synonym or common name.")]) -> None:
    """The taxon a name stands for, with its CITES appendix."""
    from liaison.services.wildlife import seizures

    with reported():
        found = seizures.lookup(engine(), name)
        out.print(
            f"{found.name} ({found.rank.lower()}), CITES Appendix {found.listing}; "
            f"matched as {found.kind} name"
        )


@seizure_app.command("import")
def seizure_import(
    path: Annotated[Path, typer.Argument(help="Spreadsheet (xlsx) or CSV of seizures.")],
    dataset: Annotated[
        str,
        typer.Option(help=DATASET_HELP),
    ],
    agency: Annotated[str, typer.Option(help="Code of the owner agency.")],
    mapping: Annotated[
        str, typer.Option(help=f"Built-in mapping ({', '.join(BUILT_IN)}) or a mapping YAML.")
    ],
    handling: Annotated[str, typer.Option(help="TLP 2.0 code.")] = "GREEN",
    release: Annotated[
        list[str] | None, typer.Option(help="Releasability entry, e.g. agency:NCB-ES.")
    ] = None,
) -> None:
    """Import seizures through a mapping, in one transaction; an unknown species or bad row changes nothing.

    Example: liaison seizure import eia_pangolin_seizures.xlsx --mapping eia-pangolin
    --dataset eia --agency WL-KE
    """
    from liaison.services.sharing.imports import envelope_for
    from liaison.services.wildlife import seizures

    with reported():
        now = _now()
        envelope = envelope_for(
            agency,
            dataset,
            handling,
            "wildlife crime",
            now=now,
            retention_years=settings().retention_years,
            release=release or (),
        )
        done = seizures.import_seizures(
            engine(), caller(), path, mapping, envelope=envelope, source=str(path), now=now
        )
        out.print(
            f"imported {done.seizures:,} seizures into {dataset} "
            f"({done.skipped:,} rows skipped by the mapping)"
        )


@seizure_app.command("trends")
def seizure_trends(
    by: Annotated[str, typer.Option(help="species, country or commodity.")] = "species",
    species: Annotated[
        str | None, typer.Option(help="Only this species, genus or family (its history).")
    ] = None,
    country: Annotated[list[str] | None, typer.Option(help="Only seizures in this country (repeat).")] = None,
    since: Annotated[int | None, typer.Option(help="First year.")] = None,
    until: Annotated[int | None, typer.Option(help="Last year.")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="Write CSV.")] = False,
) -> None:
    """Seizures you may read, per year and species, country or commodity: count, kilograms, individuals."""
    from liaison.services.wildlife import seizures
    from liaison.store.seizures import Dimension, SeizureFilter

    with reported():
        if by not in ("species", "country", "commodity"):
            raise BadInput(f"--by: {by!r}; use species, country or commodity")
        wanted = SeizureFilter(
            countries=tuple(code.lower() for code in country or ()), since=since, until=until
        )
        dimension: Dimension = by  # type: ignore[assignment]
        rows = seizures.trend(
            engine(), caller(), dimension, species=species, wanted=wanted, purpose=purpose(), now=_now()
        )
        if as_csv:
            writer = csv.writer(sys.stdout)
            writer.writerow(["year", by, "seizures", "weight_kg", "individuals"])
            writer.writerows(
                (row.year, row.key, row.seizures, round(row.weight_kg, 3), round(row.individuals, 3))
                for row in rows
            )
            return
        table = Table("year", by, "seizures", "kg", "individuals")
        for row in rows:
            table.add_row(
                str(row.year),
                row.key,
                f"{row.seizures:,}",
                f"{row.weight_kg:,.0f}",
                f"{row.individuals:,.0f}",
            )
        out.print(table)


@seizure_app.command("routes")
def seizure_routes(
    species: Annotated[str | None, typer.Option(help="Only this species, genus or family.")] = None,
) -> None:
    """The legs seizures travelled between countries, most travelled first."""
    from liaison.services.wildlife import seizures

    with reported():
        legs = seizures.routes(engine(), caller(), species=species, purpose=purpose(), now=_now())
        table = Table("from", "to", "seizures")
        for source, target, count in legs:
            table.add_row(source.upper(), target.upper(), f"{count:,}")
        out.print(table)


@seizure_app.command("duplicates")
def seizure_duplicates(
    dataset: Annotated[str, typer.Option(help="Dataset of seizures.")],
    against: Annotated[str, typer.Option(help="Another dataset that may report the same seizures.")],
    as_csv: Annotated[bool, typer.Option("--csv", help="Write CSV.")] = False,
) -> None:
    """Seizures reported in both datasets (same country, year, quantity; place and date agreeing)."""
    from liaison.services.wildlife import seizures

    with reported():
        pairs = seizures.reported_twice(engine(), caller(), dataset, against, purpose=purpose(), now=_now())
        if as_csv:
            writer = csv.writer(sys.stdout)
            writer.writerow([field.name for field in fields(seizures.ReportedTwice)])
            writer.writerows([*astuple(pair)[:-1], "; ".join(pair.reasons)] for pair in pairs)
            return
        table = Table("verdict", "year", "country", dataset, against, "quantity")
        for pair in pairs:
            table.add_row(
                pair.verdict,
                str(pair.year),
                pair.country.upper(),
                pair.place,
                pair.other_place,
                f"{pair.quantity:g} / {pair.other_quantity:g} {pair.unit}",
            )
        out.print(table)
        likely = sum(pair.verdict == "likely" for pair in pairs)
        out.print(f"{likely} likely and {len(pairs) - likely} possible duplicates")


@trade_app.command("import")
def trade_import(
    path: Annotated[Path, typer.Argument(help="CITES Trade Database comparative tabulation (CSV).")],
) -> None:
    """Replace the CITES trade records (operator or admin); taxa are resolved against the species index.

    Example: liaison trade import comptab_2019-05-31.csv
    """
    from liaison.services.wildlife import cites_trade

    with reported():
        records, unknown = cites_trade.import_trade(engine(), caller(), path, _now())
        out.print(f"CITES trade records: {records:,} ({unknown:,} of taxa not in the species index)")


@trade_app.command("compare")
def trade_compare(
    species: Annotated[
        str | None, typer.Option(help="Species, genus or family; every taxon without it.")
    ] = None,
) -> None:
    """Per year, legal trade (CITES records: live animals, scales, skins) beside the seizures you may read."""
    from liaison.services.wildlife import cites_trade

    with reported():
        years = cites_trade.beside_seizures(engine(), caller(), species, purpose=purpose(), now=_now())
        columns = ("trade records", "live", "scales kg", "skins", "confiscated")
        table = Table("year", *columns, "seizures", "seized kg", "seized animals")
        for row in years:
            trade = row.trade
            legal = ["" for _column in columns]
            if trade is not None:
                amounts = [f"{trade.quantities[name]:,.0f}" for name in ("live", "scales_kg", "skins")]
                legal = [f"{trade.records:,}", *amounts, f"{trade.confiscated:,}"]
            seized = (f"{row.seizures:,}", f"{row.seized_kg:,.0f}", f"{row.seized_individuals:,.0f}")
            table.add_row(str(row.year), *legal, *seized)
        out.print(table)


@trade_app.command("discrepancies")
def trade_discrepancies(
    species: Annotated[str | None, typer.Option(help="Species, genus or family.")] = None,
    ratio: Annotated[
        float, typer.Option(help="Smallest difference shown, as a share of the larger figure.")
    ] = 0.5,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="Records shown at most.")] = 20,
) -> None:
    """Trade records whose importer and exporter figures disagree, largest difference first."""
    from liaison.services.wildlife import cites_trade

    with reported():
        found = cites_trade.disagreements(
            engine(), caller(), species, ratio=ratio, limit=limit, purpose=purpose(), now=_now()
        )
        table = Table("year", "taxon", "exporter", "importer", "term", "exporter said", "importer said")
        for row in found:
            said = [
                f"{value:,.1f} {row.unit}".strip() if value is not None else "-"
                for value in (row.exporter_quantity, row.importer_quantity)
            ]
            table.add_row(str(row.year), row.taxon, row.exporter, row.importer, row.term, *said)
        out.print(table)
