"""`liaison message`: threads between agencies, with priority, handling, receipts and replies."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from liaison.cli.support import caller, engine, out, reported

if TYPE_CHECKING:
    from liaison.services.messaging import messages
    from liaison.store.messages import Message

__all__ = ["message_app"]

message_app = typer.Typer(
    help="Messages between agencies: threads, priorities, receipts.", no_args_is_help=True
)

Body = Annotated[str, typer.Option(help="The message text.")]
Priority = Annotated[str, typer.Option(help="routine, urgent or flash; urgent and flash raise alerts.")]
HandlingCode = Annotated[str, typer.Option(help="TLP code: CLEAR, GREEN, AMBER, AMBER+STRICT or RED.")]
ToUser = Annotated[
    list[str] | None,
    typer.Option("--to-user", help="For RED: a user it is for (repeat); a RED thread is seen by them alone."),
]
Ref = Annotated[list[str] | None, typer.Option("--ref", help="An entity id the message is about (repeat).")]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _draft(
    body: str, priority: str, handling: str, to_user: list[str] | None, ref: list[str] | None
) -> messages.Draft:
    from liaison.services.messaging import messages

    return messages.Draft(body, priority, handling, tuple(to_user or ()), tuple(ref or ()))


@message_app.command("send")
def message_send(
    to: Annotated[list[str], typer.Option(help="An agency to write to (repeat for several).")],
    subject: Annotated[str, typer.Option(help="The thread's subject.")],
    body: Body,
    priority: Priority = "routine",
    handling: HandlingCode = "AMBER",
    to_user: ToUser = None,
    ref: Ref = None,
) -> None:
    """Start a thread with other agencies; it takes the message's handling code.

    A RED thread, subject included, is seen only by you and the --to-user users, who must be
    named. Example: liaison --as alice message send --to NCB-ES --subject "Vessel Aurora"
    --priority urgent --body "Arriving Algeciras 04:00" --ref imo-9123456
    """
    from liaison.services.messaging import messages

    with reported():
        thread, message = messages.open_thread(
            engine(), caller(), subject, to, _draft(body, priority, handling, to_user, ref), _now()
        )
        out.print(
            f"thread {thread.thread_id} to {', '.join(thread.participants)}; message {message.message_id}"
        )


@message_app.command("reply")
def message_reply(
    thread: Annotated[str, typer.Argument(help="The thread to write in.")],
    body: Body,
    priority: Priority = "routine",
    handling: HandlingCode = "AMBER",
    to_user: ToUser = None,
    ref: Ref = None,
    reply_to: Annotated[str | None, typer.Option(help="The message answered.")] = None,
) -> None:
    """Write in a thread you read; in a RED thread the message is RED, for all its readers by default.

    Example: liaison --as bob message reply 3f2a9c0d1e4b5a6f --body "Boarding team ready"
    """
    from liaison.services.messaging import messages

    with reported():
        message = messages.reply(
            engine(), caller(), thread, _draft(body, priority, handling, to_user, ref), _now(), reply_to
        )
        out.print(f"message {message.message_id}")


@message_app.command("list")
def message_list(
    limit: Annotated[int, typer.Option(min=1)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
) -> None:
    """Your agency's threads (a RED one if it names you), latest first, with your unread counts.

    Example: liaison --as bob message list
    """
    from liaison.services.messaging import messages

    with reported():
        threads, total = messages.list_threads(engine(), caller(), limit=limit, offset=offset)
        table = Table("thread", "subject", "TLP", "agencies", "unread", "last", title=f"{total} threads")
        for thread in threads:
            agencies, last = ", ".join(thread.participants), f"{thread.updated_at:%Y-%m-%d %H:%M}"
            row = (thread.thread_id, thread.subject, thread.handling, agencies, str(thread.unread), last)
            table.add_row(*row)
        out.print(table)


def _json(message: Message) -> str:
    return orjson.dumps(
        {
            "id": message.message_id,
            "from": message.sender,
            "agency": message.sender_agency,
            "priority": message.priority,
            "handling": message.handling,
            "body": message.body,
            "entity_refs": message.entity_refs,
            "reply_to": message.reply_to,
            "at": message.created_at.isoformat(),
        }
    ).decode()


@message_app.command("read")
def message_read(
    thread: Annotated[str, typer.Argument(help="The thread to read.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, one per message.")] = False,
) -> None:
    """Read a thread's messages (those you may read); they are marked read for you.

    Example: liaison --as bob message read 3f2a9c0d1e4b5a6f
    """
    from liaison.services.messaging import messages

    with reported():
        found, shown = messages.read_thread(engine(), caller(), thread, _now())
        if as_json:
            for message in shown:
                out.print(_json(message), highlight=False, soft_wrap=True)
            return
        out.print(f"[bold]{escape(found.subject)}[/] ({', '.join(found.participants)})", highlight=False)
        if found.readers is not None:
            out.print(f"TLP:RED, for {', '.join(found.readers)} only", highlight=False)
        for message in shown:
            out.print(
                f"\n[bold]{message.sender}[/] ({message.sender_agency}) {message.created_at:%Y-%m-%d %H:%M} "
                f"{message.priority.upper()} TLP:{message.handling}",
                highlight=False,
            )
            out.print(message.body, highlight=False, markup=False)
            if message.entity_refs:
                out.print(f"about: {', '.join(message.entity_refs)}", highlight=False, markup=False)


@message_app.command("receipts")
def message_receipts(
    thread: Annotated[str, typer.Argument(help="The message's thread.")],
    message: Annotated[str, typer.Argument(help="The message.")],
) -> None:
    """Who read a message, and when.

    Example: liaison --as alice message receipts 3f2a9c0d1e4b5a6f 9b1c2d3e4f5a6b7c
    """
    from liaison.services.messaging import messages

    with reported():
        for user, at in messages.receipts(engine(), caller(), thread, message):
            out.print(f"{user}\t{at.isoformat()}", highlight=False)
