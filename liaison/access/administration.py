"""Who may administer whom, and whose audit trail an auditor reads.

The operator (the installation at its console, or its API key) administers everything. An
agency's admin, with a credential that carries the `admin` scope, administers their own
agency's users and tokens, but never its auditors: auditors watch the admins, so only the
operator appoints, reaches or disables them. No one grants a role they could not appoint.
An agency's auditor reads the events of their agency's people; a node auditor the whole trail.
"""

from __future__ import annotations

from liaison.errors import Forbidden
from liaison.model import Identity, IdentityKind, Role

__all__ = ["OPERATOR_APPOINTS", "audit_scope", "require_admin", "require_administers"]

OPERATOR_APPOINTS = frozenset({Role.AUDITOR, Role.NODE_AUDITOR})
"""Roles only the operator gives, and whose holders only the operator administers."""


def require_admin(actor: Identity, agency: str) -> None:
    """Refuse unless the actor administers `agency`: the operator, or its admin with the admin scope."""
    if actor.kind is IdentityKind.OPERATOR:
        return
    if actor.role is not Role.ADMIN or actor.agency != agency:
        raise Forbidden(f"only the operator or an admin of {agency} may do this")
    if "admin" not in actor.scopes:
        raise Forbidden("this token lacks the admin scope; administration needs a token made with it")


def require_administers(actor: Identity, agency: str, role: Role) -> None:
    """Refuse unless the actor may appoint, or act on, a user of `agency` holding `role`."""
    require_admin(actor, agency)
    if actor.kind is not IdentityKind.OPERATOR and role in OPERATOR_APPOINTS:
        raise Forbidden(f"only the operator appoints or administers a {role.value}")


def audit_scope(identity: Identity) -> str | None:
    """The agency whose events the caller reads, None for the whole trail; Forbidden for non-auditors."""
    if identity.kind is IdentityKind.OPERATOR or identity.role is Role.NODE_AUDITOR:
        return None
    if identity.role is Role.AUDITOR and identity.agency is not None:
        return identity.agency
    raise Forbidden("only auditors may read the audit trail")
