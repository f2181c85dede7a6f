"""`/api/v1/notices`: notices and diffusions, drafted, reviewed, published, withdrawn."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from liaison.http.auth import CallerDep, WriterDep
from liaison.http.deps import EngineDep, MatchingDep
from liaison.http.problems import MAX_OFFSET
from liaison.services.messaging import notices

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["notices"])


class SubjectIn(BaseModel):
    """Whom (or what) a notice is about, as an FtM schema and properties."""

    schema_: str = Field(alias="schema", max_length=64, examples=["Person"])
    properties: dict[str, list[str] | str] = Field(
        examples=[{"name": ["Ivan Sokolov"], "birthDate": ["1975"]}]
    )


class NoticeIn(BaseModel):
    """A new draft notice or diffusion."""

    kind: Literal["red", "yellow", "blue", "black", "green", "orange", "purple", "un_special", "diffusion"]
    title: str = Field(min_length=1, max_length=300)
    summary: str = Field(default="", max_length=20_000)
    subject: SubjectIn | None = None
    recipients: list[str] = Field(default_factory=list, max_length=200, description="Diffusions only.")
    expires_at: dt.datetime | None = None


class MoveIn(BaseModel):
    """A note kept with a move; reviewers say why they refuse."""

    note: str = Field(default="", max_length=2_000)


class NoticeOut(BaseModel):
    """A notice as the caller may see it."""

    id: str
    kind: str
    status: str
    agency: str
    created_by: str
    title: str
    summary: str
    subject: dict[str, Any]
    recipients: list[str]
    reviewed_by: str | None
    review_note: str
    expires_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class NoticePage(BaseModel):
    """One page of notices, latest first."""

    results: list[NoticeOut]
    total: int
    limit: int
    offset: int


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.post("/notices", status_code=201, response_model=NoticeOut)
def create_notice(body: NoticeIn, engine: EngineDep, identity: WriterDep) -> NoticeOut:
    """Draft a notice (reviewed by the secretariat before publication) or a diffusion.

    Example body: `{"kind": "red", "title": "Wanted for trafficking", "subject": {"schema":
    "Person", "properties": {"name": ["Ivan Sokolov"], "birthDate": ["1975-03-02"]}}}`.
    """
    subject = body.subject.model_dump(by_alias=True) if body.subject else None
    notice = notices.create(
        engine,
        identity,
        body.kind,
        body.title,
        summary=body.summary,
        subject=subject,
        recipients=body.recipients,
        expires_at=body.expires_at,
        now=_now(),
    )
    return NoticeOut.model_validate(notices.view(notice))


@router.get("/notices", response_model=NoticePage)
def list_notices(
    engine: EngineDep,
    identity: CallerDep,
    status: Annotated[
        str | None, Query(pattern="^(draft|submitted|published|refused|withdrawn|expired)$")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=notices.MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> NoticePage:
    """Notices you may see: published ones, your agency's, and (secretariat reviewers) those submitted."""
    found, total = notices.list_notices(engine, identity, status, limit=limit, offset=offset)
    results = [NoticeOut.model_validate(notices.view(notice)) for notice in found]
    return NoticePage(results=results, total=total, limit=limit, offset=offset)


@router.get("/notices/{notice_id}", response_model=NoticeOut)
def read_notice(notice_id: str, engine: EngineDep, identity: CallerDep) -> NoticeOut:
    """One notice."""
    return NoticeOut.model_validate(notices.view(notices.get(engine, identity, notice_id, _now())))


@router.post("/notices/{notice_id}/{action}", response_model=NoticeOut)
def move_notice(
    notice_id: str,
    action: Literal["submit", "publish", "refuse", "revise", "send", "withdraw"],
    body: MoveIn,
    engine: EngineDep,
    matching: MatchingDep,
    identity: WriterDep,
) -> NoticeOut:
    """Move a notice: submit, publish or refuse (secretariat), revise, send (diffusions), withdraw.

    409 for a move its lifecycle does not allow from where it is; 403 for a mover without the role.
    """
    moved = notices.move(engine, identity, notice_id, action, note=body.note, now=_now())
    if action in ("publish", "send", "withdraw"):
        matching.refresh_soon()
    return NoticeOut.model_validate(notices.view(moved))
