"""What is listed and read of the kinds that had only tables of cases is exactly what `may` allows.

Strategy: the pattern of tests/access/test_decision.py. hypothesis draws small worlds of one
kind, stores them on each backend (tables reset per example), and checks for the public, the
operator and members of several agencies and roles that the service each face calls lists,
counts and reads exactly what `may` allows on the drawn facts, and that a move the rule governs
(deciding on a referral or a match pair, moving a takedown on, removing a webhook) succeeds
exactly where `may` lets it. Field results: every participant lists and counts every result,
a RED one's details only where `may` reads them. Datasets: listed and known as `may` knows
them or through a record one reads, with the records one reads counted.
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
from liaison.access.decision import (
    Action,
    DatasetFacts,
    HeldFacts,
    Kind,
    OperationFacts,
    OwnedFacts,
    PairFacts,
    RecordFacts,
    ResultFacts,
    TakedownFacts,
    may,
    rule,
    unconditional,
)
from liaison.errors import Conflict, Forbidden, NotFound
from liaison.model import Envelope, Handling, Identity, IdentityKind, Role
from liaison.model.operation import VICTIM_KINDS, CrimeArea, OperationPlan, ResultKind, Seizure
from liaison.services.cyber import taxii
from liaison.services.messaging import webhooks
from liaison.services.operations import operation_report, operations, takedowns
from liaison.services.screening import entry_decisions, manifests, xref
from liaison.store import border as border_store
from liaison.store import entry_decisions as decision_store
from liaison.store import operations as operation_store
from liaison.store import watches as watch_store
from liaison.store.tables import (
    AlertRow,
    DatasetRow,
    EntityRow,
    FieldResultRow,
    GroupMemberRow,
    ImportRow,
    ManifestRow,
    MatchPairRow,
    OperationRow,
    ReferralRow,
    SubjectDecisionRow,
    TakedownRow,
    TaxiiStatusRow,
    WebhookRow,
)
from tests.access import test_decision, test_policy
from tests.access.test_decision import AGENCIES, CALLERS, NOW

agency_world = test_decision.world
"""test_decision's world: its agencies, each with a coordinator; a fixture under this name."""
record_world = test_policy.world
"""test_policy's world: agencies in two countries, a dataset and an analyst each, two groups."""

PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
MEMBERS = {str(caller.agency): caller for caller in CALLERS[2:]}
"""The coordinator of each agency of the world: they file and add for their agency."""
ROLES = [  # who reads but files nothing, screens but decides nothing, decides on entry, audits
    Identity.member("rev-a1", "A1", "aa", Role.REVIEWER),
    Identity.member("ana-b1", "B1", "aa", Role.ANALYST),
    Identity.member("off-a2", "A2", "aa", Role.OFFICER),
    Identity.member("aud-b2", "B2", "aa", Role.AUDITOR),
]
REFUSED = (Forbidden, NotFound)


def _reset(engine: Engine, *tables: type) -> None:
    with Session(engine) as session, session.begin():
        for table in tables:
            session.execute(delete(table))


def _plan(number: int, participants: list[str]) -> OperationPlan:
    return OperationPlan(
        f"Operation {number}", CrimeArea.TRAFFICKING, NOW.date(), NOW.date(), tuple(participants), ("fr",)
    )


drawn_results = st.lists(
    st.tuples(
        st.sampled_from(AGENCIES),
        st.lists(st.sampled_from(AGENCIES), min_size=1, max_size=3, unique=True),
        # Which of the operation's agencies files (by position), what and how many.
        st.lists(
            st.tuples(st.integers(0, 3), st.sampled_from(list(ResultKind)), st.integers(0, 5)), max_size=5
        ),
    ),
    min_size=1,
    max_size=2,
)


