"""Registering member agencies."""

from __future__ import annotations

import datetime as dt

import pycountry
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.access.decision import Action, AgencyFacts, may
from liaison.errors import BadInput, Conflict, Forbidden
from liaison.model import Agency, Identity, dataset_prefix, namespace_of
from liaison.services.accounts import audit
from liaison.store import peers as peer_store

__all__ = ["check_namespace", "register"]


def register(engine: Engine, agency: Agency, actor: Identity | None = None) -> Agency:
    """Insert or update an agency after checking its code and ISO 3166 country (the operator's to do).

    A new code whose dataset namespace another agency's code already has (NCB_FR beside NCB-FR:
    both `ncb_fr_`), or which would take in another agency's dataset (`ncb_fr_x` of GS-LYON), is
    refused, Conflict naming that agency or dataset. Audited as the actor; without one, the local
    operator registers.
    """
    actor = actor or Identity.operator()
    code = agency.code.strip().upper()
    decision = may(actor, Action.REGISTER, AgencyFacts(code))
    if not decision:
        raise Forbidden(decision.reason)
    if not code or len(code) > 32 or not all(ch.isalnum() or ch in "-_" for ch in code):
        raise BadInput(f"agency code {agency.code!r}: use up to 32 letters, digits, '-' or '_'")
    country = pycountry.countries.get(alpha_2=agency.country.strip().upper())
    if country is None:
        raise BadInput(f"agency {code}: country {agency.country!r} is not an ISO 3166-1 alpha-2 code")
    if not agency.name.strip():
        raise BadInput(f"agency {code}: name must not be empty")
    saved = Agency(code=code, name=agency.name.strip(), country=country.alpha_2, kind=agency.kind)
    with Session(engine) as session, session.begin():
        if host := peer_store.hosts_of(session, [code]).get(code):
            raise Conflict(f"agency {code} is hosted by the peer node {host!r}; it is changed there")
        check_namespace(session, code)
        store.save_agency(session, saved)
        detail = {"name": saved.name, "country": saved.country, "kind": saved.kind.value}
        audit.record(
            session, actor, "agency.save", f"agency:{code}", now=dt.datetime.now(dt.UTC), detail=detail
        )
    return saved


def check_namespace(session: Session, code: str) -> None:
    """Refuse a new code whose dataset namespace would not be its own alone.

    Dataset names are claimed by the prefix of their agency's code (`model.dataset_prefix`), so
    two codes that fold to one prefix would write into, and read as their own, each other's
    datasets; and a dataset of another agency already named in the new prefix (made before the
    code was registered) would leave the new agency's namespace taken. An agency already
    registered is updated as it is.
    """
    codes = [other.code for other in store.list_agencies(session)]
    if code in codes:
        return
    prefix = dataset_prefix(code)
    for other in store.list_agencies(session):
        if dataset_prefix(other.code) == prefix:
            raise Conflict(
                f"agency code {code!r} clashes with agency {other.code!r} ({other.name}): both would "
                f"name their datasets {prefix!r}; choose another code, or update {other.code}"
            )
    taken = {
        name: owner
        for name, owner in store.dataset_owners(session, prefix).items()
        if owner != code and namespace_of(name, [*codes, code]) == code
    }
    if taken:
        named = ", ".join(f"{name!r} of {owner}" for name, owner in list(taken.items())[:5])
        more = f" and {len(taken) - 5} more" if len(taken) > 5 else ""
        datasets = "dataset" if len(taken) == 1 else "datasets"
        raise Conflict(
            f"agency code {code!r} would name its datasets {prefix!r}, but {datasets} {named}{more} "
            f"already in that namespace belong to other agencies; choose another code"
        )
