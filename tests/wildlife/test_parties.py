"""Seizures linked to the people, companies and vessels involved: named in the file's columns
through the mapping's `parties`, one record per name in the dataset, the seizure `involved` with
them, so the network runs from a vessel to its seizures and the people on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from liaison.errors import BadInput
from liaison.services.accounts import access
from liaison.services.analysis import graph
from liaison.services.messaging import alerts
from liaison.services.screening import watches
from liaison.store.tables import EntityRow
from tests.wildlife.test_seizures import NOW, _import, world  # noqa: F401 (fixture)

MAPPING = """
fields: {date: Date, country: Country, species: Species, commodity: Form, quantity: Amount, unit: Unit}
parties: {Person: Suspects, Company: Consignee, Vessel: Vessel}
"""
ROWS = """Date,Country,Species,Form,Amount,Unit,Suspects,Consignee,Vessel
2019-04-08,Singapore,Manis javanica,scales,12900,kg,Ahmed  Bello; Lin Wei,Sino Trading Ltd,KESTREL DAWN
2019-04-13,Singapore,Manis javanica,scales,12700,kg,Ahmed Bello,,KESTREL DAWN
2019-05-02,Viet Nam,Manis javanica,live,40,individuals,,,
"""


def _files(tmp_path: Path, rows: str = ROWS) -> tuple[Path, Path]:
    (tmp_path / "map.yaml").write_text(MAPPING)
    (tmp_path / "seizures.csv").write_text(rows)
    return tmp_path / "seizures.csv", tmp_path / "map.yaml"


def test_parties_become_records_the_seizures_involve(world: Engine, tmp_path: Path) -> None:  # noqa: F811
    data, mapping = _files(tmp_path)
    done = _import(world, data, str(mapping), "wl_ke_sg_cases")
    assert done.seizures == 3 and done.result.schemata == {"Event": 3, "Person": 2, "Company": 1, "Vessel": 1}
    with Session(world) as session:
        rows = {
            row.caption: row
            for row in session.scalars(select(EntityRow).where(EntityRow.dataset == "wl_ke_sg_cases"))
        }
    vessel, bello = rows["KESTREL DAWN"], rows["Ahmed Bello"]
    seizures = [row for row in rows.values() if row.schema == "Event"]
    involving = {row.id for row in seizures if vessel.id in row.properties.get("involved", [])}
    assert len(involving) == 2
    assert all(bello.id in row.properties["involved"] for row in seizures if row.id in involving)
    around = graph.neighbourhood(
        world, access.identity_of(world, "wanjiru"), NOW, vessel.id, hops=2, purpose="case"
    )
    assert involving | {bello.id, rows["Lin Wei"].id, rows["Sino Trading Ltd"].id} <= set(around.graph)


def test_a_bad_party_mapping_or_name_is_refused(world: Engine, tmp_path: Path) -> None:  # noqa: F811
    data, mapping = _files(tmp_path)
    mapping.write_text(MAPPING.replace("Vessel: Vessel", "Aircraft: Vessel"))
    with pytest.raises(BadInput, match=r"parties.Aircraft: use one of Person, Company, Organization, Vessel"):
        _import(world, data, str(mapping), "wl_ke_sg_cases")
    data, mapping = _files(tmp_path, ROWS.replace("Lin Wei", "x" * 300))
    with pytest.raises(BadInput, match=r"line 2: field 'Person': a name of 300 characters"):
        _import(world, data, str(mapping), "wl_ke_sg_cases")


def test_a_watch_is_alerted_by_the_seizures_naming_him(world: Engine, tmp_path: Path) -> None:  # noqa: F811
    ana = access.identity_of(world, "ana")
    watches.add(world, ana, "Bello", {"schema": "Person", "properties": {"name": ["Ahmed Bello"]}}, 0.7, NOW)
    data, mapping = _files(tmp_path)
    _import(world, data, str(mapping), "wl_ke_sg_cases")
    found = [alert.detail for alert in alerts.list_alerts(world, ana) if alert.kind == "watch.hit"]
    assert [(detail["caption"], detail["dataset"]) for detail in found] == [("Ahmed Bello", "wl_ke_sg_cases")]
