"""What new data sets off once it is committed: watches alerted, cleared subjects reopened.

Both are standing queries against what one write put in a dataset, so the write is read and
indexed once for both, and not at all when no one watches and nothing was cleared.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from followthemoney.proxy import EntityProxy
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.matching.index import CandidateIndex
from liaison.matching.record import MATCHABLE, record_from_entity
from liaison.model import Identity
from liaison.services.screening import reopening, watches
from liaison.store import entry_decisions as decision_store
from liaison.store import watches as watch_store

__all__ = ["Written", "landed"]


@dataclass(frozen=True, slots=True)
class Written:
    """What one committed write put in a dataset, indexed on its own for the standing queries."""

    dataset: str
    proxies: dict[str, EntityProxy]
    index: CandidateIndex


def landed(engine: Engine, dataset: str, run_id: int, now: dt.datetime) -> None:
    """Check one committed write (an import run, an entity, a published notice) against the
    standing questions: users' watches, and the subjects officers cleared.
    """
    with Session(engine) as session:
        watching = watch_store.count_watches(session) > 0
        cleared = decision_store.cleared_subjects(session, None, reopening.RECHECKED)
        if not watching and not cleared:
            return
        proxies = {
            str(stored.proxy.id): stored.proxy
            for stored in store.iter_run(session, dataset, run_id, Identity.operator())
            if stored.proxy.schema.name in MATCHABLE
        }
    if not proxies:
        return
    index = CandidateIndex.build(record_from_entity(proxy, dataset) for proxy in proxies.values())
    written = Written(dataset, proxies, index)
    if watching:
        watches.check(engine, written, now)
    if cleared:
        reopening.reopen(engine, written, cleared, now)