@PROPERTY
@given(drawn=drawn_results)
def test_field_results_listed_counted_and_their_details_shown_are_exactly_what_may_allows(
    agency_world: Engine,
    drawn: list[tuple[str, list[str], list[tuple[int, ResultKind, int]]]],
) -> None:
    """Every reader of an operation lists and counts all its results, victims' included; a
    result's details (note, seizure, entities) are shown, in the API's view and the report, only
    where `may` reads them, and a victim's result is RED."""
    _reset(agency_world, TakedownRow, FieldResultRow, OperationRow)
    with Session(agency_world) as session, session.begin():
        plans = {}
        for number, (coordinator, participants, _results) in enumerate(drawn):
            stored = operation_store.add_operation(
                session, _plan(number, participants), coordinator, "s", NOW
            )
            plans[stored.operation_id] = OperationFacts(coordinator, frozenset(participants))
    results: dict[str, dict[int, ResultFacts]] = {key: {} for key in plans}
    notes: dict[int, str] = {}
    totals: dict[str, dict[str, int]] = {key: {} for key in plans}
    for (key, facts), (_, _, filed) in zip(plans.items(), drawn, strict=True):
        agencies = sorted(facts.agencies | {facts.agency})
        for position, kind, count in filed:
            filer = MEMBERS[agencies[position % len(agencies)]]
            note = f"note {len(notes)}"
            seizure = Seizure("heroin", 1.0, "kg") if kind is ResultKind.SEIZURE else None
            result = operations.file_result(
                agency_world,
                filer,
                key,
                kind=kind.value,
                count=count,
                country="fr",
                day=NOW.date(),
                seizure=seizure,
                note=note,
                now=NOW,
            )
            assert (Handling(result.handling) is Handling.RED) is (kind in VICTIM_KINDS)
            results[key][result.result_id] = ResultFacts(result.agency, Handling(result.handling))
            notes[result.result_id] = note
            totals[key][kind.value] = totals[key].get(kind.value, 0) + count
    for caller, (key, facts) in itertools.product([*CALLERS, *ROLES], plans.items()):
        if not may(caller, Action.READ, facts):
            for read in (operations.tally, operations.last_result):
                with pytest.raises(NotFound):
                    read(agency_world, caller, key)
            continue
        _operation, listed = operations.results(agency_world, caller, key, NOW)
        assert [result.result_id for result in listed] == sorted(results[key]), (caller.actor, key)
        shown = {number for number, fact in results[key].items() if may(caller, Action.READ, fact)}
        for result in listed:
            view = operations.view_result(result, caller)
            assert view["withheld"] is (result.result_id not in shown), (caller.actor, result.result_id)
            assert view["note"] == (notes[result.result_id] if result.result_id in shown else "")
            assert (view["seizure"] is not None) is (
                result.report.seizure is not None and result.result_id in shown
            )
        assert operations.tally(agency_world, caller, key)[1].totals == totals[key], (caller.actor, key)
        report = operation_report.build(agency_world, caller, key, NOW)
        assert report.total_results == len(results[key])
        assert report.withheld == set(results[key]) - shown, (caller.actor, key)


BORDER_CALLERS = [*CALLERS, *ROLES, Identity.member("off-a1", "A1", "aa", Role.OFFICER)]
DOCUMENT_HIT = {
    "type": "document",
    "listing": "document:aa:X1",
    "country": "aa",
    "number": "X1",
    "status": "stolen",
    "reported_by": "A2",
    "reported_at": NOW.isoformat(),
}
"""A referral's one hit: a reported document, which a decision names without reading any record."""
drawn_held = st.lists(
    st.tuples(
        st.sampled_from([Kind.MANIFEST, Kind.REFERRAL, Kind.ENTRY_DECISION]), st.sampled_from(AGENCIES)
    ),
    min_size=1,
    max_size=8,
)


