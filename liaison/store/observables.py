"""The observable index: which records carry which IPs, domains, URLs, hashes, e-mails, phones and
wallets, kept as entities are written and deleted.

One row per record and value, so the index grows linearly with the data (MISP's table of
correlated pairs grows with the square of a popular value's holders). Who else holds a value is
one indexed lookup; an address also finds the networks around it by its prefixes, and a network
the addresses inside it by a range scan of their numeric keys.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Select, delete, select
from sqlalchemy.orm import Session

from liaison.model.observables import Kind, Observable, enclosing_networks, ip_key, observables_of
from liaison.store.derived import replace_derived
from liaison.store.tables import ObservableRow

if TYPE_CHECKING:
    from followthemoney.proxy import EntityProxy

__all__ = [
    "Holding",
    "add_observables",
    "delete_observables",
    "holdings",
    "observable_rows",
    "write_observables",
]


@dataclass(frozen=True, slots=True)
class Holding:
    """A record holding an observable; `found` is the value it holds (a network around an address)."""

    observable: Observable
    found: Observable
    dataset: str
    entity_id: str


def observable_rows(
    dataset: str, proxies: Iterable[EntityProxy], run_id: int | None
) -> list[tuple[str, str, str, str, str | None, int | None]]:
    """(kind, value, dataset, entity id, ip key, import run) for every observable of these entities."""
    return [
        (found.kind.value, found.value, dataset, str(proxy.id), _ip_key(found), run_id)
        for proxy in proxies
        for found in sorted(observables_of(proxy))
    ]


def _ip_key(found: Observable) -> str | None:
    return ip_key(found.value) if found.kind is Kind.IP else None


def write_observables(
    connection: Connection, dataset: str, proxies: Sequence[EntityProxy], run_id: int
) -> None:
    """Index the observables of entities just written: earlier runs' rows of theirs go, this run's add up."""
    ids = [str(proxy.id) for proxy in proxies]
    rows = observable_rows(dataset, proxies, run_id)
    replace_derived(connection, ObservableRow, ObservableRow.entity_id, dataset, ids, run_id, rows)


def add_observables(
    connection: Connection, dataset: str, found: Sequence[tuple[str, frozenset[Observable]]], run_id: int
) -> None:
    """Index values records carry beyond their FtM properties (a STIX pattern's domains, networks,
    hashes), after `write_observables` indexed what the properties hold in the same run."""
    rows = [
        (observable.kind.value, observable.value, dataset, entity_id, _ip_key(observable), run_id)
        for entity_id, observables in found
        for observable in sorted(observables)
    ]
    ids = [entity_id for entity_id, _observables in found]
    replace_derived(connection, ObservableRow, ObservableRow.entity_id, dataset, ids, run_id, rows)


def delete_observables(session: Session, dataset: str, entity_id: str) -> None:
    """Forget a deleted record's observables."""
    session.execute(
        delete(ObservableRow).where(ObservableRow.dataset == dataset, ObservableRow.entity_id == entity_id)
    )


def holdings(session: Session, wanted: Sequence[Observable], limit: int) -> list[Holding]:
    """Records holding each observable, at most `limit` per observable: the same value, and for IPs
    the networks around an address and the addresses inside a network. Whether the records are
    readable is for the caller's access-filtered read of them to say.
    """
    found: list[Holding] = []
    for observable in wanted:
        values = [observable.value]
        if observable.kind is Kind.IP:
            values += enclosing_networks(observable.value)
        # Each query reads an index in its order, so the limit stops it early: the primary key for
        # one kind and a few values, the numeric keys for the addresses inside a network.
        queries = [
            _holders()
            .where(ObservableRow.kind == observable.kind.value, ObservableRow.value.in_(values))
            .order_by(ObservableRow.kind, ObservableRow.value, ObservableRow.dataset, ObservableRow.entity_id)
        ]
        if observable.kind is Kind.IP and "/" in observable.value:
            first, last = _key_range(observable.value)
            inside = (ObservableRow.ip_key >= first, ObservableRow.ip_key <= last)
            queries.append(_holders().where(*inside).order_by(ObservableRow.ip_key))
        seen: set[tuple[str, str, str]] = set()
        for query in queries:
            for kind, value, dataset, entity_id in session.execute(query.limit(limit)):
                if (value, dataset, entity_id) not in seen and len(seen) < limit:
                    seen.add((value, dataset, entity_id))
                    found.append(Holding(observable, Observable(Kind(kind), value), dataset, entity_id))
    return found


def _holders() -> Select[str, str, str, str]:
    return select(ObservableRow.kind, ObservableRow.value, ObservableRow.dataset, ObservableRow.entity_id)


def _key_range(network: str) -> tuple[str, str]:
    """The ip keys of a network's first and last addresses."""
    first = ip_key(network)
    version, _, start = first.partition(":")
    size = 2 ** ((32 if version == "4" else 128) - int(network.rpartition("/")[2]))
    last = f"{version}:{int(start, 16) + size - 1:0{len(start)}x}"
    return first, last
