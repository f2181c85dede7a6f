"""Access: the one access decision (`may`), callers' secrets and sealing, the audit chain."""

from liaison.access.decision import Action, Decision, Kind, OperationFacts, RecordFacts, ResultFacts, may

__all__ = ["Action", "Decision", "Kind", "OperationFacts", "RecordFacts", "ResultFacts", "may"]
