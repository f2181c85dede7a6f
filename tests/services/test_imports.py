"""Imports on both backends: real FtM files in, the same entities out, bad input changes nothing."""

from __future__ import annotations

import datetime as dt
import gzip
import io
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine

from liaison import ingest
from liaison.errors import BadInput, Conflict, Forbidden, NotFound
from liaison.ingest.ftm import read_ftm
from liaison.model import Agency, Envelope, Handling, Identity
from liaison.services.sharing import catalog
from liaison.services.sharing.imports import import_records

OPERATOR = Identity.operator()
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)


def envelope(dataset: str, owner: str = "NCB-FR", handling: Handling = Handling.GREEN) -> Envelope:
    return Envelope(owner, dataset, handling, "screening", dt.date(2031, 11, 23), ("country:es",))


def run_import(engine: Engine, path: Path, dataset: str, kind: str = "ftm") -> int:
    result = import_records(
        engine,
        ingest.read(kind, path),
        envelope=envelope(dataset),
        title=dataset,
        kind=kind,
        source=str(path),
        now=NOW,
        batch_size=50,
    )
    return result.records


def source_entities(path: Path) -> dict[str, dict[str, object]]:
    return {data["id"]: data for data in map(orjson.loads, gzip.decompress(path.read_bytes()).splitlines())}


def test_ftm_import_keeps_every_entity_with_its_envelope(
    engine: Engine, agency: Agency, shared_data: Path
) -> None:
    path = shared_data / "ftm" / "parteispenden.entities.ftm.json.gz"
    expected = source_entities(path)
    assert run_import(engine, path, "parteispenden") == len(expected) == 475

    counts = catalog.stats(engine, OPERATOR)["parteispenden"]
    wanted: dict[str, int] = {}
    for data in expected.values():
        wanted[str(data["schema"])] = wanted.get(str(data["schema"]), 0) + 1
    assert counts == wanted

    some_id = next(iter(expected))
    [stored] = catalog.show(engine, some_id, OPERATOR, NOW)
    assert stored.proxy.schema.name == expected[some_id]["schema"]
    assert stored.envelope.owner_agency == "NCB-FR"
    assert stored.envelope.handling is Handling.GREEN
    assert stored.envelope.releasability == ("country:es",)
    assert stored.envelope.retention_review == dt.date(2031, 11, 23)
    assert stored.provenance.startswith(f"{path}:")


def test_relationships_are_imported(engine: Engine, agency: Agency, shared_data: Path) -> None:
    path = shared_data / "ftm" / "zala.entities.ftm.json.gz"
    run_import(engine, path, "zala")
    schemata = catalog.stats(engine, OPERATOR)["zala"]
    links = {
        name: count
        for name, count in schemata.items()
        if name in {"Ownership", "Directorship", "Family", "Payment", "Sanction"}
    }
    assert links, f"no relationship schemata in {schemata}"


def test_reimport_does_not_duplicate(engine: Engine, agency: Agency, shared_data: Path) -> None:
    path = shared_data / "ftm" / "zala.entities.ftm.json.gz"
    run_import(engine, path, "zala")
    first = catalog.stats(engine, OPERATOR)
    run_import(engine, path, "zala")
    assert catalog.stats(engine, OPERATOR) == first


def test_export_then_import_gives_back_the_same_entities(
    engine: Engine, agency: Agency, shared_data: Path, tmp_path: Path
) -> None:
    path = shared_data / "ftm" / "zala.entities.ftm.json.gz"
    run_import(engine, path, "zala")
    exported = tmp_path / "zala.ftm.json"
    with exported.open("wb") as handle:
        catalog.export_ftm(engine, "zala", handle, OPERATOR, NOW)
    run_import(engine, exported, "zala_copy")
    again = io.BytesIO()
    catalog.export_ftm(engine, "zala_copy", again, OPERATOR, NOW)
    assert again.getvalue() == exported.read_bytes()
    originals = {proxy.id: proxy.to_dict()["properties"] for proxy in (r.proxy for r in read_ftm(path))}
    copies = {
        data["id"]: data["properties"] for data in map(orjson.loads, exported.read_bytes().splitlines())
    }
    assert copies == originals


