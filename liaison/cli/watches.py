"""`liaison watch` and `liaison webhook`: be alerted when data matching a watch lands, wherever you are."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import orjson
import typer
from rich.table import Table

from liaison.cli.support import caller, engine, out, reported, settings

__all__ = ["watch_app", "webhook_app"]

watch_app = typer.Typer(help="Watches: alerts when new or changed data matches.", no_args_is_help=True)
webhook_app = typer.Typer(help="Webhooks: alerts posted to your endpoint, signed.", no_args_is_help=True)

Threshold = Annotated[float, typer.Option(min=0.5, max=1.0, help="Score from which a record is a hit.")]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@watch_app.command("add")
def watch_add(
    name: Annotated[list[str], typer.Option(help="A name to watch for (repeat for aliases).")],
    label: Annotated[
        str | None, typer.Option(help="What the watch is for; the first name by default.")
    ] = None,
    schema: Annotated[
        str, typer.Option(help="Person, Organization, Company, LegalEntity or Vessel.")
    ] = "Person",
    birth_date: Annotated[str | None, typer.Option(help="Birth date (ISO, may be partial).")] = None,
    nationality: Annotated[str | None, typer.Option(help="Nationality (ISO 3166).")] = None,
    id_number: Annotated[str | None, typer.Option(help="An identifier: passport, ID, registration.")] = None,
    threshold: Threshold = 0.7,
) -> None:
    """Watch for a person or body: alert me when they appear in any data I may read (or as a reference).

    Example: liaison --as bob watch add --name "Ivan Sokolov" --birth-date 1975
    """
    from liaison.services.screening import watches

    with reported():
        properties: dict[str, list[str]] = {"name": name}
        for prop, value in (("birthDate", birth_date), ("nationality", nationality), ("idNumber", id_number)):
            if value:
                properties[prop] = [value]
        query = {"schema": schema, "properties": properties}
        watch = watches.add(engine(), caller(), label or name[0], query, threshold, _now())
        out.print(f"watch {watch.watch_id} added")


@watch_app.command("entity")
def watch_entity(
    dataset: Annotated[str, typer.Argument(help="The record's dataset.")],
    entity_id: Annotated[str, typer.Argument(help="The record's id.")],
    threshold: Threshold = 0.7,
) -> None:
    """Watch for other records of an entity you may read.

    Example: liaison --as bob watch entity es_cases p17
    """
    from liaison.services.screening import watches

    with reported():
        watch = watches.watch_entity(engine(), caller(), dataset, entity_id, threshold, _now())
        out.print(f"watch {watch.watch_id} added: {watch.label}")


@watch_app.command("list")
def watch_list() -> None:
    """Your watches.

    Example: liaison --as bob watch list
    """
    from liaison.services.screening import watches

    with reported():
        table = Table("watch", "label", "query", "threshold", "since")
        for watch in watches.list_watches(engine(), caller()):
            query = orjson.dumps(watch.query["properties"]).decode()
            table.add_row(
                watch.watch_id, watch.label, query, f"{watch.threshold:.2f}", f"{watch.created_at:%Y-%m-%d}"
            )
        out.print(table)


@watch_app.command("remove")
def watch_remove(watch_id: Annotated[str, typer.Argument(help="The watch.")]) -> None:
    """Stop a watch.

    Example: liaison --as bob watch remove 3f2a9c0d1e4b5a6f
    """
    from liaison.services.screening import watches

    with reported():
        watches.remove(engine(), caller(), watch_id, _now())
        out.print(f"watch {watch_id} removed")


@webhook_app.command("add")
def webhook_add(url: Annotated[str, typer.Argument(help="An http(s) URL to post alerts to.")]) -> None:
    """Post your alerts to a URL too; prints the signing secret, shown only this once.

    Example: liaison --as bob webhook add https://soc.example.org/liaison
    """
    from liaison.services.messaging import webhooks

    with reported():
        added = webhooks.add(engine(), caller(), url, _now(), webhooks.config(settings()))
        out.print(f"webhook {added.webhook.webhook_id}; secret (shown once): {added.secret}", highlight=False)


@webhook_app.command("list")
def webhook_list() -> None:
    """Your webhooks.

    Example: liaison --as bob webhook list
    """
    from liaison.services.messaging import webhooks

    with reported():
        table = Table("webhook", "url", "since")
        for hook in webhooks.list_webhooks(engine(), caller()):
            table.add_row(hook.webhook_id, hook.url, f"{hook.created_at:%Y-%m-%d}")
        out.print(table)


@webhook_app.command("remove")
def webhook_remove(webhook_id: Annotated[str, typer.Argument(help="The webhook.")]) -> None:
    """Remove a webhook and what it still had to deliver.

    Example: liaison --as bob webhook remove 3f2a9c0d1e4b5a6f
    """
    from liaison.services.messaging import webhooks

    with reported():
        webhooks.remove(engine(), caller(), webhook_id, _now())
        out.print(f"webhook {webhook_id} removed")


@webhook_app.command("deliver")
def webhook_deliver() -> None:
    """Post every delivery that is due, once (the server does this by itself every half second).

    Example: liaison webhook deliver
    """
    from liaison.services.messaging import webhooks

    with reported():
        delivered, failed = webhooks.deliver_due(engine(), _now(), webhooks.config(settings()))
        out.print(f"{delivered} delivered, {failed} to retry")
