"""Takedowns: a malicious IP address, domain or server, from identified to taken down or seized.

A target moves forward only: identified, then notified (to its hosting provider or the agency of
its country), then taken down or seized, which ends it. A stage may be skipped (a server seized
in a search was never notified) but none is undone. Each stage carries its date and who acted.
"""

from __future__ import annotations

from enum import StrEnum

from liaison.errors import BadInput, Conflict
from liaison.model.observables import Kind, parse_observable

__all__ = ["FINAL", "Stage", "Target", "canonical_target", "check_advance"]


class Target(StrEnum):
    """What is taken down: an address, a domain name, or a server (named by its address or host)."""

    IP = "ip"
    DOMAIN = "domain"
    SERVER = "server"


class Stage(StrEnum):
    """Where a takedown stands, in the order it moves."""

    IDENTIFIED = "identified"
    NOTIFIED = "notified"
    TAKEN_DOWN = "taken_down"
    SEIZED = "seized"


FINAL = frozenset({Stage.TAKEN_DOWN, Stage.SEIZED})
"""Stages that end a takedown."""
_ORDER = {Stage.IDENTIFIED: 0, Stage.NOTIFIED: 1, Stage.TAKEN_DOWN: 2, Stage.SEIZED: 2}


def canonical_target(kind: str, value: str) -> tuple[Target, str]:
    """The target kind and its value in the observable index's canonical form."""
    try:
        target = Target(kind.strip().lower())
    except ValueError:
        raise BadInput(f"field 'kind': {kind[:20]!r}; use one of {', '.join(Target)}") from None
    if target is Target.IP:
        return target, parse_observable(Kind.IP, value).value
    if target is Target.DOMAIN:
        return target, parse_observable(Kind.DOMAIN, value).value
    try:
        return target, parse_observable(Kind.IP, value).value
    except BadInput:
        try:
            return target, parse_observable(Kind.DOMAIN, value).value
        except BadInput:
            raise BadInput(
                f"field 'value': {value[:80]!r} names no server (an IP address or a host name)"
            ) from None


def check_advance(current: Stage, wanted: str) -> Stage:
    """The stage a takedown may move to from `current`; Conflict for a step back or after the end."""
    try:
        stage = Stage(wanted.strip().lower())
    except ValueError:
        raise BadInput(f"field 'stage': {wanted[:20]!r}; use one of {', '.join(Stage)}") from None
    if current in FINAL:
        raise Conflict(f"this takedown ended as {current.value.replace('_', ' ')}; it moves no further")
    if _ORDER[stage] <= _ORDER[current]:
        raise Conflict(
            f"a takedown {current.value.replace('_', ' ')} cannot move back or stay at {stage.value}"
        )
    return stage
