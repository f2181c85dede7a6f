"""The reference index follows the records: written with them, replaced on re-import, deleted with them."""

from __future__ import annotations

import datetime as dt

from followthemoney import model
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from liaison import store
from liaison.ingest.base import Record
from liaison.model import Agency, AgencyKind, Envelope, Handling, Identity
from liaison.services.accounts import agencies
from liaison.services.sharing.imports import import_records
from liaison.store.retention import delete_record
from liaison.store.tables import EntityLinkRow

NOW = dt.datetime(2026, 12, 2, tzinfo=dt.UTC)


def _import(engine: Engine, *rows: dict[str, object]) -> None:
    envelope = Envelope("NCB-FR", "fleet", Handling.GREEN, "case 118", NOW.date().replace(year=2031))
    records = [Record(model.get_proxy(row), number) for number, row in enumerate(rows, start=1)]
    import_records(engine, records, envelope=envelope, title="Fleet", kind="ftm", source="test", now=NOW)


def _links(engine: Engine) -> set[tuple[str, str]]:
    with Session(engine) as session:
        return {
            (source, target)
            for source, target in session.execute(select(EntityLinkRow.source, EntityLinkRow.target))
        }


def test_links_are_written_replaced_on_reimport_and_deleted_with_their_record(engine: Engine) -> None:
    agencies.register(engine, Agency("NCB-FR", "NCB Paris", "FR", AgencyKind.NCB), Identity.operator())
    vessel = {"id": "v1", "schema": "Vessel", "properties": {"name": ["Kestrel"], "owner": ["c1", "c2"]}}
    _import(engine, vessel, {"id": "c1", "schema": "Company", "properties": {"name": ["Acme"]}})
    assert _links(engine) == {("v1", "c1"), ("v1", "c2")}
    with Session(engine) as session:
        assert store.pointing_at(session, ["c2", "nobody"]) == {"v1"}

    sold = {"id": "v1", "schema": "Vessel", "properties": {"name": ["Kestrel"], "owner": ["c3"]}}
    _import(engine, sold)
    assert _links(engine) == {("v1", "c3")}

    with Session(engine) as session, session.begin():
        assert delete_record(session, "fleet", "v1")
    assert _links(engine) == set()
