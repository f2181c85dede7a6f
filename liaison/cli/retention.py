"""`liaison retention`: records past their review date, re-confirmed or deleted by their owner."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated

import orjson
import typer
from rich.table import Table

from liaison.cli.support import caller, engine, out, reported
from liaison.errors import BadInput

__all__ = ["retention_app"]

retention_app = typer.Typer(
    help="Retention review: records past their review date are re-confirmed or deleted.", no_args_is_help=True
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@retention_app.command("due")
def retention_due(
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 100,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many first.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """Records of your agency (all, for the operator) past their review date, oldest first.

    Example: liaison --as alice retention due
    """
    from liaison.services.sharing import retention

    with reported():
        found, total = retention.due(engine(), caller(), _now().date(), limit=limit, offset=offset)
        if as_json:
            for record in found:
                line = orjson.dumps(asdict(record)).decode()  # orjson writes dates as ISO
                out.print(line, highlight=False, soft_wrap=True)
            return
        table = Table("dataset", "id", "caption", "owner", "handling", "review was due", title=f"{total} due")
        for record in found:
            table.add_row(
                record.dataset,
                record.entity_id,
                record.caption,
                record.owner_agency,
                record.handling,
                record.retention_review.isoformat(),
            )
        out.print(table)


@retention_app.command("confirm")
def retention_confirm(
    dataset: Annotated[str, typer.Argument(help="The record's dataset.")],
    entity_id: Annotated[str, typer.Argument(help="The record's id.")],
    until: Annotated[str, typer.Option(help="New review date (ISO); a year from today by default.")] = "",
) -> None:
    """Keep a record: set its next review date.

    Example: liaison --as alice retention confirm fr_cases p1 --until 2027-12-01
    """
    from liaison.services.sharing import retention

    with reported():
        now = _now()
        try:
            review = dt.date.fromisoformat(until) if until else now.date().replace(year=now.year + 1)
        except ValueError as exc:
            raise BadInput(f"--until: {until!r} is not an ISO date (YYYY-MM-DD)") from exc
        retention.confirm(engine(), caller(), dataset, entity_id, review, now)
        out.print(f"{dataset}/{entity_id} kept; next review {review.isoformat()}")


@retention_app.command("delete")
def retention_delete(
    dataset: Annotated[str, typer.Argument(help="The record's dataset.")],
    entity_id: Annotated[str, typer.Argument(help="The record's id.")],
) -> None:
    """Delete a record for good; the audit trail keeps that it was deleted, by whom and when.

    Example: liaison --as alice retention delete fr_cases p1
    """
    from liaison.services.sharing import retention

    with reported():
        retention.delete(engine(), caller(), dataset, entity_id, _now())
        out.print(f"{dataset}/{entity_id} deleted")
