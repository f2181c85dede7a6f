"""Who is asking: a member user of an agency, the local operator, or the public.

Every read names its caller; the access decision and the store's filtered queries decide from it
alone. A user's agency, its country and kind, and its sharing groups are resolved once, when the
caller is identified, so deciding costs no further lookups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["SCOPES", "Identity", "IdentityKind", "Role"]

SCOPES = ("read", "write", "admin")
"""What a token may be used for: reading, writing records, administering its agency."""


class Role(StrEnum):
    """What a user does in Liaison; it decides which actions are open, not which records are readable."""

    ANALYST = "analyst"
    OFFICER = "officer"
    FIRST_RESPONDER = "first_responder"
    COORDINATOR = "coordinator"
    REVIEWER = "reviewer"
    ADMIN = "admin"
    AUDITOR = "auditor"
    NODE_AUDITOR = "node_auditor"

    @property
    def audits(self) -> bool:
        """Whether the role reads the audit trail: its agency's (auditor) or the whole node's."""
        return self in (Role.AUDITOR, Role.NODE_AUDITOR)


class IdentityKind(StrEnum):
    """The kinds of caller: the public, a member agency's user, the local operator, and a peer
    node receiving for one agency it hosts."""

    PUBLIC = "public"
    MEMBER = "member"
    OPERATOR = "operator"
    PEER = "peer"


@dataclass(frozen=True, slots=True)
class Identity:
    """A caller. Members carry their user name, agency, the agency's country and sharing groups.

    The operator is the installation itself at its console: it imports, exports and administers
    every record, and is audited as `operator`.
    """

    kind: IdentityKind
    user: str | None = None
    agency: str | None = None
    country: str | None = None
    role: Role | None = None
    groups: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = frozenset(SCOPES)
    """What the credential in use allows (a token's scopes); all of them at the console."""
    secretariat: bool = False
    """Whether the user's agency is the secretariat, whose reviewers publish notices."""

    @classmethod
    def public(cls) -> Identity:
        """An anonymous caller: CLEAR records only."""
        return cls(IdentityKind.PUBLIC)

    @classmethod
    def operator(cls) -> Identity:
        """The local operator at the console."""
        return cls(IdentityKind.OPERATOR, user="operator")

    @classmethod
    def member(
        cls,
        user: str,
        agency: str,
        country: str,
        role: Role,
        groups: frozenset[str] = frozenset(),
        scopes: frozenset[str] = frozenset(SCOPES),
        *,
        secretariat: bool = False,
    ) -> Identity:
        """A user of a member agency, acting with a credential of these scopes."""
        return cls(IdentityKind.MEMBER, user, agency, country.lower(), role, groups, scopes, secretariat)

    @classmethod
    def peer(cls, node: str, agency: str, country: str, groups: frozenset[str] = frozenset()) -> Identity:
        """A peer node as the receiver of what one agency it hosts may read here: that agency's
        country, and the sharing groups this node puts it in. It reads; it never writes."""
        return cls(
            IdentityKind.PEER, f"node:{node}", agency, country.lower(), None, groups, frozenset({"read"})
        )

    @property
    def actor(self) -> str:
        """The name audit events carry."""
        return self.user or "public"