def test_fragments_of_one_entity_across_batches_are_merged(
    engine: Engine, agency: Agency, tmp_path: Path
) -> None:
    lines = [{"id": "p1", "schema": "Person", "properties": {"name": [f"Name {i}"]}} for i in range(120)]
    path = tmp_path / "fragments.ftm.json"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    run_import(engine, path, "fragments")
    [stored] = catalog.show(engine, "p1", OPERATOR, NOW)
    assert len(stored.proxy.get("name")) == 120


BAD_LINES = {
    "unknown schema": ({"id": "x", "schema": "Wizard", "properties": {}}, "schema"),
    "unknown property": ({"id": "x", "schema": "Person", "properties": {"spell": ["fire"]}}, "spell"),
    "invalid date": (
        {"id": "x", "schema": "Person", "properties": {"birthDate": ["1970-13-45"]}},
        "birthDate",
    ),
    "huge field": ({"id": "x", "schema": "Person", "properties": {"notes": ["a" * 10_000_000]}}, "notes"),
    "no id": ({"schema": "Person", "properties": {}}, "id"),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_bad_ftm_line_is_refused_and_nothing_is_written(
    engine: Engine, agency: Agency, tmp_path: Path, case: str
) -> None:
    bad, field = BAD_LINES[case]
    good = [{"id": f"ok{i}", "schema": "Person", "properties": {"name": [f"Person {i}"]}} for i in range(100)]
    path = tmp_path / "bad.ftm.json"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in [*good, bad]))
    with pytest.raises(BadInput) as error:
        run_import(engine, path, "bad")
    assert f"{path}:101" in str(error.value)
    assert f"'{field}'" in str(error.value)
    assert catalog.stats(engine, OPERATOR) == {}
    assert catalog.datasets(engine, OPERATOR) == []


def test_wrong_encoding_is_refused_with_its_line(engine: Engine, agency: Agency, tmp_path: Path) -> None:
    path = tmp_path / "latin1.ftm.json"
    path.write_bytes(
        b'{"id": "a", "schema": "Person", "properties": {"name": ["Ok"]}}\n'
        + '{"id": "b", "schema": "Person", "properties": {"name": ["Jos\u00e9"]}}\n'.encode("latin-1")
    )
    with pytest.raises(BadInput, match=r"latin1.ftm.json:2: not valid UTF-8"):
        run_import(engine, path, "enc")
    assert catalog.stats(engine, OPERATOR) == {}


def test_missing_file_is_named(engine: Engine, agency: Agency, tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"nope\.json: file does not exist"):
        run_import(engine, tmp_path / "nope.json", "missing")


def test_unknown_agency_is_refused(engine: Engine, shared_data: Path) -> None:
    with pytest.raises(NotFound, match="agency 'NCB-FR' is not registered"):
        run_import(engine, shared_data / "ftm" / "t1.entities.ftm.json.gz", "t1")


def test_another_agencys_dataset_is_refused(engine: Engine, agency: Agency, shared_data: Path) -> None:
    path = shared_data / "ftm" / "t1.entities.ftm.json.gz"
    run_import(engine, path, "t1")
    from liaison.model import AgencyKind
    from liaison.services.accounts.agencies import register

    register(engine, Agency("NCB-ES", "INTERPOL NCB Madrid", "ES", AgencyKind.NCB))
    with pytest.raises(Conflict, match="belongs to agency 'NCB-FR'"):
        import_records(
            engine,
            read_ftm(path),
            envelope=envelope("t1", owner="NCB-ES"),
            title="t1",
            kind="ftm",
            source=str(path),
            now=NOW,
        )


