"""Liaison's records beside FtM entities: agencies, handling codes and envelopes."""

from liaison.model.agency import Agency, AgencyKind, dataset_prefix, namespace_of
from liaison.model.handling import RELEASE_KINDS, Envelope, Handling, parse_release
from liaison.model.identity import Identity, IdentityKind, Role
from liaison.model.notice import NOTICE_KINDS, NoticeKind, NoticeStatus, next_status

__all__ = [
    "NOTICE_KINDS",
    "RELEASE_KINDS",
    "Agency",
    "AgencyKind",
    "Envelope",
    "Handling",
    "Identity",
    "IdentityKind",
    "NoticeKind",
    "NoticeStatus",
    "Role",
    "dataset_prefix",
    "namespace_of",
    "next_status",
    "parse_release",
]
