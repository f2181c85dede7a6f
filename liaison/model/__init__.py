"""Liaison's records beside FtM entities: agencies, handling codes and envelopes."""

from liaison.model.agency import Agency, AgencyKind
from liaison.model.handling import Envelope, Handling

__all__ = ["Agency", "AgencyKind", "Envelope", "Handling"]
