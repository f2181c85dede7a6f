"""Every read path, held to the handling policy on random worlds, on both backends.

Strategy: the worlds of test_policy (four agencies in two countries, sharing groups, one user
each, records under all five codes with random releasability), each record a distinct person.
For every caller, the match, search, fetch and correlation services (every record carries one
shared e-mail address), the per-dataset pages, single reads and the store's readable/hidden
splits must return a record exactly when the policy allows;
a record the caller may not read may only come back as a hit/no-hit reference (members only)
that holds nothing of it; and owners always see their own.
"""

from __future__ import annotations

import datetime as dt

import orjson
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from liaison import store
from liaison.errors import NotFound
from liaison.model import Handling, Identity, IdentityKind, Role
from liaison.model.observables import Kind, Observable
from liaison.services.cyber import correlation
from liaison.services.screening.matching_service import MatchingService, Scope
from liaison.services.sharing import records
from liaison.store import hits as hit_store
from liaison.store.tables import (
    AlertRow,
    EntityRow,
    GroupMemberRow,
    HitReferenceRow,
    ImportRow,
    ObservableRow,
)
from tests.access.test_policy import AGENCIES, USERS, may_read, memberships, store_drawn, world  # noqa: F401 (fixture)
from tests.access.test_policy import records as drawn_records

NAMES = [
    "Anatoly Brezhnev",
    "Carmen Villalobos",
    "Tomasz Wierzbicki",
    "Ngozi Okonkwo",
    "Haruto Yamashita",
    "Ingrid Solberg",
    "Rashid Al-Mansouri",
    "Beatriz Cardoso",
    "Dmitri Kovalenko",
    "Aoife Gallagher",
    "Kwame Asante",
    "Liesel Vogelsang",
]


SHARED = "drop@case.example"


def _reset(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        for table in (AlertRow, HitReferenceRow, EntityRow, ObservableRow, ImportRow, GroupMemberRow):
            session.execute(delete(table))


def _callers(engine: Engine) -> list[Identity]:
    with Session(engine) as session:
        members = [
            Identity.member(
                name, code, dict(AGENCIES)[code], Role.ANALYST, store.groups_of_agency(session, code)
            )
            for name, code in USERS
        ]
    return [Identity.public(), Identity.operator(), *members]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=drawn_records, groups=memberships)
def test_no_read_path_gives_anyone_more_than_the_policy_allows(
    world: Engine,  # noqa: F811 - the fixture imported above
    drawn: list[tuple[str, Handling, list[str]]],
    groups: list[tuple[str, str]],
) -> None:
    _reset(world)
    envelopes = store_drawn(world, drawn, groups, NAMES, email=SHARED)
    service = MatchingService(world, candidates=25)
    service.refresh()
    now = dt.datetime.now(dt.UTC)
    queries = {
        entity_id: {"schema": "Person", "properties": {"name": [NAMES[int(entity_id[1:])]]}}
        for entity_id in envelopes
    }
    for caller in _callers(world):
        allowed = {
            entity_id
            for entity_id, e in envelopes.items()
            if may_read(caller, e.owner_agency, e.handling, e.releasability)
        }
        hidden = set(envelopes) - allowed
        owned = {entity_id for entity_id, e in envelopes.items() if e.owner_agency == caller.agency}
        assert owned <= allowed, "an owner always sees its own"

        answers = service.match(
            queries, scope=Scope(), threshold=0.7, cutoff=0.5, limit=20, identity=caller, now=now
        )
        for answer in answers:
            returned = {str(result.found.proxy.id) for result in answer.results}
            assert returned <= allowed, (caller.actor, answer.key)
            assert (answer.key in returned) is (answer.key in allowed)
            shown = orjson.dumps([reference.to_dict() for reference in answer.references]).decode()
            assert not any(NAMES[int(e[1:])] in shown or f'"{e}"' in shown for e in envelopes)
            if caller.kind is not IdentityKind.MEMBER:
                assert answer.references == ()
            elif answer.key in hidden:
                assert [r.owner_agency for r in answer.references] == [envelopes[answer.key].owner_agency]
        for entity_id in envelopes:
            page = service.search(
                NAMES[int(entity_id[1:])],
                scope=Scope(),
                schema="Person",
                limit=20,
                offset=0,
                identity=caller,
                now=now,
                purpose="test",
                threshold=0.7,
            )
            assert {str(hit.found.proxy.id) for hit in page.results} <= allowed
            try:
                fetched = service.fetch(entity_id, caller, now)
                assert entity_id in allowed and fetched.proxy.id == entity_id
            except NotFound:
                assert entity_id not in allowed
            envelope = envelopes[entity_id]
            try:
                records.read(world, caller, envelope.dataset, entity_id, now)
                assert entity_id in allowed
            except NotFound:
                assert entity_id not in allowed
        (shared,) = correlation.correlate(
            world, caller, [Observable(Kind.EMAIL, SHARED)], purpose="test", now=now
        )
        assert {str(held.entity.proxy.id) for held in shared.records} == allowed
        referenced = sorted(reference.owner_agency for reference in shared.references)
        expected = hidden if caller.kind is IdentityKind.MEMBER else set()
        assert referenced == sorted(envelopes[entity_id].owner_agency for entity_id in expected)
        shown = orjson.dumps([reference.to_dict() for reference in shared.references]).decode()
        assert not any(NAMES[int(e[1:])] in shown or f'"{e}"' in shown for e in envelopes)
        paged = set()
        for code, _country in AGENCIES:
            try:
                found, total = records.page(world, caller, f"ds-{code.lower()}", limit=100, offset=0, now=now)
            except NotFound:
                continue  # a dataset with nothing the caller may read is not listed to them
            assert total == len(found)
            paged |= {str(stored.proxy.id) for stored in found}
        assert paged == allowed
        with Session(world) as session:
            copies = {(e.dataset, entity_id) for entity_id, e in envelopes.items()}
            assert {entity_id for _d, entity_id in store.readable_copies(session, copies, caller)} == allowed
            concealed = {copy.entity_id for copy in hit_store.hidden_copies(session, list(envelopes), caller)}
            assert concealed == (hidden if caller.kind is IdentityKind.MEMBER else set())
