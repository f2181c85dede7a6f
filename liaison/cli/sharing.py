"""`liaison access` and `liaison alerts`: hit/no-hit requests and the alerts they raise."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import orjson
import typer
from rich.table import Table

from liaison.cli.support import caller, engine, out, reported

__all__ = ["access_app", "alerts_app"]

access_app = typer.Typer(
    help="Hit/no-hit: ask for records you hit but may not read; grant or refuse such requests.",
    no_args_is_help=True,
)
alerts_app = typer.Typer(help="Alerts to you and your agency.", no_args_is_help=True)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@access_app.command("request")
def access_request(
    reference: Annotated[str, typer.Argument(help="The reference a search, match or screening gave you.")],
    reason: Annotated[str, typer.Option(help="Why you need the record; the owner reads it.")],
) -> None:
    """Ask the owner agency for a record you hit but may not read.

    Example: liaison --as bob access request 3f2a9c0d1e4b5a6f --reason "same passport as our suspect"
    """
    from liaison.services.sharing import hits

    with reported():
        request = hits.request_access(engine(), caller(), reference, reason, _now())
        out.print(f"request {request.request_id} sent to {request.copy.owner_agency}")


@access_app.command("list")
def access_list(
    status: Annotated[str | None, typer.Option(help="pending, granted or refused.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """Requests you made and requests addressed to your agency.

    Example: liaison --as alice access list --status pending
    """
    from liaison.services.sharing import hits

    with reported():
        identity = caller()
        table = Table("request", "from", "to", "record", "status", "reason", "decided by")
        for request in hits.list_requests(engine(), identity, status):
            view = hits.request_view(request, identity)
            if as_json:
                out.print(orjson.dumps(view).decode(), highlight=False, soft_wrap=True)
                continue
            record = f"{view['dataset']}/{view['entity_id']}" if view["dataset"] else f"ref {request.ref}"
            table.add_row(
                request.request_id,
                f"{request.requester} ({request.requester_agency})",
                request.copy.owner_agency,
                record,
                request.status,
                request.reason,
                request.decided_by or "",
            )
        if not as_json:
            out.print(table)


@access_app.command("grant")
def access_grant(
    request_id: Annotated[str, typer.Argument(help="The request to grant.")],
    note: Annotated[str, typer.Option(help="A word to the requester.")] = "",
) -> None:
    """Grant a request: the record's releasability is extended to the requester.

    Example: liaison --as alice access grant 9b1c2d3e4f5a6b7c --note "handle as AMBER"
    """
    from liaison.services.sharing import hits

    with reported():
        decided = hits.decide(engine(), caller(), request_id, grant=True, note=note, now=_now())
        out.print(f"request {decided.request_id} granted: releasability now includes {decided.release_entry}")


@access_app.command("refuse")
def access_refuse(
    request_id: Annotated[str, typer.Argument(help="The request to refuse.")],
    note: Annotated[str, typer.Option(help="Why, for the requester.")] = "",
) -> None:
    """Refuse a request; the requester is told, the record stays closed to them.

    Example: liaison --as alice access refuse 9b1c2d3e4f5a6b7c --note "ongoing operation"
    """
    from liaison.services.sharing import hits

    with reported():
        decided = hits.decide(engine(), caller(), request_id, grant=False, note=note, now=_now())
        out.print(f"request {decided.request_id} refused")


@alerts_app.command("list")
def alerts_list(
    after: Annotated[int, typer.Option(help="Only alerts with a higher id.")] = 0,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """Your alerts and your agency's, oldest first.

    Example: liaison --as alice alerts list --after 120
    """
    from liaison.services.messaging import alerts

    with reported():
        found = alerts.list_alerts(engine(), caller(), after, limit)
        if as_json:
            for alert in found:
                line = alerts.view(alert)
                out.print(orjson.dumps(line).decode(), highlight=False, soft_wrap=True)
            return
        table = Table("id", "at", "kind", "subject", "detail")
        for alert in found:
            detail = ", ".join(f"{key}={value}" for key, value in alert.detail.items())
            table.add_row(
                str(alert.alert_id),
                f"{alert.created_at:%Y-%m-%d %H:%M:%S}",
                alert.kind,
                alert.subject,
                detail,
            )
        out.print(table)
