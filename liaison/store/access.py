"""The access filter: the handling policy of `liaison.access.policy` as a SQL condition on entities.

Every read of shared records goes through a query built with `readable`, so what a caller can
receive is decided in one place, in the database, before any row leaves it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, true

from liaison.access.policy import ADMITTING, identity_keys
from liaison.model import Handling, Identity, IdentityKind
from liaison.store.tables import EntityRow

__all__ = ["readable"]


def readable(identity: Identity) -> ColumnElement[bool]:
    """The condition an entity row must meet for this caller to read it."""
    if identity.kind is IdentityKind.OPERATOR:
        return true()
    clear = EntityRow.handling == Handling.CLEAR.value
    if identity.kind is IdentityKind.PUBLIC:
        return clear
    keys = identity_keys(identity)
    conditions = [
        clear,
        EntityRow.handling == Handling.GREEN.value,
        EntityRow.owner_agency == identity.agency,
    ]
    for handling, kinds in ADMITTING.items():
        named = [
            EntityRow.release_keys.contains(f"|{key}|", autoescape=True)
            for kind in kinds
            for key in keys[kind]
        ]
        if named:
            conditions.append((EntityRow.handling == handling.value) & or_(*named))
    return or_(*conditions) if conditions else false()
