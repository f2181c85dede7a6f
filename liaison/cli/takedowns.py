"""`liaison takedown`: an operation's malicious IPs, domains and servers, identified to taken down."""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.table import Table

from liaison.cli.support import caller, engine, out, reported
from liaison.errors import BadInput

if TYPE_CHECKING:
    from liaison.store.takedowns import Takedown

__all__ = ["takedown_app"]

takedown_app = typer.Typer(
    help="Takedowns of an operation: identified, notified, taken down or seized; the share per country.",
    no_args_is_help=True,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _day(value: str | None) -> dt.date:
    if value is None:
        return _now().date()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"--day: {value[:40]!r} is not a date (YYYY-MM-DD)") from None


def _line(item: Takedown) -> str:
    where = f"{item.country.upper()}, {item.provider}"
    return f"#{item.takedown_id} {item.kind.value} {item.value} ({where}): {item.stage.value}"


@takedown_app.command("add")
def takedown_add(
    operation: Annotated[str, typer.Argument(help="Operation name or id.")],
    kind: Annotated[str, typer.Option(help="ip, domain or server.")],
    value: Annotated[str, typer.Option(help="The address, domain or server (address or host name).")],
    country: Annotated[str, typer.Option(help="Country it is hosted in, ISO 3166.")],
    provider: Annotated[str, typer.Option(help="Its hosting provider or registrar.")],
    day: Annotated[str | None, typer.Option(help="Day identified (YYYY-MM-DD); today without it.")] = None,
    note: Annotated[str, typer.Option(help="A note for the other participants.")] = "",
) -> None:
    """Add a target identified during an operation.

    Example: liaison --as hugo takedown add "Synergia III" --kind ip --value 203.0.113.7
    --country nl --provider "Host BV"
    """
    from liaison.services.operations import takedowns

    with reported():
        made = takedowns.add(
            engine(),
            caller(),
            operation,
            kind=kind,
            value=value,
            country=country,
            provider=provider,
            day=_day(day),
            note=note,
            now=_now(),
        )
        out.print(f"added {_line(made)}")


@takedown_app.command("advance")
def takedown_advance(
    takedown_id: Annotated[int, typer.Argument(help="The takedown's number.")],
    stage: Annotated[str, typer.Option(help="notified, taken_down or seized.")],
    notified_to: Annotated[
        str, typer.Option(help="Who was notified: the provider or the country's agency.")
    ] = "",
    day: Annotated[str | None, typer.Option(help="Day it happened (YYYY-MM-DD); today without it.")] = None,
    note: Annotated[str, typer.Option(help="A note for the other participants.")] = "",
) -> None:
    """Move a takedown on; taken down or seized files the operation's field result.

    Example: liaison --as hugo takedown advance 3 --stage notified --notified-to "Host BV abuse desk"
    """
    from liaison.services.operations import takedowns

    with reported():
        moved = takedowns.advance(
            engine(),
            caller(),
            takedown_id,
            stage=stage,
            day=_day(day),
            notified_to=notified_to,
            note=note,
            now=_now(),
        )
        out.print(f"now {_line(moved)}")


@takedown_app.command("list")
def takedown_list(
    operation: Annotated[str, typer.Argument(help="Operation name or id.")],
    stage: Annotated[str | None, typer.Option(help="Only this stage.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """The operation's targets and, per country, the share taken down or seized."""
    from liaison.services.operations import takedowns

    with reported():
        found, targets, shares = takedowns.listing(engine(), caller(), operation, _now(), stage)
        if as_json:
            data = {
                "operation": found.plan.name,
                "takedowns": [
                    {
                        "id": item.takedown_id,
                        "kind": item.kind.value,
                        "value": item.value,
                        "country": item.country,
                        "provider": item.provider,
                        "stage": item.stage.value,
                        "agency": item.agency,
                        "notified_to": item.notified_to,
                        "identified_on": item.identified_on,
                        "notified_on": item.notified_on,
                        "ended_on": item.ended_on,
                    }
                    for item in targets
                ],
                "countries": [
                    {
                        "country": share.country,
                        "targets": share.targets,
                        "taken_down": share.taken_down,
                        "seized": share.seized,
                        "share": round(share.share, 4),
                    }
                    for share in shares
                ],
            }
            sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
            return
        table = Table("#", "kind", "value", "country", "provider", "stage", "agency", "dates")
        for item in targets:
            dates = " → ".join(
                str(day) for day in (item.identified_on, item.notified_on, item.ended_on) if day
            )
            table.add_row(
                str(item.takedown_id),
                item.kind.value,
                item.value,
                item.country.upper(),
                item.provider,
                item.stage.value,
                item.agency,
                dates,
            )
        out.print(table)
        shares_table = Table("country", "targets", "notified", "taken down", "seized", "share ended")
        for share in shares:
            shares_table.add_row(
                share.country.upper(),
                str(share.targets),
                str(share.notified),
                str(share.taken_down),
                str(share.seized),
                f"{share.share:.0%}",
            )
        out.print(shares_table)
