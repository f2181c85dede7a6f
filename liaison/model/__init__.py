"""Liaison's records beside FtM entities: agencies, handling codes and envelopes."""

from liaison.model.agency import Agency, AgencyKind
from liaison.model.handling import RELEASE_KINDS, Envelope, Handling, parse_release
from liaison.model.identity import Identity, IdentityKind, Role

__all__ = [
    "RELEASE_KINDS",
    "Agency",
    "AgencyKind",
    "Envelope",
    "Handling",
    "Identity",
    "IdentityKind",
    "Role",
    "parse_release",
]
