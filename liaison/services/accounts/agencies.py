"""Registering member agencies."""

from __future__ import annotations

import datetime as dt

import pycountry
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.errors import BadInput, Forbidden
from liaison.model import Agency, Identity, IdentityKind
from liaison.services.accounts import audit

__all__ = ["register"]


def register(engine: Engine, agency: Agency, actor: Identity | None = None) -> Agency:
    """Insert or update an agency after checking its code and ISO 3166 country (the operator's to do).

    Audited as the actor; without one, the local operator registers.
    """
    actor = actor or Identity.operator()
    if actor.kind is not IdentityKind.OPERATOR:
        raise Forbidden("only the operator registers agencies")
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
        detail = {"name": saved.name, "country": saved.country, "kind": saved.kind.value}
        audit.record(
            session, actor, "agency.save", f"agency:{code}", now=dt.datetime.now(dt.UTC), detail=detail
        )
    return saved
