"""The dashboard: my alerts (live), unread messages, my watches, open review items, notices to review,
and the operations under way with their headline figures."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from liaison.access import Action, Kind
from liaison.access.decision import rule
from liaison.http.problems import MAX_ID
from liaison.model import Identity
from liaison.model.operation import OperationStatus
from liaison.services.messaging import alerts, messages, notices
from liaison.services.operations import operations
from liaison.services.screening import watches, xref
from liaison.store.operations import Operation
from liaison.web.operations import headline
from liaison.web.render import page
from liaison.web.session import ViewerDep

__all__ = ["router"]

router = APIRouter(prefix="/app", include_in_schema=False)
_SHOWN = 20


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, viewer: ViewerDep) -> HTMLResponse:
    """What needs the user's attention now."""
    engine, identity = request.app.state.engine, viewer.identity
    recent = alerts.list_alerts(engine, identity, limit=_SHOWN, newest_first=True)
    threads, _total = messages.list_threads(engine, identity, limit=10)
    # Pairs awaiting a decision, for those who decide on them.
    decides = bool(rule(identity, Action.DECIDE, Kind.MATCH_PAIR))
    pending = xref.review(engine, limit=100, identity=identity) if decides else []
    # Whether the viewer publishes anyone's notices: then the notices awaiting review are shown.
    reviews = bool(rule(identity, Action.PUBLISH, Kind.NOTICE))
    to_review = notices.list_notices(engine, identity, "submitted", limit=20)[0] if reviews else []
    return page(
        request,
        viewer,
        "dashboard.html",
        alerts=recent,
        last_alert=max((alert.alert_id for alert in recent), default=0),
        threads=threads,
        unread=sum(thread.unread for thread in threads),
        watches=watches.list_watches(engine, identity),
        pending=pending,
        to_review=to_review,
        current=_current_operations(request, identity, dt.datetime.now(dt.UTC).date()),
        now=dt.datetime.now(dt.UTC),
    )


@router.get("/alerts", response_class=HTMLResponse)
def alert_items(
    request: Request, viewer: ViewerDep, after: int = Query(default=0, ge=0, le=MAX_ID)
) -> HTMLResponse:
    """The user's alerts after one, newest first, as list items: the dashboard adds them as they arrive."""
    found = alerts.list_alerts(request.app.state.engine, viewer.identity, after=after, limit=_SHOWN)
    return page(request, viewer, "alert_items.html", alerts=list(reversed(found)))


def _current_operations(
    request: Request, identity: Identity, today: dt.date
) -> list[tuple[Operation, dict[str, int]]]:
    """The active operations of the user's agency, each with its arrests, victims and hits."""
    engine = request.app.state.engine
    active = [
        operation
        for operation in operations.list_operations(engine, identity)
        if operations.status(operation, today) is OperationStatus.ACTIVE
    ]
    return [
        (operation, headline(operations.tally(engine, identity, operation.operation_id)[1].totals))
        for operation in active
    ]
