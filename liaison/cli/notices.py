"""`liaison notice`: notices and diffusions, from draft to publication, withdrawal and expiry."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import orjson
import typer
from rich.table import Table

from liaison.cli.support import caller, engine, out, reported
from liaison.errors import BadInput

__all__ = ["notice_app"]

notice_app = typer.Typer(
    help="Notices (red, yellow, blue, black, green, orange, purple, UN special) and diffusions.",
    no_args_is_help=True,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@notice_app.command("create")
def notice_create(
    kind: Annotated[
        str, typer.Option(help="red, yellow, blue, black, green, orange, purple, un_special, diffusion.")
    ],
    title: Annotated[str, typer.Option(help="A line saying what the notice is about.")],
    name: Annotated[list[str] | None, typer.Option(help="The subject's name (repeat for aliases).")] = None,
    schema: Annotated[str, typer.Option(help="The subject's FtM schema.")] = "Person",
    birth_date: Annotated[
        str | None, typer.Option(help="The subject's birth date (ISO, may be partial).")
    ] = None,
    nationality: Annotated[str | None, typer.Option(help="The subject's nationality (ISO 3166).")] = None,
    passport: Annotated[str | None, typer.Option(help="The subject's passport number.")] = None,
    summary: Annotated[str, typer.Option(help="What is known and what is asked.")] = "",
    recipient: Annotated[
        list[str] | None, typer.Option(help="For a diffusion: an agency it goes to.")
    ] = None,
    expires: Annotated[int | None, typer.Option(help="Days until it expires once published.")] = None,
) -> None:
    """Draft a notice or a diffusion for your agency.

    Example: liaison --as alice notice create --kind red --title "Wanted for trafficking"
    --name "Ivan Petrov" --birth-date 1975-03-02 --nationality ru
    """
    from liaison.services.messaging import notices

    with reported():
        properties: dict[str, list[str]] = {"name": list(name or [])}
        for prop, value in (
            ("birthDate", birth_date),
            ("nationality", nationality),
            ("passportNumber", passport),
        ):
            if value:
                properties[prop] = [value]
        if expires is not None and expires < 1:
            raise BadInput("--expires: a number of days, 1 or more")
        now = _now()
        notice = notices.create(
            engine(),
            caller(),
            kind,
            title,
            summary=summary,
            subject={"schema": schema, "properties": properties} if name else None,
            recipients=recipient or (),
            expires_at=now + dt.timedelta(days=expires) if expires else None,
            now=now,
        )
        out.print(f"{notice.kind.value} {notice.notice_id} drafted")


def _mover(action: str) -> None:
    def command(
        notice_id: Annotated[str, typer.Argument(help="The notice.")],
        note: Annotated[str, typer.Option(help="A note kept with the move (reviewers: why).")] = "",
    ) -> None:
        from liaison.services.messaging import notices

        with reported():
            moved = notices.move(engine(), caller(), notice_id, action, note=note, now=_now())
            out.print(f"{moved.kind.value} {moved.notice_id} is now {moved.status.value}")

    command.__doc__ = {
        "submit": "Submit a draft notice to the secretariat for review.",
        "publish": "Publish a submitted notice (secretariat reviewers); screening then matches it.",
        "refuse": "Refuse a submitted notice (secretariat reviewers), saying why with --note.",
        "revise": "Take a refused notice back to draft.",
        "send": "Send a drafted diffusion to the agencies it names.",
        "withdraw": "Withdraw a published notice or diffusion; screening no longer matches it.",
    }[action]
    notice_app.command(action)(command)


for _action in ("submit", "publish", "refuse", "revise", "send", "withdraw"):
    _mover(_action)


@notice_app.command("list")
def notice_list(
    status: Annotated[str | None, typer.Option(help="Only notices in this status.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
) -> None:
    """Notices you may see: published ones, your agency's, and (reviewers) those awaiting review.

    Example: liaison --as rita notice list --status submitted
    """
    from liaison.services.messaging import notices

    with reported():
        found, total = notices.list_notices(engine(), caller(), status, limit=notices.MAX_PAGE)
        if as_json:
            for notice in found:
                out.print(orjson.dumps(notices.view(notice)).decode(), highlight=False, soft_wrap=True)
            return
        table = Table("id", "kind", "status", "agency", "title", "updated", title=f"{total} notices")
        for notice in found:
            updated = f"{notice.updated_at:%Y-%m-%d %H:%M}"
            table.add_row(notice.notice_id, notice.kind, notice.status, notice.agency, notice.title, updated)
        out.print(table)


@notice_app.command("show")
def notice_show(notice_id: Annotated[str, typer.Argument(help="The notice.")]) -> None:
    """One notice, as JSON.

    Example: liaison --as bob notice show 3f2a9c0d1e4b5a6f
    """
    from liaison.services.messaging import notices

    with reported():
        notice = notices.get(engine(), caller(), notice_id, _now())
        out.print(orjson.dumps(notices.view(notice), option=orjson.OPT_INDENT_2).decode(), highlight=False)


@notice_app.command("expire")
def notice_expire() -> None:
    """Expire published notices past their expiry (the operator; run it daily).

    Example: liaison notice expire
    """
    from liaison.services.messaging import notices

    with reported():
        expired = notices.expire_due(engine(), _now())
        out.print(f"{len(expired)} notices expired")
