"""Access rules as data: who may do what to a resource, written once and applied two ways.

A rule is a list of grants, each a reason and a condition on the resource's fields: the caller
may act when any condition holds, for the first such reason. `decision.may` checks the
conditions on one resource in Python; the store compiles the same conditions to SQL for lists
(`store.access`). Conditions are few on purpose (a field equals, or is one of, or differs from
a value; a collection field holds an item; all of several hold), so that the two readings
cannot drift apart, and a property test holds each kind's lists to `may`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["ALWAYS", "All", "Condition", "Differs", "Equals", "Grant", "Holds", "OneOf", "Rule", "holds_on"]


@dataclass(frozen=True, slots=True)
class Equals:
    """The field's value is `value`."""

    field: str
    value: Any


@dataclass(frozen=True, slots=True)
class OneOf:
    """The field's value is one of `values`."""

    field: str
    values: frozenset[Any]


@dataclass(frozen=True, slots=True)
class Differs:
    """The field's value is not `value`."""

    field: str
    value: Any


@dataclass(frozen=True, slots=True)
class Holds:
    """The field, a collection, holds `item`."""

    field: str
    item: str


@dataclass(frozen=True, slots=True)
class All:
    """Every one of the conditions holds; none at all always holds."""

    conditions: tuple[Condition, ...] = ()


Condition = Equals | OneOf | Differs | Holds | All
ALWAYS = All()
"""The condition that always holds."""


@dataclass(frozen=True, slots=True)
class Grant:
    """Why the caller may act, and on which resources: those meeting `condition`."""

    reason: str
    condition: Condition


Rule = tuple[Grant, ...]
"""The grants of one caller for one action on one kind of resource; none means no one may."""


def holds_on(condition: Condition, fields: Any) -> bool:
    """Whether `condition` holds for a resource whose fields are `fields`' attributes."""
    if isinstance(condition, Equals):
        return bool(getattr(fields, condition.field) == condition.value)
    if isinstance(condition, OneOf):
        return getattr(fields, condition.field) in condition.values
    if isinstance(condition, Differs):
        return bool(getattr(fields, condition.field) != condition.value)
    if isinstance(condition, Holds):
        held: Iterable[str] = getattr(fields, condition.field)
        return condition.item in held
    return all(holds_on(part, fields) for part in condition.conditions)
