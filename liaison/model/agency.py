"""Agencies: the members that own and share records."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["Agency", "AgencyKind"]


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