def _store_held(session: Session, number: int, kind: Kind, agency: str) -> str:
    """Store one manifest, referral or decision of `agency`; its id."""
    when = NOW + dt.timedelta(minutes=number)
    if kind is Kind.MANIFEST:
        manifest = border_store.StoredManifest(
            f"mf{number}", agency, "someone", None, "csv", "test", "XY1", "AAA", "BBB", None, {}, [], when
        )
        border_store.add_manifest(session, manifest, [])
        return manifest.manifest_id
    if kind is Kind.REFERRAL:
        return str(
            border_store.add_referral(
                session,
                agency=agency,
                manifest=None,
                position=None,
                reason="hit",
                subject={"schema": "Person", "properties": {"name": ["P"]}},
                subject_key=f"k{number}",
                hits=[DOCUMENT_HIT],
                now=when,
            )
        )
    made = decision_store.add_decision(
        session,
        decision_store.Decision(
            decision_id="",
            agency=agency,
            subject_key=f"k{number}",
            subject_hash="h",
            subject={},
            listing="listing",
            listing_hash="",
            decision="clear",
            status=decision_store.FINAL,
            reason="r",
            legal_basis="b",
            evidence={},
            referral=None,
            decided_by="someone",
            decided_at=when,
            confirmed_by=None,
            confirmed_at=None,
        ),
    )
    return made.decision_id


@PROPERTY
@given(drawn=drawn_held)
def test_manifests_referrals_and_entry_decisions_listed_read_and_decided_are_exactly_what_may_allows(
    agency_world: Engine,
    drawn: list[tuple[Kind, str]],
) -> None:
    _reset(agency_world, SubjectDecisionRow, ReferralRow, ManifestRow, AlertRow)
    with Session(agency_world) as session, session.begin():
        held = {
            (kind, _store_held(session, number, kind, agency)): HeldFacts(kind, agency)
            for number, (kind, agency) in enumerate(drawn)
        }
    for caller in BORDER_CALLERS:
        allowed = {key for key, fact in held.items() if may(caller, Action.READ, fact)}

        def ids(kind: Kind, allowed: set[tuple[Kind, str]] = allowed) -> set[str]:
            return {key for held_kind, key in allowed if held_kind is kind}

        if caller.kind is IdentityKind.PUBLIC:  # refused outright
            assert not allowed
            with pytest.raises(REFUSED):
                manifests.list_manifests(agency_world, caller)
            with pytest.raises(REFUSED):
                entry_decisions.list_referrals(agency_world, caller, None)
            with pytest.raises(REFUSED):
                entry_decisions.list_decisions(agency_world, caller, now=NOW)
            continue
        listed = {found.manifest_id for found in manifests.list_manifests(agency_world, caller)}
        assert listed == ids(Kind.MANIFEST), caller.actor
        referrals, total = entry_decisions.list_referrals(agency_world, caller, None)
        assert {str(found.referral_id) for found in referrals} == ids(Kind.REFERRAL), caller.actor
        assert total == len(ids(Kind.REFERRAL))
        decisions, total = entry_decisions.list_decisions(agency_world, caller, now=NOW)
        assert {found.decision_id for found in decisions} == ids(Kind.ENTRY_DECISION), caller.actor
        assert total == len(ids(Kind.ENTRY_DECISION))
        with Session(agency_world) as session:
            for kind, key in held:
                if kind is Kind.MANIFEST:
                    found: object = border_store.get_manifest(session, key, caller)
                elif kind is Kind.REFERRAL:
                    found = border_store.get_referral(session, int(key), caller)
                else:
                    found = decision_store.get_decision(session, key, caller)
                assert (found is not None) is ((kind, key) in allowed), (caller.actor, kind, key)
    for caller, ((kind, key), fact) in itertools.product(BORDER_CALLERS, held.items()):
        if kind is not Kind.REFERRAL:
            continue
        # A decision is made for the decider's agency (`member_agency`), so the operator, whom
        # `may` grants every action, makes none.
        decides = bool(may(caller, Action.DECIDE, fact)) and caller.user != "operator"
        try:  # a deny waits for a second officer, so the referral stays open for the next caller
            entry_decisions.decide(
                agency_world, caller, int(key), DOCUMENT_HIT["listing"], "deny", "why", NOW
            )
        except REFUSED:
            assert not decides, (caller.actor, key)
        else:
            assert decides, (caller.actor, key)


