"""The UK sanctions list reader, against the real tables in shared data.

Strategy: read the real directory once per module and check chosen subjects against the CSV
rows they come from; damage a copy in tmp_path for each structural error.
"""

from __future__ import annotations

import csv
import gzip
import shutil
from collections import Counter
from pathlib import Path

import pytest
from followthemoney.proxy import EntityProxy

from liaison.errors import BadInput, NotFound
from liaison.ingest.base import MAX_VALUE_CHARS, Record
from liaison.ingest.uk import AUTHORITY, read_uk


@pytest.fixture(scope="module")
def shipped(shared_data: Path) -> Path:
    """The UK tables as the repository ships them, gzipped."""
    return shared_data / "watchlists" / "uk"


@pytest.fixture(scope="module")
def uk_dir(shipped: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same tables unpacked, for tests that read or edit them as text."""
    target = tmp_path_factory.mktemp("uk")
    for path in shipped.glob("*.csv.gz"):
        (target / path.name.removesuffix(".gz")).write_bytes(gzip.decompress(path.read_bytes()))
    return target


@pytest.fixture(scope="module")
def records(shipped: Path) -> list[Record]:
    return list(read_uk(shipped))


def test_the_unpacked_tables_read_the_same(records: list[Record], uk_dir: Path) -> None:
    unpacked = list(read_uk(uk_dir))
    assert [r.proxy.to_dict() for r in unpacked] == [r.proxy.to_dict() for r in records]


@pytest.fixture(scope="module")
def by_id(records: list[Record]) -> dict[str, EntityProxy]:
    return {record.proxy.id: record.proxy for record in records}


@pytest.fixture
def uk_copy(uk_dir: Path, tmp_path: Path) -> Path:
    target = tmp_path / "uk"
    shutil.copytree(uk_dir, target)
    for path in target.iterdir():
        path.chmod(0o644)  # the shared copies are read-only
    return target


def table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def replace_in_line(path: Path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


def test_every_subject_with_its_schema(records: list[Record], uk_dir: Path) -> None:
    expected = Counter(row["subject_type"] for row in table(uk_dir / "subjects.csv"))
    schemas = Counter(record.proxy.schema.name for record in records)
    assert sum(expected.values()) == 6046
    assert schemas["Person"] == expected["individual"]
    assert schemas["Organization"] == expected["entity"]
    assert schemas["Vessel"] == expected["ship"]


def test_ids_are_unique_and_stable(records: list[Record], by_id: dict[str, EntityProxy]) -> None:
    assert len(by_id) == len(records)
    assert "uk-AFG0006" in by_id
    assert next(r.where for r in records if r.proxy.id == "uk-AFG0006") == 7  # its line in subjects.csv


def test_names_follow_the_names_table(by_id: dict[str, EntityProxy], uk_dir: Path) -> None:
    rows = [row for row in table(uk_dir / "subject_names.csv") if row["unique_id"] == "AQD0164"]
    weak = {row["full_name"] for row in rows if row["alias_strength"] == "low_quality_aka"}
    person = by_id["uk-AQD0164"]
    assert set(person.get("name")) == {row["full_name"] for row in rows if row["name_type"] == "primary"}
    assert set(person.get("weakAlias")) == weak == {"Mustafa"}
    assert (
        set(person.get("alias")) == {row["full_name"] for row in rows if row["name_type"] != "primary"} - weak
    )
    assert "Ali Barkani" in person.get("alias")


def test_name_parts_of_individuals(by_id: dict[str, EntityProxy]) -> None:
    person = by_id["uk-AFG0006"]  # MOHAMMAD HASSAN AKHUND: Name 1, Name 2, Name 6
    assert person.get("firstName") == ["MOHAMMAD"]
    assert person.get("middleName") == ["HASSAN"]
    assert person.get("lastName") == ["AKHUND"]
    assert by_id["uk-AFG0001"].get("firstName", quiet=True) == []


def test_birth_dates_keep_their_precision(by_id: dict[str, EntityProxy]) -> None:
    assert {"1967-01-01", "1968"} <= set(by_id["uk-AFG0006"].get("birthDate"))
    assert "1958-09" in by_id["uk-AQD0164"].get("birthDate")


def test_countries_by_type(by_id: dict[str, EntityProxy]) -> None:
    person = by_id["uk-AFG0006"]
    assert person.get("nationality") == ["af"]
    assert person.get("birthCountry") == ["af"]
    # Kosovo has no iso in the table; its name is looked up instead.
    assert by_id["uk-GAC0031"].get("birthCountry") == ["xk"]
    assert by_id["uk-GAC0031"].get("nationality") == ["rs"]


def test_passport_and_national_id(by_id: dict[str, EntityProxy]) -> None:
    numbers = {"EN183928": "zw", "FN920256": "zw", "VUK491921": "ca"}  # additional_info: the country
    assert set(by_id["uk-GAC0023"].get("passportNumber")) == set(numbers)
    passports = [
        p for p in by_id.values() if p.schema.name == "Passport" and p.get("holder") == ["uk-GAC0023"]
    ]
    assert {p.first("number"): p.first("country") for p in passports} == numbers
    assert set(by_id["uk-AFG0012"].get("idNumber")) == {"2132370", "812673"}
    ids = [
        p for p in by_id.values() if p.schema.name == "Identification" and p.get("holder") == ["uk-AFG0012"]
    ]
    assert len(ids) == 2
    assert all("tazkira" in p.first("summary") for p in ids)


def test_imo_number_on_vessel(by_id: dict[str, EntityProxy]) -> None:
    vessel = by_id["uk-DPR0076"]
    assert vessel.schema.name == "Vessel"
    assert vessel.get("imoNumber") == ["IMO8628597"]


def test_one_sanction_per_subject(records: list[Record], by_id: dict[str, EntityProxy]) -> None:
    sanctions = [r.proxy for r in records if r.proxy.schema.name == "Sanction"]
    assert len(sanctions) == 6046
    assert {s.first("entity") for s in sanctions} == {
        r.proxy.id for r in records if r.proxy.schema.name in ("Person", "Organization", "Vessel")
    }
    sanction = by_id["uk-sanction-AFG0001"]
    assert sanction.get("authority") == [AUTHORITY]
    assert sanction.get("authorityId") == ["AFG0001"]
    assert sanction.get("programId") == ["AFG"]
    assert sanction.get("program") == ["Afghanistan"]
    assert sanction.get("unscId") == ["TAe.010"]
    assert sanction.get("listingDate") == sanction.get("startDate") == ["2012-06-29"]
    assert sanction.get("modifiedAt") == ["2026-04-16"]
    assert by_id["uk-AFG0001"].get("topics") == ["sanction"]


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="does not exist"):
        read_uk(tmp_path / "nowhere")


def test_missing_file(uk_copy: Path) -> None:
    (uk_copy / "subject_dobs.csv").unlink()
    with pytest.raises(BadInput, match=r"subject_dobs\.csv: required file"):
        read_uk(uk_copy)


def test_missing_column(uk_copy: Path) -> None:
    path = uk_copy / "subjects.csv"
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    drop = rows[0].index("date_designated")
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([cell for i, cell in enumerate(row) if i != drop] for row in rows)
    with pytest.raises(BadInput, match=r"subjects\.csv:1: field 'date_designated': required column"):
        list(read_uk(uk_copy))


def test_invalid_designation_date(uk_copy: Path) -> None:
    replace_in_line(uk_copy / "subjects.csv", 3, "29/06/2012", "31/02/2012")
    with pytest.raises(BadInput, match=r"subjects\.csv:3: field 'date_designated': not a dd/mm/yyyy date"):
        list(read_uk(uk_copy))


def test_wrong_encoding(uk_copy: Path) -> None:
    path = uk_copy / "subject_names.csv"
    path.write_bytes(path.read_bytes().replace(b"Haji Alim Hawala", "Hají Alim Hawala".encode("latin-1")))
    with pytest.raises(BadInput, match=r"subject_names\.csv:\d+: not valid UTF-8 text"):
        list(read_uk(uk_copy))


def test_oversized_value(uk_copy: Path) -> None:
    replace_in_line(uk_copy / "subject_names.csv", 3, "Haji Alim Hawala", "x" * (MAX_VALUE_CHARS + 1))
    with pytest.raises(BadInput, match=r"subject_names\.csv:3: "):
        list(read_uk(uk_copy))


def test_unknown_subject_type(uk_copy: Path) -> None:
    replace_in_line(uk_copy / "subjects.csv", 2, ",entity,", ",aircraft,")
    with pytest.raises(BadInput, match=r"subjects\.csv:2: field 'subject_type'"):
        list(read_uk(uk_copy))


def test_child_row_without_subject(uk_copy: Path) -> None:
    with (uk_copy / "subject_dobs.csv").open("a", encoding="utf-8") as handle:
        handle.write("9999,ZZZ0001,1970,,,year_only,\n")
    with pytest.raises(BadInput, match=r"subject_dobs\.csv:3540: field 'unique_id': 'ZZZ0001'"):
        list(read_uk(uk_copy))
