"""Routes and hotspots of what a caller may read, through the one access path, audited.

Only datasets holding Trips or Events are read (the store counts schemata per dataset first), so
the public sanctions lists, which hold none, cost one count rather than a read of every entity.
Locations a trip or event points to in other datasets come along when the caller may read them;
a hidden one leaves that end unknown, and the trip's own countries stand in for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.analysis import routes
from liaison.analysis.routes import Flows
from liaison.errors import NotFound
from liaison.model import Identity
from liaison.services.accounts import audit

__all__ = ["flows"]

# Properties that point from a trip or event to the place it happened.
_PLACES = ("startLocation", "endLocation", "addressEntity")


def _holds_events(schemata: dict[str, int]) -> bool:
    for name in schemata:
        schema = model.get(name)
        if schema is not None and schema.is_a("Event"):
            return True
    return False


def flows(
    engine: Engine, identity: Identity, now: dt.datetime, datasets: Sequence[str] = (), purpose: str = ""
) -> Flows:
    """Flows between countries and ranked hotspots in these datasets (all the caller knows of if none)."""
    with Session(engine) as session, session.begin():
        known = [summary.name for summary in store.list_datasets(session, identity)]
        missing = sorted(set(datasets) - set(known))
        if missing:
            raise NotFound(f"no dataset named {', '.join(map(repr, missing))}; `liaison datasets` lists them")
        counts = store.count_by_dataset_schema(session, identity)
        scope = [name for name in (datasets or known) if _holds_events(counts.get(name, {}))]
        records: list[EntityProxy] = []
        places: dict[str, EntityProxy] = {}
        for name in scope:
            for stored in store.iter_dataset(session, name, identity):
                proxy = stored.proxy
                if routes.is_route_record(proxy):
                    records.append(proxy)
                else:
                    places.setdefault(str(proxy.id), proxy)
        wanted = sorted(
            {value for proxy in records for prop in _PLACES for value in proxy.get(prop, quiet=True)}
            - set(places)
        )
        for entity_id, copies in store.entities_by_ids(session, wanted, identity).items():
            places[entity_id] = copies[0].proxy
        found = routes.flows(records, places)
        detail = {"datasets": scope, "records": len(records), "flows": len(found.flows)}
        subject = f"scope:{','.join(datasets) or 'all'}"
        audit.record(session, identity, "routes", subject, now=now, purpose=purpose, detail=detail)
    return found
