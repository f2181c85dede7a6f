"""Notices and diffusions in the browser: the list, the draft form, and each notice with its moves.

The notices service decides who sees what and who may move a notice; these pages only offer the
moves that could succeed for the viewer, and the service refuses any other with an error page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from liaison.access import Action, may
from liaison.errors import BadInput
from liaison.http.deps import EngineDep, MatchingDep
from liaison.http.problems import MAX_OFFSET
from liaison.model import Identity, NoticeKind, NoticeStatus, next_status
from liaison.services.messaging import notices
from liaison.services.sharing import catalog
from liaison.store.notices import Notice
from liaison.web.render import page, redirect
from liaison.web.session import Posted, PostedDep, Viewer, ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
SHOWN = 50
# The operator's `expire` is left out: notices expire by themselves, never from a button.
MOVES = ("submit", "publish", "refuse", "revise", "send", "withdraw")
KINDS = {
    NoticeKind.RED: "Red: wanted, arrest for extradition or prosecution",
    NoticeKind.YELLOW: "Yellow: missing person",
    NoticeKind.BLUE: "Blue: more information on a person",
    NoticeKind.BLACK: "Black: unidentified body",
    NoticeKind.GREEN: "Green: warning about criminal activities",
    NoticeKind.ORANGE: "Orange: imminent threat",
    NoticeKind.PURPLE: "Purple: modus operandi, objects, concealment",
    NoticeKind.UN_SPECIAL: "UN special: subject of Security Council sanctions",
    NoticeKind.DIFFUSION: "Diffusion: a direct request to the agencies you name",
}
_BUTTONS = {
    "submit": "Submit for review",
    "publish": "Publish",
    "refuse": "Refuse",
    "revise": "Revise",
    "send": "Send",
    "withdraw": "Withdraw",
}


@dataclass(frozen=True, slots=True)
class Draft:
    """What the draft form holds, kept as typed so that a refused form comes back filled in."""

    kind: str = NoticeKind.RED.value
    title: str = ""
    summary: str = ""
    name: str = ""
    birth_date: str = ""
    nationality: str = ""
    document: str = ""
    recipients: list[str] = field(default_factory=list)
    expires: str = ""

    @classmethod
    def read(cls, sent: Posted) -> Draft:
        """The draft as posted."""
        return cls(
            kind=sent.text("kind"),
            title=sent.text("title"),
            summary=sent.text("summary"),
            name=sent.text("name"),
            birth_date=sent.text("birth_date"),
            nationality=sent.text("nationality"),
            document=sent.text("document"),
            recipients=sent.texts("recipients"),
            expires=sent.text("expires"),
        )

    def subject(self) -> dict[str, Any] | None:
        """The subject as the notices service takes it (a Person); None when no field names one."""
        properties = {
            prop: [value]
            for prop, value in (
                ("name", self.name),
                ("birthDate", self.birth_date),
                ("nationality", self.nationality),
                ("idNumber", self.document),
            )
            if value
        }
        return {"schema": "Person", "properties": properties} if properties else None

    def expires_at(self) -> dt.datetime | None:
        """The end of the expiry day in UTC: a notice is valid through the date the form shows."""
        if not self.expires:
            return None
        try:
            day = dt.date.fromisoformat(self.expires)
        except ValueError as exc:
            raise BadInput(f"field 'expires': {self.expires!r:.40} is not a date (YYYY-MM-DD)") from exc
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.get("/notices", response_class=HTMLResponse)
def notice_list(
    request: Request,
    engine: EngineDep,
    viewer: ViewerDep,
    status: Annotated[str, Query(max_length=20)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> HTMLResponse:
    """The notices the user may see, latest first, optionally in one status."""
    found, total = notices.list_notices(engine, viewer.identity, status or None, limit=SHOWN, offset=offset)
    return page(
        request,
        viewer,
        "notices.html",
        notices=found,
        total=total,
        wanted=status,  # not `status`: that is the page's HTTP status
        statuses=[known.value for known in NoticeStatus],
        offset=offset,
        shown=SHOWN,
    )


@router.get("/notices/new", response_class=HTMLResponse)
def new_notice(request: Request, viewer: ViewerDep) -> HTMLResponse:
    """The form to draft a notice or a diffusion."""
    return _form(request, viewer, Draft())


@router.post("/notices", response_class=HTMLResponse)
def create_notice(request: Request, engine: EngineDep, sent: PostedDep) -> Response:
    """Draft it, then show it; a refused form comes back with the reason and what was typed (422)."""
    draft = Draft.read(sent)
    now = _now()
    try:
        notice = notices.create(
            engine,
            sent.identity,
            draft.kind,
            draft.title,
            summary=draft.summary,
            subject=draft.subject(),
            recipients=draft.recipients,
            expires_at=draft.expires_at(),
            now=now,
        )
    except BadInput as exc:
        return _form(request, sent.viewer, draft, error=str(exc), status=422)
    return redirect(f"/app/notices/{notice.notice_id}")


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(
    request: Request, engine: EngineDep, viewer: ViewerDep, notice_id: Annotated[str, Path(max_length=64)]
) -> HTMLResponse:
    """One notice, its subject and review, and buttons for the moves open to the viewer."""
    notice = notices.get(engine, viewer.identity, notice_id, _now())
    moves = _moves(request, viewer.identity, notice)
    return page(
        request,
        viewer,
        "notice.html",
        notice=notice,
        kind_label=KINDS.get(notice.kind, notice.kind.value),
        moves=[(move, _BUTTONS[move]) for move in moves],
    )


@router.post("/notices/{notice_id}/{action}")
def move_notice(
    engine: EngineDep,
    matching: MatchingDep,
    sent: PostedDep,
    notice_id: Annotated[str, Path(max_length=64)],
    action: Literal["submit", "publish", "refuse", "revise", "send", "withdraw"],
) -> Response:
    """Move the notice, then show it again; Conflict or Forbidden from the service become error pages."""
    moved = notices.move(engine, sent.identity, notice_id, action, note=sent.text("note"), now=_now())
    if action in ("publish", "send", "withdraw"):
        # As over the API: screening finds (or stops finding) the subject once the index catches up.
        matching.refresh_soon()
    return redirect(f"/app/notices/{moved.notice_id}")


def _form(
    request: Request, viewer: Viewer, draft: Draft, *, error: str = "", status: int = 200
) -> HTMLResponse:
    agencies = [known.code for known in catalog.agencies(request.app.state.engine)]
    return page(
        request,
        viewer,
        "notice_new.html",
        status,
        draft=draft,
        kinds=[(kind.value, label) for kind, label in KINDS.items()],
        agencies=[code for code in agencies if code != viewer.identity.agency],
        tomorrow=(_now() + dt.timedelta(days=1)).date().isoformat(),
        error=error,
    )


def _moves(request: Request, identity: Identity, notice: Notice) -> list[str]:
    """The moves to offer: open from the notice's status, and on the viewer's side of the review.

    A display hint only, so that no one sees a button that cannot work; `notices.move` decides.
    """
    return [move for move in MOVES if may(identity, Action(move), notice.facts) and _open(notice, move)]


def _open(notice: Notice, move: str) -> bool:
    try:
        next_status(notice.kind, notice.status, move)
    except ValueError:
        return False
    return True
