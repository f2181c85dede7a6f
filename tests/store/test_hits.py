"""Hit references under concurrency, on both backends: one seeker hitting one record from two
requests at once gets one reference, counted twice, and neither request fails."""

from __future__ import annotations

import datetime as dt
import threading
import time

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from liaison.model import Agency, Identity, Role
from liaison.store import hits as hit_store
from liaison.store.tables import HitReferenceRow

NOW = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)
SEEKER = Identity.member("bob", "NCB-FR", "fr", Role.ANALYST)
COPY = hit_store.HiddenCopy("ds", "e1", "NCB-ES")


def test_concurrent_first_hits_make_one_reference(engine: Engine, agency: Agency) -> None:
    failures: list[BaseException] = []
    first_written = threading.Event()

    def first() -> None:
        with Session(engine) as session, session.begin():
            hit_store.note_hit(session, COPY, SEEKER, "search", 0.8, NOW)
            first_written.set()
            time.sleep(0.3)  # the second request arrives while this one is uncommitted

    def second() -> None:
        first_written.wait(10)
        try:
            with Session(engine) as session, session.begin():
                hit_store.note_hit(session, COPY, SEEKER, "match", 0.9, NOW)
        except BaseException as exc:  # reported below, with the thread's own error
            failures.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    with Session(engine) as session:
        rows = session.scalars(select(HitReferenceRow)).all()
    assert [(row.hits, row.score) for row in rows] == [(2, 0.9)]
