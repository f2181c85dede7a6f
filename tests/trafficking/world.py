"""Two agencies for trafficking tests: NCB-US (dana, analyst) and NCB-ES (bob, analyst)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity, Role
from liaison.services.accounts import access, agencies
from tests.web.pages import PASSWORD

NOW = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)


def two_agencies(engine: Engine) -> None:
    """NCB-US and NCB-ES with one analyst each, who can log in with PASSWORD."""
    for code, country, user in (("NCB-US", "US", "dana"), ("NCB-ES", "ES", "bob")):
        agencies.register(engine, Agency(code, code, country, AgencyKind.NCB), Identity.operator())
        access.add_user(engine, Identity.operator(), user, code, Role.ANALYST, NOW, password=PASSWORD)


def envelope(dataset: str, handling: Handling = Handling.CLEAR, agency: str = "NCB-US") -> Envelope:
    """A trafficking dataset's envelope."""
    return Envelope(agency, dataset, handling, "human trafficking", NOW.date().replace(year=2031))
