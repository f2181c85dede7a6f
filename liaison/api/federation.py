"""`/federation/v1/`: what peer nodes ask of this one, every request signed by the peer and every
answer, refusals included, signed by this node."""

from __future__ import annotations

import datetime as dt

import orjson
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from liaison.access.node_requests import NONCE, SIGNATURE
from liaison.errors import BadInput, LiaisonError
from liaison.http.problems import STATUSES
from liaison.services.federation import sync
from liaison.settings import Settings

__all__ = ["router"]

router = APIRouter(tags=["federation"])


@router.get(sync.RECORDS_PATH)
async def records(request: Request) -> Response:
    """The next page of the records this node releases to the calling peer's agencies, after
    `after_dataset` and `after_id` (both empty for the first page); signed both ways."""
    settings: Settings = request.app.state.settings
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    after = (request.query_params.get("after_dataset", ""), request.query_params.get("after_id", ""))

    def answer() -> bytes:
        if max(len(after[0]), len(after[1])) > 255:
            raise BadInput("after_dataset and after_id: at most 255 characters each")
        now = dt.datetime.now(dt.UTC)
        peer = sync.authenticate(
            request.app.state.engine, request.headers, "GET", target, b"", now, to=settings.node_name
        )
        return orjson.dumps(sync.outgoing(request.app.state.engine, peer, after, now))

    try:
        status, media, body = 200, "application/json", await run_in_threadpool(answer)
    except LiaisonError as exc:
        status, title = next(
            (found for kind, found in STATUSES.items() if isinstance(exc, kind)), (500, "Error")
        )
        media = "application/problem+json"
        body = orjson.dumps({"type": "about:blank", "title": title, "status": status, "detail": str(exc)})
    signature = await run_in_threadpool(
        sync.signed_answer, settings, request.headers.get(NONCE, ""), status, body
    )
    return Response(body, status_code=status, media_type=media, headers={SIGNATURE: signature})
