"""Dataset namespaces: which agency's part of the one namespace a name lies in."""

from __future__ import annotations

import pytest

from liaison.model import dataset_prefix, namespace_of

AGENCIES = ["NCB-FR", "NCB-FR-DOM", "GS-LYON", "WL_KE"]
CASES = [
    ("ncb_fr_cases", "NCB-FR"),
    ("ncb_fr_dom_cases", "NCB-FR-DOM"),  # the longest prefix that fits, not the first
    ("gs_lyon_apt1", "GS-LYON"),
    ("wl_ke_eia", "WL_KE"),
    ("ncb_fr", None),  # the prefix ends with its underscore
    ("un_sc", None),
    ("NCB_FR_cases", None),  # names are compared as they are written
]


@pytest.mark.parametrize(("dataset", "agency"), CASES)
def test_a_name_lies_in_the_namespace_of_the_agency_whose_prefix_it_starts_with(
    dataset: str, agency: str | None
) -> None:
    assert namespace_of(dataset, AGENCIES) == agency


def test_the_prefix_is_the_code_in_lower_case_with_underscores() -> None:
    assert [dataset_prefix(code) for code in AGENCIES] == ["ncb_fr_", "ncb_fr_dom_", "gs_lyon_", "wl_ke_"]
