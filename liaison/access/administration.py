"""Administration and the audit trail refused where the one access decision does not allow them.

Who administers whom is decided by `decision.may` (users and agencies), and who reads which audit
events too (an agency's auditor those of its people, a node auditor the whole trail); these raise
Forbidden with its reason, for the services that change users and tokens or read the trail.
"""

from __future__ import annotations

from liaison.access.decision import Action, AgencyFacts, AuditEventFacts, UserFacts, may
from liaison.errors import Forbidden
from liaison.model import Identity, Role

__all__ = ["require_admin", "require_administers", "require_auditor"]


def require_admin(actor: Identity, agency: str) -> None:
    """Refuse unless the actor administers `agency`: the operator, or its admin with the admin scope."""
    decision = may(actor, Action.ADMINISTER, AgencyFacts(agency))
    if not decision:
        raise Forbidden(decision.reason)


def require_administers(
    actor: Identity, agency: str, role: Role, scopes: frozenset[str] = frozenset()
) -> None:
    """Refuse unless the actor may appoint, or act on, a user of `agency` holding `role` (and
    make them a token of `scopes`, when given)."""
    decision = may(actor, Action.ADMINISTER, UserFacts(agency, role, scopes))
    if not decision:
        raise Forbidden(decision.reason)


def require_auditor(identity: Identity) -> None:
    """Refuse unless the caller reads the audit trail: every auditor reads their own agency's
    people's events at least, so whoever may not read those is no auditor."""
    decision = may(identity, Action.READ, AuditEventFacts(identity.agency))
    if not decision:
        raise Forbidden(decision.reason)
