"""Registering member agencies."""

from __future__ import annotations

import pycountry
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.errors import BadInput
from liaison.model import Agency

__all__ = ["register"]


def register(engine: Engine, agency: Agency) -> Agency:
    """Insert or update an agency after checking its code and ISO 3166 country."""
    code = agency.code.strip().upper()
    if not code or len(code) > 32 or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise BadInput(f"agency code {agency.code!r}: use up to 32 letters, digits, '-' or '_'")
    country = pycountry.countries.get(alpha_2=agency.country.strip().upper())
    if country is None:
        raise BadInput(f"agency {code}: country {agency.country!r} is not an ISO 3166-1 alpha-2 code")
    if not agency.name.strip():
        raise BadInput(f"agency {code}: name must not be empty")
    saved = Agency(code=code, name=agency.name.strip(), country=country.alpha_2, kind=agency.kind)
    with Session(engine) as session, session.begin():
        store.save_agency(session, saved)
    return saved
