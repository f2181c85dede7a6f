"""Liaison's error hierarchy. Faces map these classes to exit codes and HTTP problems.

    LiaisonError
     ├── BadInput      input that cannot be accepted: a file, line, field or request value
     ├── NotFound      a record, file or dataset that does not exist
     ├── Forbidden     the caller may not do or see this
     │    └── Unauthenticated   no valid credentials: missing, expired, revoked or forged
     ├── Conflict      the request clashes with the current state
     ├── Throttled     too many attempts: the caller must wait `retry_after` seconds
     └── Unavailable   a dependency (database, service) cannot be reached

Messages name the file, line, field or record so a user can act without a traceback.
"""

from __future__ import annotations

__all__ = [
    "BadInput",
    "Conflict",
    "Forbidden",
    "LiaisonError",
    "NotFound",
    "Throttled",
    "Unauthenticated",
    "Unavailable",
]


class LiaisonError(Exception):
    """Base class of every error Liaison reports to a user."""


class BadInput(LiaisonError):
    """Input that cannot be accepted; the message says where and why."""

    @classmethod
    def at(cls, source: str, where: int | str | None, field: str | None, problem: str) -> BadInput:
        """Build the message users see: `file:line: field 'x': problem`."""
        place = source if where is None else f"{source}:{where}"
        if field:
            return cls(f"{place}: field '{field}': {problem}")
        return cls(f"{place}: {problem}")


class NotFound(LiaisonError):
    """A record, file or dataset that does not exist (or that the caller may not know of)."""


class Forbidden(LiaisonError):
    """The caller may not perform this action."""


class Unauthenticated(Forbidden):
    """The caller presented no valid credentials; the message does not say which check failed."""


class Conflict(LiaisonError):
    """The request clashes with the current state."""


class Throttled(LiaisonError):
    """Too many attempts, too fast or too often wrong; `retry_after` says in how many seconds to try again."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(LiaisonError):
    """A dependency, such as the database, cannot be reached."""