@PROPERTY
@given(owners=st.lists(st.sampled_from([caller.user for caller in CALLERS[2:]]), min_size=1, max_size=6))
def test_webhooks_listed_and_removed_are_exactly_what_may_allows(
    agency_world: Engine, owners: list[str]
) -> None:
    _reset(agency_world, WebhookRow)
    with Session(agency_world) as session, session.begin():
        facts = {}
        for number, owner in enumerate(owners):
            hook = watch_store.add_webhook(session, f"wh{number}", owner, "https://hooks.example/", "s", NOW)
            facts[hook.webhook_id] = OwnedFacts(Kind.WEBHOOK, owner)
    for caller in [*CALLERS, *ROLES]:
        allowed = {key for key, fact in facts.items() if may(caller, Action.READ, fact)}
        if not rule(caller, Action.READ, Kind.WEBHOOK):
            assert not allowed
            with pytest.raises(Forbidden):
                webhooks.list_webhooks(agency_world, caller)
            continue
        assert {hook.webhook_id for hook in webhooks.list_webhooks(agency_world, caller)} == allowed, (
            caller.actor
        )
    for caller, key in itertools.product([*CALLERS, *ROLES], facts):
        with Session(agency_world) as session, session.begin():
            removed = watch_store.remove_webhook(session, key, caller)
            assert removed is bool(may(caller, Action.WRITE, facts[key])), (caller.actor, key)
            session.rollback()


@PROPERTY
@given(agencies=st.lists(st.sampled_from([*AGENCIES, ""]), min_size=1, max_size=6))
def test_taxii_statuses_read_are_exactly_what_may_allows(agency_world: Engine, agencies: list[str]) -> None:
    """A TAXII post's status is its agency's ("": the operator's, which is no agency's)."""
    _reset(agency_world, TaxiiStatusRow)
    with Session(agency_world) as session, session.begin():
        for number, agency in enumerate(agencies):
            document = f'{{"id": "st{number}", "status": "complete"}}'
            session.add(TaxiiStatusRow(id=f"st{number}", agency=agency, created_at=NOW, document=document))
    for caller, (number, agency) in itertools.product([*CALLERS, *ROLES], enumerate(agencies)):
        try:
            taxii.status(agency_world, caller, f"st{number}")
        except NotFound:
            assert not may(caller, Action.READ, HeldFacts(Kind.TAXII_STATUS, agency)), (caller.actor, number)
        else:
            assert may(caller, Action.READ, HeldFacts(Kind.TAXII_STATUS, agency)), (caller.actor, number)


drawn_takedowns = st.lists(
    st.tuples(
        st.sampled_from(AGENCIES),
        st.lists(st.sampled_from(AGENCIES), min_size=1, max_size=3, unique=True),
        st.lists(st.integers(0, 3), max_size=3),  # which of the operation's agencies adds each target
    ),
    min_size=1,
    max_size=2,
)