def test_a_member_names_new_datasets_in_its_namespace_and_learns_nothing_of_others(
    engine: Engine, agency: Agency, shared_data: Path
) -> None:
    from liaison.model import AgencyKind, Role
    from liaison.services.accounts.agencies import register

    register(engine, Agency("NCB-ES", "INTERPOL NCB Madrid", "ES", AgencyKind.NCB))
    path = shared_data / "ftm" / "t1.entities.ftm.json.gz"
    hidden = envelope("fr_red_cases", handling=Handling.RED)
    import_records(engine, read_ftm(path), envelope=hidden, title="t", kind="ftm", source="t", now=NOW)
    ines = Identity.member("ines", "NCB-ES", "es", Role.ANALYST)

    def refusal(dataset: str) -> str:
        with pytest.raises(Forbidden) as refused:
            import_records(
                engine,
                read_ftm(path),
                envelope=envelope(dataset, owner="NCB-ES"),
                title=dataset,
                kind="ftm",
                source=str(path),
                now=NOW,
                identity=ines,
            )
        return str(refused.value).replace(dataset, "<name>")

    # NCB-FR's RED dataset, a free name, a name in NCB-FR's namespace: one refusal, naming no owner.
    answers = {refusal(name) for name in ("fr_red_cases", "es_free_name", "ncb_fr_free_name")}
    assert answers == {
        "dataset '<name>' is not one of NCB-ES's: write into one of its datasets, or start the name "
        "of a new one with 'ncb_es_'"
    }
    assert {summary.name for summary in catalog.datasets(engine, OPERATOR)} == {"fr_red_cases"}
    own = envelope("ncb_es_cases", owner="NCB-ES")
    import_records(
        engine, read_ftm(path), envelope=own, title="t", kind="ftm", source="t", now=NOW, identity=ines
    )
    import_records(
        engine, read_ftm(path), envelope=own, title="t", kind="ftm", source="t", now=NOW, identity=ines
    )
    # The operator names datasets freely, but never one in an agency's namespace for another.
    with pytest.raises(BadInput, match=r"'ncb_es_lists' is named in NCB-ES's namespace.*'ncb_fr_'"):
        run_import(engine, path, "ncb_es_lists")


BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
HASANZADEH = "\u062d\u0633\u0646\u200c\u0632\u0627\u062f\u0647"  # its parts joined by a ZWNJ


def test_imported_names_keep_no_bidi_control_but_keep_zwnj(
    engine: Engine, agency: Agency, tmp_path: Path
) -> None:
    lines = [
        {
            "id": "p-spoof",
            "schema": "Person",
            "properties": {
                "name": ["\u202eazzaB ilA\u202c"],
                "alias": ["Ali\u200b Bazza\u2066\u2069"],
                "firstName": ["\u2067Ali\u2069"],
                "lastName": ["Bazza\ufeff"],
                "weakAlias": [BIDI],
            },
        },
        {"id": "p-fa", "schema": "Person", "properties": {"name": [f"\u200f{HASANZADEH}"]}},
        {"id": "c-zwj", "schema": "Company", "properties": {"name": ["\u0d15\u0d4d\u200d\u0d37 Traders"]}},
    ]
    path = tmp_path / "spoof.ftm.json"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    run_import(engine, path, "spoof")
    stored = {
        entity_id: catalog.show(engine, entity_id, OPERATOR, NOW)[0].proxy
        for entity_id in ("p-spoof", "p-fa", "c-zwj")
    }
    spoof = stored["p-spoof"]
    assert spoof.get("name") == ["azzaB ilA"] and spoof.get("alias") == ["Ali Bazza"]
    assert spoof.get("firstName") == ["Ali"] and spoof.get("lastName") == ["Bazza"]
    assert spoof.get("weakAlias") == []  # nothing but controls: no name at all
    assert stored["p-fa"].get("name") == [HASANZADEH]
    assert stored["c-zwj"].get("name") == ["\u0d15\u0d4d\u200d\u0d37 Traders"]
    for proxy in stored.values():
        for prop in ("name", "alias", "firstName", "lastName", "weakAlias"):
            assert not any(char in BIDI for value in proxy.get(prop, quiet=True) for char in value)


def test_a_mapped_csv_loses_bidi_controls_in_names_and_name_parts(
    engine: Engine, agency: Agency, tmp_path: Path
) -> None:
    fixtures = Path(__file__).parents[1] / "ingest" / "fixtures"
    text = (fixtures / "agency_persons.csv").read_text(encoding="utf-8")
    path = tmp_path / "agency.csv"
    path.write_text(text.replace("Maria,Oyelaran", "\u202eMaria,Oyelaran\u2069"), encoding="utf-8")
    records = ingest.read("csv", path, fixtures / "agency_persons.mapping.yml")
    import_records(
        engine,
        records,
        envelope=envelope("fr_persons"),
        title="fr_persons",
        kind="csv",
        source=str(path),
        now=NOW,
    )
    exported = io.BytesIO()
    catalog.export_ftm(engine, "fr_persons", exported, OPERATOR, NOW)
    (maria,) = [
        data["properties"]
        for data in map(orjson.loads, exported.getvalue().splitlines())
        if data["schema"] == "Person" and data["properties"].get("idNumber") == ["P-001"]
    ]
    assert maria["name"] == ["Maria Oyelaran"]
    assert maria["firstName"] == ["Maria"] and maria["lastName"] == ["Oyelaran"]
