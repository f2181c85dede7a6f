"""The one access decision, per kind of resource: `may` answers with its reason, and what the store
lists and reads is exactly what `may` allows.

Strategy: a table of cases per kind; then hypothesis draws small worlds of that kind, stores
them on each backend, and checks for every member, the public and the operator that the list
and each read by id return exactly the resources `may` allows (for threads, their counts too;
for audit events, auditors of each reach). Records have their own property in
tests/access/test_policy.py.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.administration import require_auditor
from liaison.access.audit import AuditEvent
from liaison.access.decision import (
    DECIDING,
    ENTRY_DECIDING,
    HELD,
    OPERATOR_APPOINTS,
    SCREENING,
    AccessRequestFacts,
    Action,
    AgencyFacts,
    AlertFacts,
    AuditEventFacts,
    DatasetFacts,
    HeldFacts,
    Kind,
    MessageFacts,
    NodeFacts,
    NoticeFacts,
    OperationFacts,
    OwnedFacts,
    PairFacts,
    RecordFacts,
    ReferenceFacts,
    ResultFacts,
    TakedownFacts,
    ThreadFacts,
    UserFacts,
    may,
    rule,
    unconditional,
)
from liaison.errors import Forbidden
from liaison.model import Agency, AgencyKind, Handling, Identity, IdentityKind, NoticeKind, NoticeStatus, Role
from liaison.model.operation import CrimeArea, OperationPlan
from liaison.store import alerts as alert_store
from liaison.store import hits as hit_store
from liaison.store import indicator_screenings as screening_store
from liaison.store import messages as message_store
from liaison.store import notices as notice_store
from liaison.store import operations
from liaison.store import watches as watch_store
from liaison.store.tables import (
    AccessRequestRow,
    AlertRow,
    HitReferenceRow,
    IndicatorScreeningRow,
    MessageRow,
    NoticeRow,
    OperationRow,
    ReceiptRow,
    ThreadParticipantRow,
    ThreadRow,
    WatchRow,
)

ALICE = Identity.member("alice", "NCB-FR", "fr", Role.ANALYST, frozenset({"balkans"}))
AGENCIES = ("A1", "A2", "B1", "B2")
CALLERS = [
    Identity.public(),
    Identity.operator(),
    *(Identity.member(f"u-{code.lower()}", code, "aa", Role.COORDINATOR) for code in AGENCIES),
]
NOW = dt.datetime(2026, 12, 7, tzinfo=dt.UTC)


def test_a_decision_gives_its_reason() -> None:
    red = RecordFacts.of("NCB-ES", Handling.RED, ["user:alice"])
    assert (
        may(ALICE, Action.READ, red) and may(ALICE, Action.READ, red).reason == "RED, released to user:alice"
    )
    assert may(ALICE, Action.READ, RecordFacts.of("NCB-FR", Handling.RED, [])).reason == "NCB-FR owns it"
    refused = may(ALICE, Action.READ, RecordFacts.of("NCB-ES", Handling.AMBER_STRICT, ["group:balkans"]))
    assert not refused and refused.reason == "no rule lets alice read this record"
    assert (
        may(Identity.operator(), Action.READ, red).reason == "the operator acts on everything at its own node"
    )


@pytest.mark.parametrize(
    ("coordinator", "participants", "readers"),
    [
        ("A1", ("A1",), {"A1"}),
        ("A1", ("B1", "B2"), {"A1", "B1", "B2"}),  # the coordinator need not be a participant
        ("A2", ("A1",), {"A1", "A2"}),
    ],
)
def test_an_operation_is_read_by_its_coordinator_and_participants(
    coordinator: str, participants: tuple[str, ...], readers: set[str]
) -> None:
    facts = OperationFacts(coordinator, frozenset(participants))
    for caller in CALLERS:
        expected = caller.agency in readers or caller.user == "operator"
        assert bool(may(caller, Action.READ, facts)) is expected, caller.actor


@pytest.fixture
def world(engine: Engine) -> Engine:
    with Session(engine) as session, session.begin():
        for code in AGENCIES:
            store.save_agency(session, Agency(code, code, "aa", AgencyKind.POLICE))
        for caller in CALLERS[2:]:
            store.save_user(session, str(caller.user), str(caller.agency), Role.COORDINATOR, None, NOW)
    return engine


drawn_operations = st.lists(
    st.tuples(
        st.sampled_from(AGENCIES),
        st.lists(st.sampled_from(AGENCIES), min_size=1, max_size=3, unique=True),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=drawn_operations)
def test_operations_listed_and_read_are_exactly_what_may_allows(
    world: Engine, drawn: list[tuple[str, list[str]]]
) -> None:
    with Session(world) as session, session.begin():
        session.execute(delete(OperationRow))
        facts = {}
        for number, (coordinator, participants) in enumerate(drawn):
            plan = OperationPlan(
                f"Operation {number}",
                CrimeArea.TRAFFICKING,
                NOW.date(),
                NOW.date(),
                tuple(participants),
                ("aa",),
            )
            stored = operations.add_operation(session, plan, coordinator, "someone", NOW)
            facts[stored.operation_id] = OperationFacts(coordinator, frozenset(participants))
    with Session(world) as session:
        for caller in CALLERS:
            allowed = {key for key, fact in facts.items() if may(caller, Action.READ, fact)}
            assert {found.operation_id for found in operations.list_operations(session, caller)} == allowed
        for caller, key in itertools.product(CALLERS, facts):
            found = operations.get_operation(session, key, caller)
            assert (found is not None) is bool(may(caller, Action.READ, facts[key])), (caller.actor, key)


@pytest.mark.parametrize("handling", list(Handling))
def test_a_red_field_result_s_details_stay_with_the_agency_that_filed_it(handling: Handling) -> None:
    facts = ResultFacts("A1", handling)
    for caller in CALLERS:
        expected = handling is not Handling.RED or caller.agency == "A1" or caller.user == "operator"
        assert bool(may(caller, Action.READ, facts)) is expected, caller.actor


def test_results_are_filed_by_participants_whose_role_files_and_operations_closed_by_coordinators() -> None:
    facts = OperationFacts("A1", frozenset({"B1"}))
    analyst = Identity.member("ana", "B1", "bb", Role.ANALYST)
    auditor = Identity.member("aud", "B1", "bb", Role.AUDITOR)
    assert may(analyst, Action.FILE, facts).reason == "B1 takes part in it"
    refused = may(auditor, Action.FILE, facts)
    assert not refused and "does not file them" in refused.reason
    assert not may(Identity.member("x", "B2", "bb", Role.ANALYST), Action.FILE, facts)
    coordinators = [Identity.member(f"c{code}", code, "aa", Role.COORDINATOR) for code in ("A1", "B1")]
    assert [bool(may(caller, Action.CLOSE, facts)) for caller in coordinators] == [True, False]
    assert may(coordinators[1], Action.CLOSE, facts).reason == "only A1's coordinators close this operation"
    assert not may(Identity.public(), Action.READ, facts)


@pytest.mark.parametrize(
    ("added_by", "coordinator", "movers"),
    [("A1", "A1", {"A1"}), ("B1", "A1", {"A1", "B1"}), ("B1", "B2", {"B1", "B2"})],
)
def test_a_takedown_is_moved_on_by_the_agency_that_added_it_or_the_coordinating_one(
    added_by: str, coordinator: str, movers: set[str]
) -> None:
    facts = TakedownFacts(added_by, coordinator)
    for caller in CALLERS:
        expected = caller.user == "operator" or caller.agency in movers
        assert bool(may(caller, Action.WRITE, facts)) is expected, caller.actor
    assert not may(Identity.member("rev", added_by, "aa", Role.REVIEWER), Action.WRITE, facts)
    assert not may(CALLERS[2], Action.READ, facts)


SECRETARIAT_REVIEWER = Identity.member("rev", "B2", "bb", Role.REVIEWER, secretariat=True)
NOTICE_CALLERS = [
    *CALLERS,
    SECRETARIAT_REVIEWER,
    Identity.member("rev-a1", "A1", "aa", Role.REVIEWER),  # a reviewer, not of the secretariat
]


@pytest.mark.parametrize(
    ("kind", "status", "recipients", "readers"),
    [
        (NoticeKind.RED, NoticeStatus.DRAFT, (), {"A1"}),
        (NoticeKind.RED, NoticeStatus.SUBMITTED, (), {"A1", "rev"}),
        (NoticeKind.RED, NoticeStatus.REFUSED, (), {"A1"}),
        (NoticeKind.RED, NoticeStatus.WITHDRAWN, (), {"A1", "A2", "B1", "B2", "rev", "rev-a1"}),
        (NoticeKind.DIFFUSION, NoticeStatus.PUBLISHED, ("B1",), {"A1", "B1"}),
        (NoticeKind.DIFFUSION, NoticeStatus.DRAFT, ("B1",), {"A1"}),
    ],
)
def test_a_notice_is_read_by_its_agency_everyone_once_published_and_the_secretariat_in_review(
    kind: NoticeKind, status: NoticeStatus, recipients: tuple[str, ...], readers: set[str]
) -> None:
    facts = NoticeFacts("A1", kind, status, frozenset(recipients))
    for caller in NOTICE_CALLERS:
        expected = caller.user == "operator" or caller.agency in readers or caller.user in readers
        assert bool(may(caller, Action.READ, facts)) is expected, caller.actor


def test_the_secretariat_publishes_others_notices_and_the_issuer_moves_its_own() -> None:
    submitted = NoticeFacts("A1", NoticeKind.RED, NoticeStatus.SUBMITTED, frozenset())
    issuer = Identity.member("ana", "A1", "aa", Role.ANALYST)
    assert may(SECRETARIAT_REVIEWER, Action.PUBLISH, submitted).reason == "the secretariat reviews it"
    own = NoticeFacts("B2", NoticeKind.RED, NoticeStatus.SUBMITTED, frozenset())
    refused = may(SECRETARIAT_REVIEWER, Action.PUBLISH, own)
    assert not refused and "not of the issuing agency" in refused.reason
    assert not may(issuer, Action.PUBLISH, submitted) and may(issuer, Action.WITHDRAW, submitted)
    assert not may(Identity.member("aud", "A1", "aa", Role.AUDITOR), Action.SUBMIT, submitted)
    assert not may(Identity.operator(), Action.DRAFT, submitted)  # a notice is drafted for an agency
    assert may(Identity.operator(), Action.EXPIRE, submitted) and not may(issuer, Action.EXPIRE, submitted)


drawn_notices = st.lists(
    st.tuples(
        st.sampled_from(AGENCIES),
        st.sampled_from([NoticeKind.RED, NoticeKind.YELLOW, NoticeKind.DIFFUSION]),
        st.sampled_from(list(NoticeStatus)),
        st.lists(st.sampled_from(AGENCIES), max_size=2, unique=True),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=drawn_notices)
def test_notices_listed_and_read_are_exactly_what_may_allows(
    world: Engine, drawn: list[tuple[str, NoticeKind, NoticeStatus, list[str]]]
) -> None:
    with Session(world) as session, session.begin():
        session.execute(delete(NoticeRow))
        facts = {}
        for agency, kind, status, recipients in drawn:
            added = notice_store.add_notice(
                session,
                kind=kind,
                agency=agency,
                by="someone",
                title="t",
                summary="",
                subject={},
                recipients=recipients,
                expires_at=None,
                now=NOW,
            )
            notice_store.set_status(session, added.notice_id, status, NOW)
            facts[added.notice_id] = NoticeFacts(agency, kind, status, frozenset(recipients))
    with Session(world) as session:
        for caller in NOTICE_CALLERS:
            allowed = {key for key, fact in facts.items() if may(caller, Action.READ, fact)}
            listed, total = notice_store.list_notices(session, caller, None, 100, 0)
            assert {notice.notice_id for notice in listed} == allowed and total == len(allowed), caller.actor
            for key in facts:
                found = notice_store.get_notice(session, key, caller)
                assert (found is not None) is (key in allowed), (caller.actor, key)


drawn_alerts = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(AGENCIES), st.none()),
        st.tuples(st.none(), st.sampled_from([caller.user for caller in CALLERS[2:]])),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=drawn_alerts)
def test_alerts_listed_are_exactly_what_may_allows(
    world: Engine, drawn: list[tuple[str | None, str | None]]
) -> None:
    with Session(world) as session, session.begin():
        session.execute(delete(AlertRow))
        facts = {
            alert_store.add_alert(
                session, kind="test", subject="s", detail={}, now=NOW, agency=agency, user=user
            ): (AlertFacts(agency, user))
            for agency, user in drawn
        }
    with Session(world) as session:
        for caller in CALLERS:
            allowed = {key for key, fact in facts.items() if may(caller, Action.READ, fact)}
            assert {alert.alert_id for alert in alert_store.alerts_for(session, caller)} == allowed, (
                caller.actor
            )


@pytest.mark.parametrize("kind", sorted(HELD))
def test_what_a_border_agency_holds_is_read_by_that_agency_alone(kind: Kind) -> None:
    facts = HeldFacts(kind, "A1")
    assert [bool(may(caller, Action.READ, facts)) for caller in CALLERS] == [
        False,
        True,
        True,
        False,
        False,
        False,
    ]
    assert may(CALLERS[2], Action.READ, facts).reason == "A1 holds it"


@pytest.mark.parametrize("role", list(Role))
def test_a_border_agency_s_screening_roles_screen_for_it_and_its_officers_decide_on_its_referrals(
    role: Role,
) -> None:
    caller = Identity.member("m", "A1", "aa", role)
    screens, decides = (
        may(caller, Action.SCREEN, AgencyFacts("A1")),
        may(caller, Action.DECIDE, HeldFacts(Kind.REFERRAL, "A1")),
    )
    assert bool(screens) is (role in SCREENING) and bool(decides) is (role in ENTRY_DECIDING)
    assert not may(caller, Action.SCREEN, AgencyFacts("B1"))
    assert not may(caller, Action.DECIDE, HeldFacts(Kind.REFERRAL, "B1"))
    assert not may(caller, Action.DECIDE, HeldFacts(Kind.MANIFEST, "A1"))
    if not screens:
        assert screens.reason == f"the {role} role reads screenings but does not screen"
    if not decides:
        assert decides.reason == f"a {role} does not decide on entry; officers do"


@pytest.mark.parametrize(
    ("caller", "reads"),
    [
        (Identity.public(), False),
        # The operator sees every queue at its node but screens and decides for no agency.
        (Identity.operator(), True),
        (Identity.member("off", "B1", "aa", Role.OFFICER), False),
    ],
)
def test_no_one_screens_or_decides_for_another_agency(caller: Identity, reads: bool) -> None:
    screens = may(caller, Action.SCREEN, AgencyFacts("A1"))
    decides = may(caller, Action.DECIDE, HeldFacts(Kind.REFERRAL, "A1"))
    assert not screens and screens.reason == "only A1's users screen for it"
    assert not decides and decides.reason == "only A1's officers decide on its referrals"
    assert bool(may(caller, Action.READ, HeldFacts(Kind.REFERRAL, "A1"))) is reads


@pytest.mark.parametrize(
    "caller", [Identity.public(), *(Identity.member("m", "A1", "aa", role) for role in Role)]
)
def test_only_the_operator_registers_agencies_even_an_agency_s_own_admin_does_not(caller: Identity) -> None:
    refused = may(caller, Action.REGISTER, AgencyFacts("A1"))
    assert not refused and refused.reason == "only the operator registers agencies"
    assert may(Identity.operator(), Action.REGISTER, AgencyFacts("A1"))
    for kind, named in ((Kind.GROUP, "sharing groups"), (Kind.PEER, "peers")):
        refused = may(caller, Action.ADMINISTER, NodeFacts(kind))
        assert not refused and refused.reason == f"only the operator keeps this node's {named}"
        assert may(Identity.operator(), Action.ADMINISTER, NodeFacts(kind))


@pytest.mark.parametrize("kind", list(Kind))
def test_a_peer_node_receives_records_and_may_do_nothing_else_here(kind: Kind) -> None:
    peer = Identity.peer("madrid", "NCB-ES", "ES", frozenset({"iberia"}))
    for action in Action:
        granted = rule(peer, action, kind)
        assert bool(granted) is ((action, kind) == (Action.READ, Kind.RECORD)), (action, kind)
    red = RecordFacts.of(
        "NCB-FR", Handling.RED, ["agency:NCB-ES", "country:es", "group:iberia", "user:node:madrid"]
    )
    assert not may(peer, Action.READ, red)
    amber = RecordFacts.of("NCB-FR", Handling.AMBER, ["group:iberia"])
    assert may(peer, Action.READ, amber).reason == "AMBER, released to group:iberia"
    # An agency owns nothing at a node that does not host it.
    assert not may(peer, Action.READ, RecordFacts.of("NCB-ES", Handling.AMBER, []))


@pytest.mark.parametrize("action", list(Action))
def test_a_hit_reference_is_its_seeker_s_alone_not_even_the_operator_s(action: Action) -> None:
    seeker, colleague = (Identity.member(user, "A1", "aa", Role.ANALYST) for user in ("s", "c"))
    reference = OwnedFacts(Kind.HIT_REFERENCE, "s")
    assert bool(may(seeker, action, reference)) is (action in (Action.READ, Action.WRITE))
    for other in (colleague, Identity.operator(), Identity.public()):
        assert not may(other, action, reference), (other.actor, action)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(agencies=st.lists(st.sampled_from(AGENCIES), min_size=1, max_size=6))
def test_indicator_screenings_listed_and_read_are_exactly_what_may_allows(
    world: Engine, agencies: list[str]
) -> None:
    with Session(world) as session, session.begin():
        session.execute(delete(IndicatorScreeningRow))
        facts = {}
        for number, agency in enumerate(agencies):
            key = f"s{number}"
            screening_store.add_screening(
                session,
                IndicatorScreeningRow(
                    id=key,
                    form_token=f"token-{number:012d}",
                    agency=agency,
                    actor="someone",
                    setting="transport",
                    country="aa",
                    language="en",
                    observed=[],
                    advice="none",
                    reasons=[],
                    notes="",
                    created=NOW + dt.timedelta(minutes=number),
                ),
            )
            facts[key] = HeldFacts(Kind.INDICATOR_SCREENING, agency)
    with Session(world) as session:
        for caller in CALLERS:
            allowed = [key for key, fact in facts.items() if may(caller, Action.READ, fact)]
            listed = [row.id for row in screening_store.screenings_for(session, caller, 100)]
            assert listed == allowed[::-1], caller.actor
            for key in facts:
                found = screening_store.screening_row(session, key, caller)
                assert (found is not None) is (key in allowed), (caller.actor, key)


drawn_requests = st.lists(
    st.tuples(st.sampled_from(AGENCIES), st.sampled_from(CALLERS[2:])), min_size=1, max_size=6
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=drawn_requests)
def test_access_requests_listed_are_exactly_what_may_allows(
    world: Engine, drawn: list[tuple[str, Identity]]
) -> None:
    with Session(world) as session, session.begin():
        session.execute(delete(AccessRequestRow))
        session.execute(delete(HitReferenceRow))
        facts = {}
        for number, (owner, seeker) in enumerate(drawn):
            copy = hit_store.HiddenCopy(f"ds-{owner.lower()}", f"e{number}", owner)
            reference = hit_store.note_hit(session, copy, seeker, "match", 0.9, NOW)
            request = hit_store.save_request(session, reference, "a case", NOW)
            facts[request.request_id] = request.facts
    with Session(world) as session:
        for caller in CALLERS:
            allowed = {key for key, fact in facts.items() if may(caller, Action.READ, fact)}
            listed = {request.request_id for request in hit_store.list_requests(session, caller)}
            assert listed == allowed, caller.actor


def test_the_owner_s_deciding_roles_decide_on_a_record_and_its_access_requests() -> None:
    record = RecordFacts.of("A1", Handling.AMBER, ())
    request = AccessRequestFacts("A1", "u-b1")
    analyst = Identity.member("ana", "A1", "aa", Role.ANALYST)
    responder = Identity.member("fr", "A1", "aa", Role.FIRST_RESPONDER)
    assert may(analyst, Action.DECIDE, record).reason == "A1 owns it"
    assert may(analyst, Action.DECIDE, request).reason == "A1 owns the record"
    for facts in (record, request):
        refused = may(responder, Action.DECIDE, facts)
        assert not refused and refused.reason.startswith("a first_responder may not decide for A1")
        assert may(CALLERS[4], Action.DECIDE, facts).reason == "only A1 decides on its records"
    assert may(CALLERS[4], Action.READ, request).reason == "u-b1 asked"
    assert not may(CALLERS[5], Action.READ, request)


@pytest.mark.parametrize("handling", list(Handling))
def test_only_a_record_s_owner_agency_traces_who_read_it_and_which_record_a_request_is_for(
    handling: Handling,
) -> None:
    record = RecordFacts.of("A1", handling, ("agency:B1", "user:u-b1"))
    request = AccessRequestFacts("A1", "u-b1")
    auditor = Identity.member("aud", "A1", "aa", Role.AUDITOR)
    for caller in [*CALLERS, auditor]:
        traces = caller.user == "operator" or caller.agency == "A1"
        assert bool(may(caller, Action.TRACE, record)) is traces, caller.actor
        assert bool(may(caller, Action.TRACE, request)) is traces, caller.actor
    assert may(auditor, Action.TRACE, record).reason == "A1 owns it"
    assert (
        may(CALLERS[4], Action.TRACE, record).reason == "only the agency that holds a record sees who read it"
    )
    assert may(CALLERS[4], Action.READ, request) and not may(CALLERS[4], Action.TRACE, request)


@pytest.mark.parametrize(
    ("caller", "kind", "expected"),
    [
        (Identity.operator(), Kind.RECORD, True),
        (Identity.public(), Kind.RECORD, False),
        (Identity.member("adm", "A1", "aa", Role.ADMIN), Kind.RECORD, False),
        (Identity.member("node", "A2", "aa", Role.NODE_AUDITOR), Kind.AUDIT_EVENT, True),
        (Identity.member("aud", "A1", "aa", Role.AUDITOR), Kind.AUDIT_EVENT, False),
    ],
)
def test_only_a_grant_without_condition_reaches_every_resource_of_a_kind(
    caller: Identity, kind: Kind, expected: bool
) -> None:
    assert unconditional(caller, Action.READ, kind) is expected


def test_a_dataset_is_written_by_its_agency_but_not_by_its_auditors() -> None:
    dataset = DatasetFacts("A1")
    assert may(CALLERS[2], Action.WRITE, dataset) and not may(CALLERS[3], Action.WRITE, dataset)
    assert not may(Identity.member("aud", "A1", "aa", Role.AUDITOR), Action.WRITE, dataset)
    assert not may(Identity.public(), Action.WRITE, dataset) and may(
        Identity.operator(), Action.WRITE, dataset
    )


@pytest.mark.parametrize(
    "caller",
    [Identity.public(), Identity.operator(), *(Identity.member("m", "A1", "aa", role) for role in Role)],
)
def test_a_dataset_is_known_to_its_agency_s_people_auditors_too_and_the_operator(caller: Identity) -> None:
    knows = caller.user == "operator" or caller.agency == "A1"
    assert bool(may(caller, Action.READ, DatasetFacts("A1"))) is knows, caller.role
    assert not may(caller, Action.READ, DatasetFacts("A2")) or caller.user == "operator"


@pytest.mark.parametrize(
    "caller",
    [Identity.public(), Identity.operator(), *(Identity.member("m", "A1", "aa", role) for role in Role)],
)
def test_reference_data_is_read_by_anyone_and_replaced_by_the_operator_or_an_admin(caller: Identity) -> None:
    assert may(caller, Action.READ, ReferenceFacts())
    replaces = caller.user == "operator" or caller.role is Role.ADMIN
    assert bool(may(caller, Action.WRITE, ReferenceFacts())) is replaces, caller.role


@pytest.mark.parametrize(
    "caller",
    [Identity.public(), Identity.operator(), *(Identity.member("m", "A1", "aa", role) for role in Role)],
)
def test_match_pairs_are_decided_by_the_roles_that_decide_not_by_auditors_or_first_responders(
    caller: Identity,
) -> None:
    decides = caller.user == "operator" or caller.role in DECIDING
    decision = may(caller, Action.DECIDE, PairFacts())
    assert bool(decision) is decides, caller.role
    if caller.role in (Role.AUDITOR, Role.FIRST_RESPONDER):
        assert "does not confirm or dismiss" in decision.reason


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(owners=st.lists(st.sampled_from([caller.user for caller in CALLERS[2:]]), min_size=1, max_size=6))
def test_watches_listed_and_removed_are_exactly_what_may_allows(world: Engine, owners: list[str]) -> None:
    with Session(world) as session, session.begin():
        session.execute(delete(WatchRow))
        facts = {
            watch_store.add_watch(session, owner, "w", {}, 0.8, NOW).watch_id: OwnedFacts(Kind.WATCH, owner)
            for owner in owners
        }
    with Session(world) as session:
        for caller in CALLERS:
            allowed = {key for key, fact in facts.items() if may(caller, Action.READ, fact)}
            assert {watch.watch_id for watch in watch_store.list_watches(session, caller)} == allowed
    for caller, key in itertools.product(CALLERS, facts):
        with Session(world) as session, session.begin():
            removed = watch_store.remove_watch(session, key, caller)
            assert removed is bool(may(caller, Action.WRITE, facts[key])), (caller.actor, key)
            session.rollback()


members = st.builds(
    lambda agency, role, scopes: Identity.member("m", agency, "aa", role, scopes=frozenset(scopes)),
    st.sampled_from(AGENCIES),
    st.sampled_from(list(Role)),
    st.sets(st.sampled_from(["read", "write", "admin"])),
)


@given(actor=members, agency=st.sampled_from(AGENCIES), role=st.sampled_from(list(Role)))
def test_no_member_administers_beyond_their_own_agency_or_gives_a_role_only_the_operator_gives(
    actor: Identity, agency: str, role: Role
) -> None:
    decision = may(actor, Action.ADMINISTER, UserFacts(agency, role))
    holds = actor.role is Role.ADMIN and "admin" in actor.scopes and actor.agency == agency
    assert bool(decision) is (holds and role not in OPERATOR_APPOINTS), decision.reason
    assert bool(may(actor, Action.ADMINISTER, AgencyFacts(agency))) is holds
    assert may(Identity.operator(), Action.ADMINISTER, UserFacts(agency, role))


def test_an_administration_refusal_says_what_is_missing() -> None:
    admin = Identity.member("adm", "A1", "aa", Role.ADMIN)
    reader = Identity.member("adm", "A1", "aa", Role.ADMIN, scopes=frozenset({"read", "write"}))
    refused = may(admin, Action.ADMINISTER, UserFacts("A1", Role.AUDITOR))
    assert refused.reason == "only the operator appoints or administers the role auditor"
    assert "lacks the admin scope" in may(reader, Action.ADMINISTER, UserFacts("A1", Role.ANALYST)).reason
    assert (
        may(admin, Action.ADMINISTER, AgencyFacts("B1")).reason
        == "only the operator or an admin of B1 may do this"
    )


RED_FOR_B1 = ThreadFacts(frozenset({"A1", "B1"}), Handling.RED, "u-a1", frozenset({"u-b1"}))
AMBER_A1_B1 = ThreadFacts(frozenset({"A1", "B1"}), Handling.AMBER, "u-a1", frozenset())


@pytest.mark.parametrize(
    ("participants", "handling", "named", "readers"),
    [
        (("A1", "B1"), Handling.AMBER, (), {"A1", "B1"}),
        (("A1", "B1"), Handling.RED, ("u-b1",), {"u-a1", "u-b1"}),
        (("A1", "B1"), Handling.RED, ("u-b2",), {"u-a1"}),  # named, but B2 takes no part in it
        (("B1",), Handling.RED, ("u-b1",), {"u-b1"}),  # its creator's agency left it
        (("B1", "B2"), Handling.CLEAR, ("u-a1",), {"B1", "B2"}),
    ],
)
def test_a_thread_is_read_by_its_agencies_and_a_red_one_by_its_creator_and_named_users_alone(
    participants: tuple[str, ...], handling: Handling, named: tuple[str, ...], readers: set[str]
) -> None:
    facts = ThreadFacts(frozenset(participants), handling, "u-a1", frozenset(named))
    for caller in CALLERS:
        expected = caller.user == "operator" or caller.agency in readers or caller.user in readers
        assert bool(may(caller, Action.READ, facts)) is expected, caller.actor


@pytest.mark.parametrize(
    ("thread", "handling", "sender", "named", "readers"),
    [
        (AMBER_A1_B1, Handling.AMBER, "u-b1", (), {"A1", "B1"}),
        (AMBER_A1_B1, Handling.RED, "u-a1", ("u-b1",), {"u-a1", "u-b1"}),
        (AMBER_A1_B1, Handling.RED, "u-a1", ("u-b2",), {"u-a1"}),  # named, but outside the thread
        (RED_FOR_B1, Handling.GREEN, "u-b1", (), {"u-a1", "u-b1"}),  # the thread's code still holds
        (RED_FOR_B1, Handling.RED, "u-b1", (), {"u-b1"}),
    ],
)
def test_a_message_is_read_in_its_thread_and_a_red_one_by_its_sender_and_named_users_alone(
    thread: ThreadFacts, handling: Handling, sender: str, named: tuple[str, ...], readers: set[str]
) -> None:
    facts = MessageFacts.of(thread, handling, sender, named)
    for caller in CALLERS:
        expected = caller.user == "operator" or caller.agency in readers or caller.user in readers
        assert bool(may(caller, Action.READ, facts)) is expected, caller.actor


@pytest.mark.parametrize("thread", [AMBER_A1_B1, RED_FOR_B1])
def test_a_thread_is_written_in_by_its_readers_and_never_by_the_operator_or_the_public(
    thread: ThreadFacts,
) -> None:
    for caller in CALLERS:
        expected = caller.kind is IdentityKind.MEMBER and bool(may(caller, Action.READ, thread))
        assert bool(may(caller, Action.SEND, thread)) is expected, caller.actor
    for outsider in (Identity.operator(), Identity.public()):
        assert (
            may(outsider, Action.SEND, thread).reason
            == "messages are exchanged between member agencies' users"
        )


def test_a_thread_or_message_refusal_says_who_reads_it() -> None:
    u_a2, u_b1, u_b2 = CALLERS[3], CALLERS[4], CALLERS[5]
    other_b1 = Identity.member("v-b1", "B1", "aa", Role.ANALYST)
    assert may(u_b1, Action.READ, RED_FOR_B1).reason == "it is for u-b1"
    assert may(CALLERS[2], Action.READ, RED_FOR_B1).reason == "u-a1 started it"
    assert may(u_a2, Action.READ, RED_FOR_B1).reason == "A2 does not take part in this thread"
    assert may(other_b1, Action.READ, RED_FOR_B1).reason == (
        "a RED thread is read by its creator and the users it names alone"
    )
    assert may(Identity.public(), Action.READ, RED_FOR_B1).reason == (
        "messages are exchanged between member agencies' users"
    )
    shared = ThreadFacts(frozenset({"A1", "B1", "B2"}), Handling.AMBER, "u-a1", frozenset())
    red = MessageFacts.of(shared, Handling.RED, "u-a1", ["u-b1"])
    assert may(u_b1, Action.READ, red).reason == "sent to u-b1, in a thread where B1 takes part in it"
    assert (
        may(u_b2, Action.READ, red).reason
        == "a RED message is read by its sender and the users it names alone"
    )
    in_red = MessageFacts.of(RED_FOR_B1, Handling.RED, "u-b1", ["u-a1"])
    assert may(other_b1, Action.READ, in_red).reason == (
        "a RED thread is read by its creator and the users it names alone"
    )
    assert not may(u_b1, Action.WRITE, RED_FOR_B1) and not may(u_b1, Action.DECIDE, red)


NAMES = ("u-a1", "u-a2", "u-b1", "u-b2", "u-b12")  # u-b12 is no caller; its name holds u-b1's
drawn_threads = st.lists(
    st.tuples(
        st.sampled_from(CALLERS[2:]),
        st.lists(st.sampled_from(AGENCIES), min_size=1, max_size=3, unique=True),
        st.sampled_from(list(Handling)),
        st.lists(st.sampled_from(NAMES), min_size=1, max_size=2, unique=True),
        st.lists(
            st.tuples(
                st.sampled_from(CALLERS[2:]),
                st.sampled_from(list(Handling)),
                st.lists(st.sampled_from(NAMES), max_size=2, unique=True),
            ),
            max_size=4,
        ),
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=drawn_threads)
def test_threads_and_messages_listed_counted_and_read_are_exactly_what_may_allows(
    world: Engine,
    drawn: list[tuple[Identity, list[str], Handling, list[str], list[tuple[Identity, Handling, list[str]]]]],
) -> None:
    with Session(world) as session, session.begin():
        for table in (ReceiptRow, MessageRow, ThreadParticipantRow, ThreadRow):
            session.execute(delete(table))
        threads: dict[str, ThreadFacts] = {}
        posts: dict[str, tuple[str, MessageFacts]] = {}
        for creator, participants, handling, named, messages in drawn:
            named = named if handling is Handling.RED else []  # only a RED thread names its users
            key = message_store.add_thread(
                session, "s", str(creator.user), participants, NOW, handling=handling.value, to_users=named
            )
            threads[key] = ThreadFacts(frozenset(participants), handling, str(creator.user), frozenset(named))
            for sender, code, to_users in messages:
                post = message_store.add_message(
                    session,
                    key,
                    sender,
                    priority="routine",
                    handling=code.value,
                    to_users=to_users,
                    body="b",
                    entity_refs=(),
                    reply_to=None,
                    now=NOW,
                )
                posts[post.message_id] = (
                    key,
                    MessageFacts.of(threads[key], code, str(sender.user), to_users),
                )
    with Session(world) as session:
        for caller in CALLERS:
            allowed = {key for key, fact in threads.items() if may(caller, Action.READ, fact)}
            readable = {key for key, (_, fact) in posts.items() if may(caller, Action.READ, fact)}
            listed, total = message_store.threads_for(session, caller, 100, 0)
            assert {thread.thread_id for thread in listed} == allowed and total == len(allowed), caller.actor
            for thread in listed:  # unread: the messages they read that they did not send
                unread = {key for key in readable if posts[key][0] == thread.thread_id}
                unread -= {key for key in unread if posts[key][1].sender == caller.actor}
                assert thread.unread == len(unread), (caller.actor, thread.thread_id)
            for key in threads:
                assert (message_store.thread_of(session, key, caller) is not None) is (key in allowed)
                shown = {
                    message.message_id for message in message_store.visible_messages(session, key, caller)
                }
                assert shown == {post for post in readable if posts[post][0] == key}, (caller.actor, key)
            for post, (key, _) in posts.items():
                found = message_store.message_in(session, key, post, caller)
                assert (found is not None) is (post in readable), (caller.actor, post)


AUDITORS = [
    Identity.public(),
    Identity.operator(),
    Identity.member("aud-a1", "A1", "aa", Role.AUDITOR),
    Identity.member("aud-b1", "B1", "aa", Role.AUDITOR),
    Identity.member("node", "A2", "aa", Role.NODE_AUDITOR),
    Identity.member("adm-a1", "A1", "aa", Role.ADMIN),
]


@pytest.mark.parametrize(
    ("agency", "readers"),
    [
        ("A1", {"operator", "aud-a1", "node"}),
        ("B1", {"operator", "aud-b1", "node"}),
        (None, {"operator", "node"}),
    ],
)
def test_an_audit_event_is_read_by_its_agency_s_auditors_node_auditors_and_the_operator(
    agency: str | None, readers: set[str]
) -> None:
    for caller in AUDITORS:
        assert bool(may(caller, Action.READ, AuditEventFacts(agency))) is (caller.actor in readers), (
            caller.actor
        )


def test_an_audit_refusal_says_who_reads_the_trail() -> None:
    assert may(AUDITORS[2], Action.READ, AuditEventFacts("A1")).reason == "done by A1's people"
    assert (
        may(AUDITORS[4], Action.READ, AuditEventFacts("B1")).reason == "a node auditor reads the whole trail"
    )
    assert may(AUDITORS[2], Action.READ, AuditEventFacts("B1")).reason == (
        "an auditor of A1 reads only the events of its people"
    )
    for caller in (AUDITORS[0], AUDITORS[5], CALLERS[2]):
        assert may(caller, Action.READ, AuditEventFacts(caller.agency)).reason == (
            "only auditors may read the audit trail"
        )
    with pytest.raises(Forbidden, match="only auditors may read the audit trail"):
        require_auditor(AUDITORS[5])
    require_auditor(AUDITORS[3])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=st.lists(st.sampled_from([*AGENCIES, None]), min_size=1, max_size=8))
def test_audit_events_listed_and_exported_are_exactly_what_may_allows(
    engine: Engine, drawn: list[str | None]
) -> None:
    # The trail is never cut: each example holds only its own events to the rule.
    with Session(engine) as session, session.begin():
        first = store.audit_head(session)[0] + 1
        facts = {
            store.append_event(session, AuditEvent(NOW, "someone", agency, "read", "entity:e")).seq: (
                AuditEventFacts(agency)
            )
            for agency in drawn
        }
    with Session(engine) as session:
        for caller in AUDITORS:
            allowed = [seq for seq, fact in facts.items() if may(caller, Action.READ, fact)]
            exported = [chained.seq for chained in store.events_for(session, caller) if chained.seq >= first]
            assert exported == allowed, caller.actor
            latest = [chained.seq for chained in store.latest_events(session, caller, 10_000)]
            assert [seq for seq in latest if seq >= first] == allowed[::-1], caller.actor