@PROPERTY
@given(drawn=drawn_takedowns)
def test_takedowns_listed_and_moved_on_are_exactly_what_may_allows(
    agency_world: Engine,
    drawn: list[tuple[str, list[str], list[int]]],
) -> None:
    """An operation's targets are listed to its readers and added by whom `may` lets file in it;
    one is moved on by those of them `may` lets write the takedown (the agency that added it, or
    the coordinating one)."""
    _reset(agency_world, TakedownRow, FieldResultRow, OperationRow)
    with Session(agency_world) as session, session.begin():
        plans = {}
        for number, (coordinator, participants, _adders) in enumerate(drawn):
            stored = operation_store.add_operation(
                session, _plan(number, participants), coordinator, "s", NOW
            )
            plans[stored.operation_id] = OperationFacts(coordinator, frozenset(participants))
    targets: dict[str, dict[int, TakedownFacts]] = {key: {} for key in plans}
    for (key, facts), (_, _, adders) in zip(plans.items(), drawn, strict=True):
        agencies = sorted(facts.agencies | {facts.agency})
        for position in adders:
            adder = MEMBERS[agencies[position % len(agencies)]]
            made = takedowns.add(
                agency_world,
                adder,
                key,
                kind="domain",
                value=f"t{sum(map(len, targets.values()))}.example",
                country="fr",
                provider="host",
                day=NOW.date(),
                now=NOW,
            )
            targets[key][made.takedown_id] = TakedownFacts(made.agency, facts.agency)
    callers = [*CALLERS, *ROLES]
    for caller, (key, facts) in itertools.product(callers, plans.items()):
        if not may(caller, Action.READ, facts):
            with pytest.raises(NotFound):
                takedowns.listing(agency_world, caller, key, NOW)
            continue
        _operation, found, shares = takedowns.listing(agency_world, caller, key, NOW)
        assert {target.takedown_id for target in found} == set(targets[key]), (caller.actor, key)
        assert sum(share.targets for share in shares) == len(targets[key])
    key, facts = next(iter(plans.items()))  # one operation suffices to see who adds: CI time counts
    for number, caller in enumerate(callers):
        try:
            made = takedowns.add(
                agency_world,
                caller,
                key,
                kind="ip",
                value=f"192.0.2.{number}",
                country="fr",
                provider="host",
                day=NOW.date(),
                now=NOW,
            )
        except REFUSED:
            assert not may(caller, Action.FILE, facts), (caller.actor, key)
        else:
            assert may(caller, Action.FILE, facts) and made.agency == (caller.agency or facts.agency)
    for key, facts in plans.items():
        for number, target in targets[key].items():
            moved = False
            for caller in callers:
                moves = bool(may(caller, Action.FILE, facts) and may(caller, Action.WRITE, target))
                try:
                    takedowns.advance(
                        agency_world,
                        caller,
                        number,
                        stage="notified",
                        day=NOW.date(),
                        notified_to="host",
                        now=NOW,
                    )
                except REFUSED:
                    assert not moves, (caller.actor, number)
                except Conflict:  # moved on already by an earlier caller: past the access check
                    assert moves and moved, (caller.actor, number)
                else:
                    assert moves and not moved, (caller.actor, number)
                    moved = True


def _facts(envelope: Envelope) -> RecordFacts:
    return RecordFacts.of(envelope.owner_agency, envelope.handling, envelope.releasability)


PAIR_ROLES = [Role.ANALYST, Role.FIRST_RESPONDER, Role.AUDITOR, Role.REVIEWER]
drawn_pairs = st.lists(st.tuples(st.integers(0, 13), st.integers(0, 13)), min_size=1, max_size=6, unique=True)


def _members(session: Session, roles: list[Role]) -> list[Identity]:
    """The users of test_policy's world, one per agency in these roles, with their agencies' groups."""
    countries = dict(test_policy.AGENCIES)
    return [
        Identity.member(name, code, countries[code], role, store.groups_of_agency(session, code))
        for (name, code), role in zip(test_policy.USERS, roles, strict=True)
    ]


