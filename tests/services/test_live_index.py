"""An index following the store's change feed answers as one built afresh from the store.

Strategy: for the claim that applying changes in order, in slices of any size, ends where a
fresh build of the final records does, hypothesis draws sequences of additions and removals
from the small worlds of tests/matching/test_index.py. On each backend, two matching services
over one store (two servers, as far as the store can tell) show that what one process imports,
deletes or withdraws as a notice the other screens once it catches up, and how far behind it
said it was meanwhile.
"""

from __future__ import annotations

import datetime as dt
import threading

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.ingest import Record
from liaison.ingest.ftm import entity_from_dict
from liaison.matching.index import CandidateIndex
from liaison.matching.record import MatchRecord
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role
from liaison.services.messaging import notices
from liaison.services.screening.live_index import LiveIndex, ReadWriteLock, Removal, Step
from liaison.services.screening.matching_service import MatchingService, Scope
from liaison.services.sharing import retention
from liaison.services.sharing.imports import import_records
from tests.matching.test_index import answers, queries, worlds

OPERATOR = Identity.operator()
EVERY = Scope()
NOW = dt.datetime(2026, 12, 9, 10, tzinfo=dt.UTC)
PETRENKO = {"schema": "Person", "properties": {"name": ["Natalia Petrenko"], "birthDate": ["1984-05-17"]}}

removals = st.builds(Removal, st.sampled_from(["a", "b"]), st.sampled_from([f"e{n}" for n in range(10)]))


@settings(max_examples=80, deadline=None)
@given(worlds, st.lists(st.one_of(worlds, removals), max_size=6), queries, st.integers(1, 6))
def test_changes_applied_in_order_answer_as_a_fresh_build(
    first: list[MatchRecord],
    later: list[list[MatchRecord] | Removal],
    questions: list[MatchRecord],
    per_hold: int,
) -> None:
    steps: list[Step] = [step for item in later for step in (item if isinstance(item, list) else [item])]
    final = {(record.dataset, record.entity_id): record for record in first}
    for step in steps:
        if isinstance(step, Removal):
            final.pop((step.dataset, step.entity_id), None)
        else:
            final[(step.dataset, step.entity_id)] = step
    live = LiveIndex(CandidateIndex.build(first, merge_at=5), {}, applied=0)
    live.apply(steps, applied=7, per_hold=per_hold)
    fresh = CandidateIndex.build(final.values())
    assert live.applied == 7 and len(live) == len(fresh)
    with live.held() as followed:
        for query in questions:
            assert answers(followed, query, 3) == answers(fresh, query, 3)


def test_a_writer_waits_for_readers_and_new_readers_for_a_waiting_writer() -> None:
    lock, order = ReadWriteLock(), []
    reading, writer_waits = threading.Event(), threading.Event()

    def write() -> None:
        writer_waits.set()
        with lock.writing():
            order.append("write")

    def read_again() -> None:
        with lock.reading():
            order.append("second read")

    with lock.reading():
        reading.set()
        writer = threading.Thread(target=write)
        writer.start()
        writer_waits.wait()
        while not lock._waiting:  # the writer is queued behind this reader
            threading.Event().wait(0.001)
        second = threading.Thread(target=read_again)
        second.start()
        order.append("first read done")
    writer.join()
    second.join()
    assert order == ["first read done", "write", "second read"]


def _import(engine: Engine, dataset: str, entity_id: str, example: dict[str, object]) -> None:
    proxy = entity_from_dict({"id": entity_id, **example}, dataset, entity_id)
    envelope = Envelope("NCB-FR", dataset, Handling.CLEAR, "screening", dt.date(2031, 12, 1))
    import_records(
        engine, [Record(proxy, "1")], envelope=envelope, title=dataset, kind="ftm", source="test", now=NOW
    )


def _found(service: MatchingService, scope: Scope = EVERY) -> set[str]:
    [answer] = service.match(
        {"q": PETRENKO}, scope=scope, threshold=0.7, cutoff=0.5, limit=5, identity=OPERATOR, now=NOW
    )
    return {str(scored.found.proxy.id) for scored in answer.results}


def test_another_process_s_imports_deletions_and_withdrawals_are_screened_once_caught_up(
    engine: Engine, database_url: str, agency: Agency
) -> None:
    with Session(engine) as session, session.begin():
        store.save_agency(session, Agency("IPSG", "General Secretariat", "FR", AgencyKind.SECRETARIAT))
    _import(engine, "watchlist", "w-sokolov", {"schema": "Person", "properties": {"name": ["Ivan Sokolov"]}})
    # The follower has an engine of its own, as a server in another process would.
    elsewhere = store.open_engine(database_url)
    follower = MatchingService(elsewhere, candidates=10)
    try:
        follower.prepare()
        assert _found(follower) == set()
        caught_up = follower.lag(NOW)
        assert (caught_up.behind, caught_up.lag_seconds) == (0, 0) and caught_up.version

        _import(engine, "new_list", "n-petrenko", PETRENKO)
        behind = follower.lag(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5))
        assert behind.behind == 1 and behind.lag_seconds >= 5 and behind.version == caught_up.version
        assert follower.catch_up() == 1
        assert _found(follower) == {"n-petrenko"}
        assert _found(follower, Scope("new_list")) == {"n-petrenko"}  # a new dataset is known by name
        assert follower.lag(NOW).behind == 0 and follower.catch_up() == 0

        retention.delete(engine, OPERATOR, "new_list", "n-petrenko", NOW)
        follower.catch_up()
        assert _found(follower) == set()

        analyst = Identity.member("alice", "NCB-FR", "FR", Role.ANALYST)
        reviewer = Identity.member("rita", "IPSG", "FR", Role.REVIEWER, secretariat=True)
        notice = notices.create(engine, analyst, "red", "Wanted: fraud", subject=PETRENKO, now=NOW)
        notices.move(engine, analyst, notice.notice_id, "submit", now=NOW)
        notices.move(engine, reviewer, notice.notice_id, "publish", now=NOW)
        follower.catch_up()
        assert _found(follower) == {f"notice-{notice.notice_id}"}
        notices.move(engine, analyst, notice.notice_id, "withdraw", now=NOW)
        follower.catch_up()
        assert _found(follower) == set()
        assert follower.lag(NOW).behind == 0
    finally:
        follower.close()
        elsewhere.dispose()


def test_a_rebuild_takes_the_changes_committed_while_it_ran(engine: Engine, agency: Agency) -> None:
    service = MatchingService(engine, candidates=10)
    service.prepare()
    _import(engine, "new_list", "n-petrenko", PETRENKO)
    service.refresh()
    assert _found(service) == {"n-petrenko"}
    assert service.lag(NOW).behind == 0
    service.close()


def test_a_follower_polls_by_itself(engine: Engine, agency: Agency) -> None:
    service = MatchingService(engine, candidates=10)
    service.prepare()
    service.follow(0.05)
    try:
        _import(engine, "new_list", "n-petrenko", PETRENKO)
        for _ in range(600):  # 30 s at most; a poll or two on an idle machine
            if service.lag(dt.datetime.now(dt.UTC)).behind == 0:
                break
            threading.Event().wait(0.05)
        assert _found(service) == {"n-petrenko"}
    finally:
        service.close()
