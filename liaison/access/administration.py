"""Administration refused where the one access decision does not allow it, and whose audit trail an
auditor reads.

Who administers whom is decided by `decision.may` (users and agencies); these raise Forbidden
with its reason, for the services that change users and tokens.
An agency's auditor reads the events of their agency's people; a node auditor the whole trail.
"""

from __future__ import annotations

from liaison.access.decision import Action, AgencyFacts, UserFacts, may
from liaison.errors import Forbidden
from liaison.model import Identity, IdentityKind, Role

__all__ = ["audit_scope", "require_admin", "require_administers"]


def require_admin(actor: Identity, agency: str) -> None:
    """Refuse unless the actor administers `agency`: the operator, or its admin with the admin scope."""
    decision = may(actor, Action.ADMINISTER, AgencyFacts(agency))
    if not decision:
        raise Forbidden(decision.reason)


def require_administers(actor: Identity, agency: str, role: Role) -> None:
    """Refuse unless the actor may appoint, or act on, a user of `agency` holding `role`."""
    decision = may(actor, Action.ADMINISTER, UserFacts(agency, role))
    if not decision:
        raise Forbidden(decision.reason)


def audit_scope(identity: Identity) -> str | None:
    """The agency whose events the caller reads, None for the whole trail; Forbidden for non-auditors."""
    if identity.kind is IdentityKind.OPERATOR or identity.role is Role.NODE_AUDITOR:
        return None
    if identity.role is Role.AUDITOR and identity.agency is not None:
        return identity.agency
    raise Forbidden("only auditors may read the audit trail")