@PROPERTY
@given(
    drawn=test_policy.records,
    groups=test_policy.memberships,
    ends=drawn_pairs,
    roles=st.permutations(PAIR_ROLES),
)
def test_match_pairs_queued_and_decided_are_exactly_what_may_allows(
    record_world: Engine,
    drawn: list[tuple[str, Handling, list[str]]],
    groups: list[tuple[str, str]],
    ends: list[tuple[int, int]],
    roles: list[Role],
) -> None:
    """A pair is queued for whom `may` lets read both its records (the operator: every pair, a
    deleted record's too); it is dismissed by those of them `may` lets decide on pairs."""
    _reset(record_world, MatchPairRow, EntityRow, ImportRow, GroupMemberRow)
    names = [f"Person {number}" for number in range(len(drawn))]
    envelopes = test_policy.store_drawn(record_world, drawn, groups, names)

    def end(number: int) -> tuple[str, str]:
        stored = f"e{number % len(drawn)}"
        if number < len(drawn):
            return envelopes[stored].dataset, stored
        # Past the drawn records: a copy deleted since from another dataset, the id still held.
        return "ds-a1" if envelopes[stored].dataset != "ds-a1" else "ds-b2", stored

    pairs = {f"p{number}": (end(left), end(right)) for number, (left, right) in enumerate(ends)}
    with Session(record_world) as session, session.begin():
        found = [
            store.FoundPair(key, left[0], left[1], right[0], right[1], 0.9, {}, "f")
            for key, (left, right) in pairs.items()
        ]
        store.save_found_pairs(session, found, frozenset(f"ds-{code.lower()}" for code in AGENCIES), NOW)
        callers = [Identity.public(), Identity.operator(), *_members(session, roles)]

    def reads(caller: Identity, copy: tuple[str, str]) -> bool:
        envelope = envelopes[copy[1]]
        if envelope.dataset != copy[0]:  # only a grant without condition reaches what is no longer stored
            return unconditional(caller, Action.READ, Kind.RECORD)
        return bool(may(caller, Action.READ, _facts(envelope)))

    for caller in callers:
        queued = {key for key, (left, right) in pairs.items() if reads(caller, left) and reads(caller, right)}
        listed = {pair.pair_id for pair in xref.review(record_world, None, identity=caller)}
        assert listed == queued, caller.actor
        decides = bool(may(caller, Action.DECIDE, PairFacts()))
        for key in pairs:
            try:  # dismissing never conflicts while nothing is confirmed
                xref.dismiss(record_world, key, caller.actor, NOW, actor=caller)
            except REFUSED:
                assert not (decides and key in queued), (caller.actor, key)
            else:
                assert decides and key in queued, (caller.actor, key)


@PROPERTY
@given(
    drawn=test_policy.records,
    extra=st.lists(st.sampled_from(AGENCIES), max_size=3),
    roles=st.lists(st.sampled_from(list(Role)), min_size=4, max_size=4),
)
def test_datasets_listed_counted_and_known_are_exactly_what_may_allows(
    record_world: Engine,
    drawn: list[tuple[str, Handling, list[str]]],
    extra: list[str],
    roles: list[Role],
) -> None:
    """Beside test_policy's property: datasets with no record at all (an agency may hold several),
    callers of every role, and each listed dataset counts the records the caller reads in it."""
    _reset(record_world, EntityRow, ImportRow, GroupMemberRow)
    with Session(record_world) as session, session.begin():
        session.execute(delete(DatasetRow).where(DatasetRow.name.like("extra%")))
        owners = {f"ds-{code.lower()}": code for code in AGENCIES}
        for number, owner in enumerate(extra):
            store.claim_dataset(session, f"extra{number}", "t", owner, NOW)
            owners[f"extra{number}"] = owner
    envelopes = test_policy.store_drawn(
        record_world, drawn, [], [f"Person {number}" for number in range(len(drawn))]
    )
    with Session(record_world) as session:
        callers = [Identity.public(), Identity.operator(), *_members(session, roles)]
        for caller in callers:
            counts: dict[str, int] = {}
            for envelope in envelopes.values():
                if may(caller, Action.READ, _facts(envelope)):
                    counts[envelope.dataset] = counts.get(envelope.dataset, 0) + 1
            known = {name for name, owner in owners.items() if may(caller, Action.READ, DatasetFacts(owner))}
            expected = {name: counts.get(name, 0) for name in known | set(counts)}
            listed = {summary.name: summary.entities for summary in store.list_datasets(session, caller)}
            assert listed == expected, caller.actor
            assert store.known_datasets(session, caller, [*owners, "ds-none"]) == set(expected), caller.actor
