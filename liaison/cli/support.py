"""What every `liaison` command shares: consoles, settings, the store, error exits and progress lines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from liaison.errors import BadInput, Conflict, Forbidden, LiaisonError, NotFound, Unauthenticated, Unavailable
from liaison.model import Identity

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from liaison.settings import Settings

__all__ = [
    "DATASET_HELP",
    "EXIT_CODES",
    "caller",
    "counting",
    "engine",
    "err",
    "fail",
    "out",
    "purpose",
    "reported",
    "set_caller",
    "settings",
]

DATASET_HELP = (
    "Dataset to import into, created if new; a member's begins with its prefix: ncb_fr_ for NCB-FR."
)

out = Console()
err = Console(stderr=True)

EXIT_CODES: dict[type[LiaisonError], int] = {
    BadInput: 3,
    NotFound: 4,
    Unauthenticated: 5,
    Forbidden: 5,
    Conflict: 6,
    Unavailable: 7,
}


def fail(exc: LiaisonError) -> NoReturn:
    """Print one line on stderr and exit with the error's code; users never see a traceback."""
    err.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
    code = next((code for kind, code in EXIT_CODES.items() if isinstance(exc, kind)), 1)
    raise typer.Exit(code)


@contextmanager
def reported() -> Iterator[None]:
    """Turn Liaison's errors into a clean message and exit code."""
    try:
        yield
    except LiaisonError as exc:
        fail(exc)


def settings() -> Settings:
    """The settings of this invocation (read once from LIAISON_* variables)."""
    # pydantic-settings, SQLAlchemy and the store load here, when a command needs them, so that
    # `--help` and the commands that do not open the store start quickly.
    from pydantic import ValidationError

    from liaison.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"LIAISON_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors()
        )
        raise BadInput(f"invalid setting: {problems}") from exc


def engine(migrate: bool = False) -> Engine:
    """Open the configured store; `migrate` creates or upgrades it first."""
    from liaison import store
    from liaison.services.accounts import audit

    config = settings()
    opened = store.open_engine(config.database_url)
    audit.key_chain(opened, config)
    if migrate:
        store.migrate(opened)
    elif not store.is_current(opened):
        raise Unavailable("the database is not initialised or out of date; run `liaison init`")
    return opened


@contextmanager
def counting(label: str, unit: str = "entities") -> Iterator[Callable[[int], None]]:
    """A Rich progress line counting items and their rate while a long task runs."""
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn(f"{{task.completed:,}} {unit}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task(label, total=None)
        yield lambda count: progress.advance(task, count)


# Who this invocation acts as (`--as USER`, the operator without it) and the purpose it gave.
_invocation: dict[str, str | None] = {"as": None, "purpose": ""}


def set_caller(user: str | None, purpose_given: str) -> None:
    """Record the global `--as` and `--purpose` options (the CLI's callback does this)."""
    _invocation["as"], _invocation["purpose"] = user, purpose_given


def caller() -> Identity:
    """The identity this invocation acts as: the named user, or the local operator."""
    from liaison.services.accounts import access

    user = _invocation["as"]
    return access.identity_of(engine(), user) if user else Identity.operator()


def purpose() -> str:
    """The purpose this invocation gave for its reads (`--purpose`), or empty."""
    return _invocation["purpose"] or ""
