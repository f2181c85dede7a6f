"""Access: who may read what (the handling policy), callers' identities and the audit trail."""

from liaison.access.policy import identity_keys, may_read

__all__ = ["identity_keys", "may_read"]
