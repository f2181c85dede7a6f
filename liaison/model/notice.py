"""Notices and diffusions: their kinds and the lifecycle that moves them from draft to publication.

    notice:     draft ─submit→ submitted ─publish→ published ─withdraw→ withdrawn
                  ↑                      └─refuse→ refused            └─expire→ expired
                  └────────revise──────────────────┘
    diffusion:  draft ─send→ published ─withdraw / expire→ …

A notice is reviewed by the secretariat (a reviewer of another agency) before publication; a
diffusion goes straight from its agency to the agencies it names. Any other move is refused.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["NOTICE_KINDS", "NoticeKind", "NoticeStatus", "next_status"]


class NoticeKind(StrEnum):
    """INTERPOL's notices, the UN Security Council special notice, and the diffusion."""

    RED = "red"  # wanted: arrest for extradition or prosecution
    YELLOW = "yellow"  # missing person
    BLUE = "blue"  # more information on a person's identity, location or activities
    BLACK = "black"  # unidentified body
    GREEN = "green"  # warning about a person's criminal activities
    ORANGE = "orange"  # imminent threat from an event, person, object or process
    PURPLE = "purple"  # modus operandi, objects, devices, concealment methods
    UN_SPECIAL = "un_special"  # subject of UN Security Council sanctions
    DIFFUSION = "diffusion"  # a direct request from one agency to chosen agencies


NOTICE_KINDS = tuple(kind for kind in NoticeKind if kind is not NoticeKind.DIFFUSION)


class NoticeStatus(StrEnum):
    """Where a notice is in its lifecycle."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


_NOTICE_MOVES = {
    (NoticeStatus.DRAFT, "submit"): NoticeStatus.SUBMITTED,
    (NoticeStatus.SUBMITTED, "publish"): NoticeStatus.PUBLISHED,
    (NoticeStatus.SUBMITTED, "refuse"): NoticeStatus.REFUSED,
    (NoticeStatus.REFUSED, "revise"): NoticeStatus.DRAFT,
    (NoticeStatus.PUBLISHED, "withdraw"): NoticeStatus.WITHDRAWN,
    (NoticeStatus.PUBLISHED, "expire"): NoticeStatus.EXPIRED,
}
_DIFFUSION_MOVES = {
    (NoticeStatus.DRAFT, "send"): NoticeStatus.PUBLISHED,
    (NoticeStatus.PUBLISHED, "withdraw"): NoticeStatus.WITHDRAWN,
    (NoticeStatus.PUBLISHED, "expire"): NoticeStatus.EXPIRED,
}


def next_status(kind: NoticeKind, status: NoticeStatus, action: str) -> NoticeStatus:
    """The status an action leads to; ValueError names the moves open from here when it is not one."""
    moves = _DIFFUSION_MOVES if kind is NoticeKind.DIFFUSION else _NOTICE_MOVES
    found = moves.get((status, action))
    if found is None:
        allowed = sorted(move for (source, move) in moves if source is status) or ["none"]
        noun = "diffusion" if kind is NoticeKind.DIFFUSION else "notice"
        raise ValueError(f"{action!r} is not open to a {status.value} {noun}; open: {', '.join(allowed)}")
    return found
