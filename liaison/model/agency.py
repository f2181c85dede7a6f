"""Agencies: the members that own and share records, and the namespaces their datasets are named in.

Dataset names are one namespace for the whole node. Each agency has its own part of it, the
names that start with its prefix (`ncb_fr_` for NCB-FR), so that no agency can be refused a new
name because another, perhaps hidden from it, holds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Agency", "AgencyKind", "dataset_prefix", "namespace_of"]


class AgencyKind(StrEnum):
    """What an agency does; alerts, screening and statistics use it."""

    NCB = "ncb"
    BORDER = "border"
    FIU = "fiu"
    CYBER = "cyber"
    WILDLIFE = "wildlife"
    POLICE = "police"
    CUSTOMS = "customs"
    SECRETARIAT = "secretariat"


@dataclass(frozen=True, slots=True)
class Agency:
    """A member agency: a short code (e.g. `NCB-FR`), its name, ISO 3166-1 alpha-2 country and kind."""

    code: str
    name: str
    country: str
    kind: AgencyKind


def dataset_prefix(agency: str) -> str:
    """The start of the names of an agency's datasets: `ncb_fr_` for NCB-FR."""
    return agency.lower().replace("-", "_") + "_"


def namespace_of(dataset: str, agencies: Iterable[str]) -> str | None:
    """The agency in whose namespace a dataset's name lies, by the longest prefix that fits; None if none."""
    return max((code for code in agencies if dataset.startswith(dataset_prefix(code))), key=len, default=None)
