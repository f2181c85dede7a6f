"""The handling policy: which caller may read which record, from TLP 2.0 and releasability.

    CLEAR         anyone, the public API included
    GREEN         every member agency's users
    AMBER         the owner, and the agencies, countries, sharing groups or users it names
    AMBER+STRICT  the owner and the agencies it names
    RED           the owner and the users it names

The owner agency always reads its own records (TLP restricts recipients, not the source), and
the local operator reads everything. The store's filtered queries implement the same rules in
SQL (`liaison.store.access`); a property test holds the two to each other.
"""

from __future__ import annotations

from collections.abc import Iterable

from liaison.model import Handling, Identity, IdentityKind

__all__ = ["grant_entry", "identity_keys", "may_read"]


def identity_keys(identity: Identity) -> dict[str, tuple[str, ...]]:
    """The releasability entries that name a member, by kind: its agency, country, groups and user."""
    if identity.kind is not IdentityKind.MEMBER:
        return {"agency": (), "country": (), "group": (), "user": ()}
    return {
        "agency": (f"agency:{identity.agency}",),
        "country": (f"country:{identity.country}",),
        "group": tuple(f"group:{group}" for group in sorted(identity.groups)),
        "user": (f"user:{identity.user}",),
    }


# Which kinds of releasability entry admit a reader, per handling code.
ADMITTING: dict[Handling, tuple[str, ...]] = {
    Handling.AMBER: ("agency", "country", "group", "user"),
    Handling.AMBER_STRICT: ("agency",),
    Handling.RED: ("user",),
}


def may_read(identity: Identity, owner_agency: str, handling: Handling, releasability: Iterable[str]) -> bool:
    """Whether the caller may read a record with this envelope."""
    if identity.kind is IdentityKind.OPERATOR or handling is Handling.CLEAR:
        return True
    if identity.kind is IdentityKind.PUBLIC:
        return False
    if identity.agency == owner_agency or handling is Handling.GREEN:
        return True
    keys = identity_keys(identity)
    admitting = {key for kind in ADMITTING[handling] for key in keys[kind]}
    return not admitting.isdisjoint(releasability)


def grant_entry(handling: Handling, user: str, agency: str) -> str:
    """The releasability entry a granted access request adds, so the requester can read the record.

    RED admits only named users, so the requester is named; AMBER and AMBER+STRICT name the
    requester's agency, as an agency-to-agency grant of intelligence is made.
    """
    return f"user:{user}" if handling is Handling.RED else f"agency:{agency}"
