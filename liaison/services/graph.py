"""Networks of what a caller may read, through the one access path, for analysts to explore.

The entities come from the store's access-filtered queries with the caller's identity; a record
they may read that points to one they may not (an ownership of a hidden company, say) shows the
hidden end as a placeholder naming only its owner agency, for members; the public sees no trace.
Building a graph is audited as a read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from followthemoney.proxy import EntityProxy
from followthemoney.types import registry
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from liaison import store
from liaison.analysis.network import Hidden, Network, build_graph
from liaison.errors import NotFound
from liaison.model import Identity
from liaison.services import audit
from liaison.store import hits as hit_store

__all__ = ["load"]


def load(
    engine: Engine, identity: Identity, now: dt.datetime, datasets: Sequence[str] = (), purpose: str = ""
) -> Network:
    """The graph of the given datasets (all the caller may know of when none), as the caller may see it."""
    with Session(engine) as session, session.begin():
        known = [summary.name for summary in store.list_datasets(session, identity)]
        missing = sorted(set(datasets) - set(known))
        if missing:
            raise NotFound(f"no dataset named {', '.join(map(repr, missing))}; `liaison datasets` lists them")
        proxies: list[EntityProxy] = []
        handling: dict[str, str] = {}
        for name in datasets or known:
            for stored in store.iter_dataset(session, name, identity):
                proxies.append(stored.proxy)
                handling[str(stored.proxy.id)] = stored.envelope.handling.value
        loaded = set(handling)
        referenced = sorted(
            {value for proxy in proxies for prop, value in proxy.itervalues() if prop.type == registry.entity}
            - loaded
        )
        _readable, concealed = hit_store.split_copies(session, referenced, identity)
        hidden = {copy.entity_id: Hidden(copy.entity_id, copy.owner_agency) for copy in concealed}
        scope = ",".join(datasets) or "all"
        detail = {"entities": len(proxies), "hidden": len(hidden)}
        audit.record(session, identity, "graph", f"scope:{scope}", now=now, purpose=purpose, detail=detail)
    return build_graph(proxies, handling, hidden.values())
