"""Entities written one at a time (`services.sharing.records`) on both backends: who a write is
made for, decided by the access decision's rule for datasets.

Strategy: NCB-FR (alice, an analyst) and NCB-ES are registered; alice and the operator write one
person each way a write may name, or not name, its agency.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from liaison.errors import BadInput, Forbidden
from liaison.model import Agency, AgencyKind, Identity, Role
from liaison.services.accounts import access, agencies
from liaison.services.sharing import records

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
PERSON = {"schema": "Person", "properties": {"name": ["Amelie Durand"]}}


def create(
    engine: Engine, identity: Identity, dataset: str, entity_id: str, agency: str | None = None
) -> str:
    stored = records.create(
        engine,
        identity,
        dataset,
        {"id": entity_id, **PERSON},
        records.Handled("GREEN", purpose="case 118"),
        now=NOW,
        retention_years=5,
        agency=agency,
    )
    return stored.envelope.owner_agency


@pytest.fixture
def alice(engine: Engine, agency: Agency) -> Identity:
    agencies.register(engine, Agency("NCB-ES", "NCB Madrid", "ES", AgencyKind.NCB))
    access.add_user(engine, Identity.operator(), "alice", "NCB-FR", Role.ANALYST, NOW)
    return access.identity_of(engine, "alice")


def test_a_member_writes_for_its_own_agency_only(engine: Engine, alice: Identity) -> None:
    with pytest.raises(Forbidden, match="alice of NCB-FR cannot write for NCB-ES"):
        create(engine, alice, "ncb_fr_cases", "p1", agency="NCB-ES")
    assert create(engine, alice, "ncb_fr_cases", "p1", agency="NCB-FR") == "NCB-FR"
    assert create(engine, alice, "ncb_fr_cases", "p2") == "NCB-FR"


def test_the_operator_writes_for_the_agency_named_or_the_datasets_owner(
    engine: Engine, alice: Identity
) -> None:
    operator = Identity.operator()
    with pytest.raises(BadInput, match="field 'agency'"):
        create(engine, operator, "ncb_es_cases", "p1")
    assert create(engine, operator, "ncb_es_cases", "p1", agency="NCB-ES") == "NCB-ES"
    assert create(engine, operator, "ncb_es_cases", "p2") == "NCB-ES"
