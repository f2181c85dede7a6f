"""Rendering screening results for the terminal: JSON, CSV or a Rich table."""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import orjson
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from liaison.ingest.screening_csv import ScreeningRow
    from liaison.services.screening.matching_service import Matches, Scored
    from liaison.services.sharing.hits import Reference

__all__ = ["ScreenFormat", "ScreenedRow", "render_screening", "screened_json"]


class ScreenFormat(StrEnum):
    """Output formats of `liaison screen`."""

    JSON = "json"
    CSV = "csv"
    TABLE = "table"


@dataclass(frozen=True, slots=True)
class ScreenedRow:
    """A row of the CSV and what screening it found; no answer for a row that could not be read."""

    row: ScreeningRow
    answer: Matches | None

    @property
    def hits(self) -> tuple[Scored, ...]:
        return self.answer.results if self.answer is not None else ()

    @property
    def references(self) -> tuple[Reference, ...]:
        return self.answer.references if self.answer is not None else ()

    @property
    def notes(self) -> tuple[str, ...]:
        """What the row was screened without: what its reading and its screening left out."""
        return self.row.notes + (self.answer.notes if self.answer is not None else ())

    @property
    def name(self) -> str:
        return self.row.values.get("name", "")


def screened_json(result: ScreenedRow) -> dict[str, Any]:
    """One row's outcome as the JSON object `liaison screen --format json` prints."""
    data: dict[str, Any] = {"row": result.row.row, "query": result.row.values}
    if result.row.error:
        data["error"] = result.row.error
    if result.notes:
        data["notes"] = list(result.notes)
    data["matches"] = [
        {
            "entity_id": hit.found.proxy.id,
            "dataset": hit.found.datasets[0],
            "datasets": list(hit.found.datasets),
            "schema": hit.found.proxy.schema.name,
            "caption": hit.found.proxy.caption,
            "score": round(hit.score.score, 4),
            "features": hit.score.explain(),
        }
        for hit in result.hits
    ]
    data["references"] = [reference.to_dict() for reference in result.references]
    return data


def render_screening(results: Sequence[ScreenedRow], output: ScreenFormat) -> None:
    """Print results to standard output in the chosen format."""
    if output is ScreenFormat.JSON:
        body = orjson.dumps([screened_json(result) for result in results], option=orjson.OPT_INDENT_2)
        sys.stdout.write(body.decode() + "\n")
    elif output is ScreenFormat.CSV:
        writer = csv.writer(sys.stdout)
        writer.writerow(
            ["row", "query_name", "error", "entity_id", "dataset", "caption", "score", "explanation"]
        )
        for result in results:
            number, name = result.row.row, result.name
            problems = "; ".join(filter(None, (result.row.error, *result.notes)))
            if (not result.hits and not result.references) or result.notes:
                writer.writerow([number, name, problems, "", "", "", "", ""])
            for hit in result.hits:
                why = "; ".join(f"{f.name}={f.value:.2f} ({f.contribution:+.2f})" for f in hit.score.features)
                found = hit.found
                datasets = " ".join(found.datasets)
                score = f"{hit.score.score:.4f}"
                writer.writerow([number, name, "", found.proxy.id, datasets, found.proxy.caption, score, why])
            for reference in result.references:
                writer.writerow([number, name, "", "", "", _hidden(reference), f"{reference.score:.4f}", ""])
    else:
        table = Table("row", "query", "match", "dataset", "score", "why")
        for result in results:
            row, name = str(result.row.row), result.name
            if result.row.error:
                table.add_row(row, name, f"[red]{result.row.error}", "", "", "")
            elif not result.hits and not result.references:
                table.add_row(row, name, "[green]clear", "", "", "")
            for note in result.notes:
                table.add_row(row, name, f"[yellow]{note}", "", "", "")
            for hit in result.hits:
                top = sorted(hit.score.features, key=lambda f: -abs(f.contribution))[:3]
                why = ", ".join(f"{f.name} {f.contribution:+.1f}" for f in top)
                datasets = " ".join(hit.found.datasets)
                table.add_row(row, name, hit.found.proxy.caption, datasets, f"{hit.score.score:.2f}", why)
            for reference in result.references:
                table.add_row(row, name, f"[yellow]{_hidden(reference)}", "", f"{reference.score:.2f}", "")
        Console().print(table)


def _hidden(reference: Reference) -> str:
    return (
        f"hit/no-hit: a record of {reference.owner_agency} you may not read; "
        f"`liaison access request {reference.ref}` asks for it"
    )
