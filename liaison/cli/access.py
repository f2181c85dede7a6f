"""`liaison user`, `token`, `group` and `audit` commands: who may do what, and the trail."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from liaison.cli.support import caller, engine, err, out, reported, settings
from liaison.errors import BadInput
from liaison.model import Role
from liaison.model.identity import SCOPES

if TYPE_CHECKING:
    from liaison.services.accounts.audit import Verification

__all__ = ["audit_app", "group_app", "token_app", "user_app"]

user_app = typer.Typer(help="Users of member agencies.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens: shown once, stored as hashes, expiring.", no_args_is_help=True)
group_app = typer.Typer(help="Sharing groups that releasability can name (group:NAME).", no_args_is_help=True)
audit_app = typer.Typer(
    help="The hash-chained audit trail (auditors and the operator).", no_args_is_help=True
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _when(value: str, option: str) -> dt.datetime:
    """`90d` from now, or an ISO date or time (UTC when no zone is given)."""
    text = value.strip()
    try:
        if text.endswith("d") and text[:-1].isdigit():
            return _now() + dt.timedelta(days=int(text[:-1]))
        parsed = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise BadInput(f"{option}: {value!r} is neither a number of days (90d) nor an ISO date") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name: lower-case letters, digits, '.', '_', '-'.")],
    agency: Annotated[str, typer.Option(help="Code of the user's agency.")],
    role: Annotated[Role, typer.Option(help="What the user does.")],
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read a password (12+ characters) for web login from stdin."),
    ] = False,
) -> None:
    """Add a user to an agency (the operator, or an admin of that agency).

    Example: liaison user add alice --agency NCB-FR --role analyst
    """
    from liaison.services.accounts import access

    with reported():
        password = sys.stdin.readline().rstrip("\n") if password_stdin else None
        user = access.add_user(engine(), caller(), name, agency, role, _now(), password)
        out.print(f"user {user.name} added to {user.agency} as {user.role.value}")


@user_app.command("list")
def user_list(agency: Annotated[str | None, typer.Option(help="Only this agency's users.")] = None) -> None:
    """List users with their agency, role and state.

    Example: liaison user list --agency NCB-FR
    """
    from liaison.services.accounts import access

    with reported():
        table = Table("user", "agency", "role", "state", "web login", "created")
        for user in access.list_users(engine(), caller(), agency):
            state = "disabled" if user.disabled else "active"
            table.add_row(
                user.name,
                user.agency,
                user.role.value,
                state,
                "yes" if user.has_password else "-",
                f"{user.created_at:%Y-%m-%d}",
            )
        out.print(table)


@user_app.command("disable")
def user_disable(name: Annotated[str, typer.Argument(help="User to disable.")]) -> None:
    """Disable a user: their tokens and logins are refused from now on.

    Example: liaison user disable alice
    """
    from liaison.services.accounts import access

    with reported():
        access.disable_user(engine(), caller(), name, _now())
        out.print(f"user {name} disabled")


@user_app.command("enable")
def user_enable(name: Annotated[str, typer.Argument(help="User to enable again.")]) -> None:
    """Enable a disabled user again.

    Example: liaison user enable alice
    """
    from liaison.services.accounts import access

    with reported():
        access.disable_user(engine(), caller(), name, _now(), disabled=False)
        out.print(f"user {name} enabled")


@user_app.command("password")
def user_password(
    name: Annotated[str, typer.Argument(help="User whose password to set.")],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the new password (12+ characters) from stdin, for scripts."
        ),
    ] = False,
) -> None:
    """Set a user's web login password (the operator, or an admin of their agency); their web sessions end.

    The password is asked for twice and not shown as it is typed. A user changes their own on
    the web's Password page, with their current one.

    Example: liaison user password alice
    """
    from liaison.services.accounts import passwords
    from liaison.services.accounts.throttle import LoginLimits

    with reported():
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = typer.prompt("New password", hide_input=True, confirmation_prompt=True, err=True)
        ended = passwords.change_password(
            engine(),
            caller(),
            name,
            password,
            _now(),
            current=None,
            address="console",
            limits=LoginLimits.of(settings()),
        )
        sessions = f"{len(ended)} web session{'s' if len(ended) != 1 else ''}"
        out.print(f"password of {name} set; {sessions} ended")


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Argument(help="User the token acts for.")],
    expires: Annotated[str, typer.Option(help="Days from now (90d) or an ISO date; at most a year.")] = "90d",
    scope: Annotated[
        list[str] | None, typer.Option(help=f"What it may do: {', '.join(SCOPES)}; repeat for more.")
    ] = None,
) -> None:
    """Create an API token; its text is printed once, only its hash is kept.

    Example: liaison token create alice --expires 30d --scope read --scope write
    """
    from liaison.services.accounts import access

    with reported():
        token, stored = access.create_token(
            engine(), caller(), user, _now(), _when(expires, "--expires"), tuple(scope or ("read",))
        )
        err.print(
            f"token {stored.token_id} for {stored.user}, {', '.join(stored.scopes)}, "
            f"expires {stored.expires_at:%Y-%m-%d %H:%M} UTC; store it now, it is not shown again:"
        )
        sys.stdout.write(token.text + "\n")


@token_app.command("list")
def token_list(user: Annotated[str | None, typer.Option(help="Only this user's tokens.")] = None) -> None:
    """List tokens: ids, owners, scopes and dates (never their secrets).

    Example: liaison token list --user alice
    """
    from liaison.services.accounts import access

    with reported():
        now = _now()
        table = Table("token", "user", "scopes", "created", "expires", "state")
        for token in access.list_tokens(engine(), caller(), user):
            expires = token.expires_at if token.expires_at.tzinfo else token.expires_at.replace(tzinfo=dt.UTC)
            state = "revoked" if token.revoked_at else ("expired" if expires <= now else "active")
            table.add_row(
                token.token_id,
                token.user,
                ", ".join(token.scopes),
                f"{token.created_at:%Y-%m-%d}",
                f"{token.expires_at:%Y-%m-%d}",
                state,
            )
        out.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[str, typer.Argument(help="Id of the token, as `token list` shows it.")],
) -> None:
    """Revoke a token: it is refused from now on.

    Example: liaison token revoke 3f2a9c0d1e4b5a6f
    """
    from liaison.services.accounts import access

    with reported():
        access.revoke_token(engine(), caller(), token_id, _now())
        out.print(f"token {token_id} revoked")


@group_app.command("add")
def group_add(
    name: Annotated[str, typer.Argument(help="Group name, as releasability names it (group:NAME).")],
    description: Annotated[str, typer.Option(help="What the group is for.")] = "",
) -> None:
    """Create a sharing group (the operator).

    Example: liaison group add balkans --description "Balkan route task force"
    """
    from liaison.services.accounts import access

    with reported():
        access.add_group(engine(), caller(), name, description, _now())
        out.print(f"group {name} created")


@group_app.command("join")
def group_join(
    name: Annotated[str, typer.Argument(help="Group.")],
    agency: Annotated[str, typer.Argument(help="Agency code.")],
) -> None:
    """Put an agency in a sharing group.

    Example: liaison group join balkans NCB-RS
    """
    from liaison.services.accounts import access

    with reported():
        access.join_group(engine(), caller(), name, agency, _now())
        out.print(f"{agency} is in group {name}")


@group_app.command("leave")
def group_leave(
    name: Annotated[str, typer.Argument(help="Group.")],
    agency: Annotated[str, typer.Argument(help="Agency code.")],
) -> None:
    """Take an agency out of a sharing group.

    Example: liaison group leave balkans NCB-RS
    """
    from liaison.services.accounts import access

    with reported():
        access.leave_group(engine(), caller(), name, agency, _now())
        out.print(f"{agency} left group {name}")


@group_app.command("list")
def group_list() -> None:
    """List sharing groups and their member agencies.

    Example: liaison group list
    """
    from liaison.services.accounts import access

    with reported():
        table = Table("group", "description", "agencies")
        for name, (description, members) in access.list_groups(engine()).items():
            table.add_row(name, description, ", ".join(members) or "-")
        out.print(table)


@audit_app.command("verify")
def audit_verify(
    against: Annotated[
        Path | None,
        typer.Option("--checkpoints", help="Hold the chain against the signed checkpoints in this file too."),
    ] = None,
) -> None:
    """Check the whole audit chain; name the first broken link if any row was changed, deleted or inserted.

    With --checkpoints, also name a checkpoint whose event was cut from the end or rewritten,
    and refuse a checkpoint whose signature fails. Exits with code 8 when the chain is broken or
    a checkpoint forged.

    Example: liaison audit verify --checkpoints checkpoints.jsonl
    """
    from liaison.access import checkpoints
    from liaison.services.accounts import audit

    with reported():
        held = checkpoints.parse(_read_text(against), str(against)) if against else []
        result = audit.verify(engine(), caller(), _now(), held)
        if result.forged is not None:
            err.print(
                f"[bold red]audit checkpoint refused[/]: {result.forged}: its signature does not hold "
                "(forged, changed, or signed under another key)"
            )
            raise typer.Exit(8)
        if result.broken is not None:
            err.print(
                f"[bold red]audit chain broken[/] at event {result.broken.seq}: {result.broken.reason} "
                f"({result.events:,} events read)"
            )
            raise typer.Exit(8)
        out.print(f"audit chain intact: {result.events:,} events{_keying(result)}")
        if held:
            out.print(f"holds against {len(held):,} checkpoint{'s' if len(held) > 1 else ''} in {against}")


def _keying(result: Verification) -> str:
    """How far the chain is keyed: what an intact chain can and cannot show."""
    if not result.keyed:
        return (
            ", not keyed: anyone with database access could have rewritten it; set LIAISON_SECRET_KEY "
            "(or LIAISON_SECRET_KEY_FILE)"
        )
    if result.keyed_from is None:
        return ", none keyed yet (they were chained before this store had a key; the next is keyed)"
    if result.keyed_from > 1:
        return (
            f", keyed from event {result.keyed_from:,} (those before were chained without a key, "
            "and hold only against checkpoints)"
        )
    return ", all keyed"


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise BadInput(f"cannot read the checkpoint file {path}: {exc}") from exc


@audit_app.command("checkpoint")
def audit_checkpoint(
    output: Annotated[
        Path, typer.Option("--out", "-o", help="File the auditors keep; the checkpoint is appended to it.")
    ],
) -> None:
    """Append a signed checkpoint of the audit chain's head (number, hash, time, node) to a file.

    Kept outside the database (by the auditors, and later by peer nodes), checkpoints let
    `audit verify --checkpoints` show the chain cut or rewritten even with the key at hand.
    Refused when the chain is already broken.

    Example: liaison audit checkpoint --out checkpoints.jsonl
    """
    import socket

    from liaison.access import checkpoints
    from liaison.services.accounts import audit

    with reported():
        taken = audit.checkpoint(engine(), caller(), now=_now(), node=socket.gethostname())
        try:
            with output.open("ab") as handle:
                handle.write(checkpoints.to_line(taken))
        except OSError as exc:
            raise BadInput(f"cannot write the checkpoint file {output}: {exc}") from exc
        out.print(f"checkpoint of event {taken.seq:,} appended to {output}")


@audit_app.command("export")
def audit_export(
    since: Annotated[str | None, typer.Option(help="From this ISO date or time (UTC), inclusive.")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this ISO date or time (UTC), exclusive.")] = None,
    output: Annotated[str, typer.Option("--output", "-o", help="File to write, or - for stdout.")] = "-",
) -> None:
    """Write the events of a period as JSON lines, with their chain hashes.

    Example: liaison audit export --since 2026-12-01 --until 2026-12-02 -o audit.jsonl
    """
    from liaison.services.accounts import audit

    with reported():
        start = _when(since, "--since") if since else None
        end = _when(until, "--until") if until else None
        if output == "-":
            count = audit.export(engine(), caller(), sys.stdout.buffer, now=_now(), since=start, until=end)
        else:
            with Path(output).open("wb") as handle:
                count = audit.export(engine(), caller(), handle, now=_now(), since=start, until=end)
        err.print(f"exported {count:,} audit events")
