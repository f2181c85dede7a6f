"""The access decision as SQL: `liaison.access.decision`'s rules compiled to conditions on rows.

Every list and read of a kind of resource goes through a query built with `where` (`readable`
for records), so what a caller can receive is decided by the one rule, in the database, before
any row leaves it. Each kind maps the fields its rule names to columns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Text, and_, cast, false, or_, select, true

from liaison.access.decision import Action, Kind, rule
from liaison.access.rules import Condition, Differs, Equals, Holds, OneOf
from liaison.model import Identity
from liaison.store.tables import (
    AccessRequestRow,
    AlertRow,
    AuditEventRow,
    DatasetRow,
    EntityRow,
    IndicatorScreeningRow,
    ManifestRow,
    MessageRow,
    NoticeRow,
    OperationRow,
    ReferralRow,
    SubjectDecisionRow,
    ThreadParticipantRow,
    ThreadRow,
    WatchRow,
    WebhookRow,
)

__all__ = ["readable", "where"]


@dataclass(frozen=True, slots=True)
class _Field:
    """A rule's field as SQL: equal to a value, and (for a collection) holding an item."""

    column: Any = None
    holds: Callable[[str], ColumnElement[bool]] | None = None


def _json_list(column: Any) -> Callable[[str], ColumnElement[bool]]:
    # A JSON list's text holds each string in quotes on both backends.
    return lambda item: cast(column, Text).contains(f'"{item}"', autoescape=True)


def _barred(column: Any) -> Callable[[str], ColumnElement[bool]]:
    # A list kept as "|a|b|" text, so that one LIKE tells an entry.
    return lambda item: column.contains(f"|{item}|", autoescape=True)


def _of_message(field: _Field) -> _Field:
    """A thread's field as its messages see it: the message's thread's, by a correlated subquery."""
    column = None
    if field.column is not None:
        column = select(field.column).where(ThreadRow.id == MessageRow.thread).scalar_subquery()
    holds = field.holds
    if holds is None:
        return _Field(column)
    return _Field(column, lambda item: MessageRow.thread.in_(select(ThreadRow.id).where(holds(item))))


_THREAD = {
    "participants": _Field(
        holds=lambda agency: ThreadRow.id.in_(
            select(ThreadParticipantRow.thread).where(ThreadParticipantRow.agency == agency)
        )
    ),
    "handling": _Field(ThreadRow.handling),
    "created_by": _Field(ThreadRow.created_by),
    "to_users": _Field(ThreadRow.to_users, _barred(ThreadRow.to_users)),
}


_FIELDS: dict[Kind, Mapping[str, _Field]] = {
    Kind.RECORD: {
        "owner_agency": _Field(EntityRow.owner_agency),
        "handling": _Field(EntityRow.handling),
        # Releasability is also kept as "|entry|entry|" text, so that one LIKE tells an entry.
        "release_keys": _Field(EntityRow.release_keys, _barred(EntityRow.release_keys)),
    },
    Kind.OPERATION: {
        "agency": _Field(OperationRow.agency),
        "agencies": _Field(OperationRow.agencies, _json_list(OperationRow.agencies)),
    },
    Kind.NOTICE: {
        "agency": _Field(NoticeRow.agency),
        "notice_kind": _Field(NoticeRow.kind),
        "status": _Field(NoticeRow.status),
        "recipients": _Field(NoticeRow.recipients, _json_list(NoticeRow.recipients)),
    },
    Kind.ALERT: {"agency": _Field(AlertRow.agency), "user": _Field(AlertRow.user)},
    Kind.MANIFEST: {"agency": _Field(ManifestRow.agency)},
    Kind.REFERRAL: {"agency": _Field(ReferralRow.agency)},
    Kind.ENTRY_DECISION: {"agency": _Field(SubjectDecisionRow.agency)},
    Kind.INDICATOR_SCREENING: {"agency": _Field(IndicatorScreeningRow.agency)},
    Kind.ACCESS_REQUEST: {
        "owner_agency": _Field(AccessRequestRow.owner_agency),
        "requester": _Field(AccessRequestRow.requester),
    },
    Kind.WATCH: {"user": _Field(WatchRow.user)},
    Kind.WEBHOOK: {"user": _Field(WebhookRow.user)},
    Kind.THREAD: _THREAD,
    Kind.MESSAGE: {
        **{f"thread_{name}": _of_message(field) for name, field in _THREAD.items()},
        "handling": _Field(MessageRow.handling),
        "sender": _Field(MessageRow.sender),
        "to_users": _Field(MessageRow.to_users, _barred(MessageRow.to_users)),
    },
    Kind.AUDIT_EVENT: {"agency": _Field(AuditEventRow.agency)},
    Kind.DATASET: {"owner_agency": _Field(DatasetRow.owner_agency)},
}


def where(identity: Identity, action: Action, kind: Kind) -> ColumnElement[bool]:
    """The condition a row of `kind` must meet for `identity` to take `action` on it."""
    fields = _FIELDS[kind]
    grants = rule(identity, action, kind)
    return or_(*(_sql(grant.condition, fields) for grant in grants)) if grants else false()


def readable(identity: Identity) -> ColumnElement[bool]:
    """The condition an entity row must meet for this caller to read it."""
    return where(identity, Action.READ, Kind.RECORD)


def _sql(condition: Condition, fields: Mapping[str, _Field]) -> ColumnElement[bool]:
    if isinstance(condition, Equals):
        return fields[condition.field].column == _plain(condition.value)  # type: ignore[no-any-return]
    if isinstance(condition, OneOf):
        return fields[condition.field].column.in_(sorted(map(_plain, condition.values)))  # type: ignore[no-any-return]
    if isinstance(condition, Differs):
        return fields[condition.field].column != _plain(condition.value)  # type: ignore[no-any-return]
    if isinstance(condition, Holds):
        holds = fields[condition.field].holds
        if holds is None:
            raise TypeError(f"field {condition.field!r} is not a collection")
        return holds(condition.item)
    if not condition.conditions:
        return true()
    return and_(*(_sql(part, fields) for part in condition.conditions))


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value
