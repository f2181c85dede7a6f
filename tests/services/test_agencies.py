"""Registering agencies (`services.accounts.agencies`) on both backends: codes that fold to one
dataset namespace are refused, naming the agency that has it.

Strategy: NCB-FR is registered (the `agency` fixture); other codes are registered beside it.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from liaison.errors import Conflict
from liaison.model import Agency, AgencyKind, dataset_prefix
from liaison.services.accounts import agencies
from liaison.services.sharing import catalog


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


def test_the_same_code_in_any_case_updates_the_agency(engine: Engine, agency: Agency) -> None:
    saved = agencies.register(engine, Agency("ncb-fr", "NCB Paris", "fr", AgencyKind.NCB))
    assert saved.code == "NCB-FR" and codes(engine) == ["NCB-FR"]
    assert catalog.agencies(engine)[0].name == "NCB Paris"
    agencies.register(engine, Agency("NCB-FRA", "another", "FR", AgencyKind.POLICE))
    assert codes(engine) == ["NCB-FR", "NCB-FRA"]
