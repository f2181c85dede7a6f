"""The reference index: which records point at which, kept as entities are written and deleted."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, select
from sqlalchemy.orm import Session

from liaison.store.derived import replace_derived
from liaison.store.tables import EntityLinkRow

if TYPE_CHECKING:
    from followthemoney.proxy import EntityProxy

__all__ = ["delete_links", "link_rows", "pointing_at", "write_links"]

# Bound parameters per statement: well under SQLite's and PostgreSQL's limits.
_CHUNK = 5_000


def link_rows(dataset: str, proxies: Iterable[EntityProxy], run_id: int | None) -> list[tuple[object, ...]]:
    """(dataset, source, target, import_run) for every entity-typed value of these entities."""
    from followthemoney.types import registry

    return [
        (dataset, proxy.id, value, run_id)
        for proxy in proxies
        for prop, value in proxy.itervalues()
        if prop.type == registry.entity and value != proxy.id
    ]


def write_links(connection: Connection, dataset: str, proxies: Sequence[EntityProxy], run_id: int) -> None:
    """Index the links of entities just written: earlier runs' links of theirs go, this run's add up."""
    ids = [str(proxy.id) for proxy in proxies]
    replace_derived(
        connection,
        EntityLinkRow,
        EntityLinkRow.source,
        dataset,
        ids,
        run_id,
        link_rows(dataset, proxies, run_id),
    )


def delete_links(session: Session, dataset: str, entity_id: str) -> None:
    """Forget a deleted record's links."""
    session.execute(
        delete(EntityLinkRow).where(EntityLinkRow.dataset == dataset, EntityLinkRow.source == entity_id)
    )


def pointing_at(session: Session, targets: Iterable[str]) -> set[str]:
    """The ids of records, in any dataset, that point at any of these; whether they are readable is
    for the caller's access-filtered read of them to say.
    """
    wanted = sorted(set(targets))
    found: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        query = select(EntityLinkRow.source).where(EntityLinkRow.target.in_(wanted[start : start + _CHUNK]))
        found.update(session.scalars(query))
    return found
