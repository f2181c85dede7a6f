"""Registering agencies (`services.accounts.agencies`) on both backends: codes that fold to one
dataset namespace are refused, naming the agency that has it.

Strategy: NCB-FR is registered (the `agency` fixture), or a dataset is made in its namespace
before it is; other codes are then registered beside it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.errors import Conflict, Forbidden
from liaison.model import Agency, AgencyKind, Identity, Role, dataset_prefix
from liaison.services.accounts import agencies
from liaison.services.sharing import catalog

NOW = dt.datetime(2026, 12, 9, 9, tzinfo=dt.UTC)


def codes(engine: Engine) -> list[str]:
    return [agency.code for agency in catalog.agencies(engine)]


@pytest.mark.parametrize("code", ["NCB_FR", "ncb_fr", "Ncb_Fr"])
def test_a_code_sharing_another_agency_s_namespace_is_refused_naming_it(
    engine: Engine, agency: Agency, code: str
) -> None:
    assert dataset_prefix(code) == dataset_prefix(agency.code) == "ncb_fr_"
    with pytest.raises(Conflict, match=r"clashes with agency 'NCB-FR' \(INTERPOL NCB Paris\).*'ncb_fr_'"):
        agencies.register(engine, Agency(code, "NCB Paris again", "FR", AgencyKind.NCB))
    assert codes(engine) == ["NCB-FR"]


def test_an_agency_s_own_admin_neither_registers_an_agency_nor_renames_their_own(
    engine: Engine, agency: Agency
) -> None:
    admin = Identity.member("bruno", agency.code, "fr", Role.ADMIN)
    for code in ("NCB-IT", agency.code):
        with pytest.raises(Forbidden, match=r"^only the operator registers agencies$"):
            agencies.register(engine, Agency(code, "renamed", "IT", AgencyKind.NCB), admin)
    assert [(found.code, found.name) for found in catalog.agencies(engine)] == [(agency.code, agency.name)]


def test_the_same_code_in_any_case_updates_the_agency(engine: Engine, agency: Agency) -> None:
    saved = agencies.register(engine, Agency("ncb-fr", "NCB Paris", "fr", AgencyKind.NCB))
    assert saved.code == "NCB-FR" and codes(engine) == ["NCB-FR"]
    assert catalog.agencies(engine)[0].name == "NCB Paris"
    agencies.register(engine, Agency("NCB-FRA", "another", "FR", AgencyKind.POLICE))
    assert codes(engine) == ["NCB-FR", "NCB-FRA"]


def claim(engine: Engine, dataset: str, owner: str) -> None:
    with Session(engine) as session, session.begin():
        store.claim_dataset(session, dataset, dataset, owner, NOW)


@pytest.mark.parametrize("owner", ["GS-LYON", "NCB"])
def test_a_code_whose_namespace_would_take_in_another_agency_s_dataset_is_refused_naming_it(
    engine: Engine, owner: str
) -> None:
    # Made by the operator before NCB-FR was registered: then no agency's namespace held the name.
    agencies.register(engine, Agency(owner, owner, "FR", AgencyKind.POLICE))
    claim(engine, "ncb_fr_x", owner)
    with pytest.raises(Conflict, match=rf"'ncb_fr_'.*dataset 'ncb_fr_x' of {owner} already"):
        agencies.register(engine, Agency("NCB-FR", "NCB Paris", "FR", AgencyKind.NCB))
    assert codes(engine) == [owner]


def test_a_code_whose_namespace_holds_only_its_own_or_longer_namespaces_datasets_is_registered(
    engine: Engine, agency: Agency
) -> None:
    claim(engine, "ncb_fr_cases", "NCB-FR")
    # `ncb_fr_cases` lies in NCB-FR's namespace, the longest prefix, not in NCB's `ncb_`.
    agencies.register(engine, Agency("NCB", "NCB network", "FR", AgencyKind.NCB))
    assert codes(engine) == ["NCB", "NCB-FR"]
    with Session(engine) as session:
        assert store.dataset_owners(session, "ncb_") == {"ncb_fr_cases": "NCB-FR"}
        assert store.dataset_owners(session, "ncb%") == {}  # the prefix is matched as written
