"""What new data sets off once it is committed: watches alerted, cleared subjects reopened."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from liaison.services import reopening, watches

__all__ = ["landed"]


def landed(engine: Engine, dataset: str, run_id: int, now: dt.datetime) -> None:
    """Check one committed write (an import run, an entity, a published notice) against the
    standing questions: users' watches, and the subjects officers cleared.
    """
    watches.check(engine, dataset, run_id, now)
    reopening.reopen(engine, dataset, run_id, now)
