"""Rendering screening results for the terminal: JSON, CSV or a Rich table."""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import orjson
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from liaison.services.hits import Reference
    from liaison.services.screening import Screened

__all__ = ["ScreenFormat", "render_screening", "screened_json"]


class ScreenFormat(StrEnum):
    """Output formats of `liaison screen`."""

    JSON = "json"
    CSV = "csv"
    TABLE = "table"


def screened_json(result: Screened) -> dict[str, Any]:
    """One row's outcome as the JSON object `liaison screen --format json` prints."""
    data: dict[str, Any] = {"row": result.row, "query": result.query}
    if result.error:
        data["error"] = result.error
    if result.notes:
        data["notes"] = list(result.notes)
    data["matches"] = [
        {
            "entity_id": hit.entity_id,
            "dataset": hit.dataset,
            "schema": hit.schema,
            "caption": hit.caption,
            "score": round(hit.score.score, 4),
            "features": hit.score.explain(),
        }
        for hit in result.hits
    ]
    data["references"] = [reference.to_dict() for reference in result.references]
    return data


def render_screening(results: Sequence[Screened], output: ScreenFormat) -> None:
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
            name = result.query.get("name", "")
            problems = "; ".join(filter(None, (result.error, *result.notes)))
            if (not result.hits and not result.references) or result.notes:
                writer.writerow([result.row, name, problems, "", "", "", "", ""])
            for hit in result.hits:
                why = "; ".join(f"{f.name}={f.value:.2f} ({f.contribution:+.2f})" for f in hit.score.features)
                writer.writerow(
                    [
                        result.row,
                        name,
                        "",
                        hit.entity_id,
                        hit.dataset,
                        hit.caption,
                        f"{hit.score.score:.4f}",
                        why,
                    ]
                )
            for reference in result.references:
                writer.writerow(
                    [result.row, name, "", "", "", _hidden(reference), f"{reference.score:.4f}", ""]
                )
    else:
        table = Table("row", "query", "match", "dataset", "score", "why")
        for result in results:
            name = result.query.get("name", "")
            if result.error:
                table.add_row(str(result.row), name, f"[red]{result.error}", "", "", "")
            elif not result.hits and not result.references:
                table.add_row(str(result.row), name, "[green]clear", "", "", "")
            for note in result.notes:
                table.add_row(str(result.row), name, f"[yellow]{note}", "", "", "")
            for hit in result.hits:
                top = sorted(hit.score.features, key=lambda f: -abs(f.contribution))[:3]
                why = ", ".join(f"{f.name} {f.contribution:+.1f}" for f in top)
                table.add_row(str(result.row), name, hit.caption, hit.dataset, f"{hit.score.score:.2f}", why)
            for reference in result.references:
                table.add_row(
                    str(result.row), name, f"[yellow]{_hidden(reference)}", "", f"{reference.score:.2f}", ""
                )
        Console().print(table)


def _hidden(reference: Reference) -> str:
    return (
        f"hit/no-hit: a record of {reference.owner_agency} you may not read; "
        f"`liaison access request {reference.ref}` asks for it"
    )
