"""CSV through a FollowTheMoney mapping file.

Strategy: the shipped agency example (12 people, 4 employers, 1 withdrawn row) pins what comes
out; the real FEBRL file pins scale and the strict date check on real bad dates; each bad input
is the example copied into tmp_path with one thing broken.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from liaison.errors import BadInput, NotFound
from liaison.ingest.base import MAX_VALUE_CHARS, Record
from liaison.ingest.csv_mapping import read_csv_mapping

FIXTURES = Path(__file__).parent / "fixtures"
PERSONS_CSV = FIXTURES / "agency_persons.csv"
PERSONS_MAPPING = FIXTURES / "agency_persons.mapping.yml"
FEBRL_MAPPING = FIXTURES / "febrl_persons.mapping.yml"


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return list(read_csv_mapping(PERSONS_CSV, PERSONS_MAPPING))


def by_schema(records: list[Record], schema: str) -> list[Record]:
    return [r for r in records if r.proxy.schema.name == schema]


def person(records: list[Record], person_id: str) -> Record:
    (found,) = [r for r in by_schema(records, "Person") if r.proxy.first("idNumber") == person_id]
    return found


def test_example_counts(records: list[Record]) -> None:
    # 13 rows, one withdrawn by `filters_not`; two people have no employer, so no
    # Company and no Employment on their rows.
    assert Counter(r.proxy.schema.name for r in records) == {"Person": 12, "Company": 10, "Employment": 10}
    assert len({r.proxy.id for r in by_schema(records, "Person")}) == 12
    # Each company is yielded once per row that names it, always with the same id.
    companies = Counter(r.proxy.first("name") for r in by_schema(records, "Company"))
    assert companies == {
        "Harbourline Freight Ltd": 4,
        "Baltic Amber Trading UAB": 2,
        "Sunrise Cold Storage Ltd": 2,
        "Mar Aberto Pescados Ltda": 2,
    }
    assert len({r.proxy.id for r in by_schema(records, "Company")}) == 4
    assert all(r.proxy.first("idNumber") != "P-013" for r in by_schema(records, "Person"))


def test_example_person_properties(records: list[Record]) -> None:
    maria = person(records, "P-001")
    assert maria.where == 2
    assert maria.proxy.get("name") == ["Maria Oyelaran"]
    assert maria.proxy.get("birthDate") == ["1978-04-12"]
    assert maria.proxy.get("nationality") == ["ng"]
    assert maria.proxy.get("passportNumber") == ["A01234567"]
    assert maria.proxy.get("phone") == ["+2348035550101"]
    # A year-only birth date stays a year; an empty one is simply absent.
    assert person(records, "P-002").proxy.get("birthDate") == ["1969"]
    assert person(records, "P-012").proxy.get("birthDate") == []


def test_example_links(records: list[Record]) -> None:
    ids = {r.proxy.id: r.proxy for r in records}
    links = by_schema(records, "Employment")
    for link in links:
        employee = ids[link.proxy.first("employee")]
        employer = ids[link.proxy.first("employer")]
        assert employee.schema.name == "Person"
        assert employer.schema.name == "Company"
        # The link comes from the same row as both ends.
        assert link.where == next(r.where for r in records if r.proxy is employee)
    jonas = person(records, "P-004").proxy
    (employment,) = [r.proxy for r in links if r.proxy.first("employee") == jonas.id]
    assert ids[str(employment.first("employer"))].get("name") == ["Baltic Amber Trading UAB"]
    assert employment.get("role") == ["Director"]
    assert employment.get("startDate") == ["2012-05"]


def test_febrl_persons(shared_data: Path) -> None:
    records = list(read_csv_mapping(shared_data / "febrl" / "dataset1.csv.gz", FEBRL_MAPPING))
    assert len(records) == 1000
    assert {r.proxy.schema.name for r in records} == {"Person"}
    assert len({r.proxy.id for r in records}) == 1000
    first = records[0].proxy
    assert first.id == "rec-223-org"
    assert first.get("lastName") == ["waller"]
    assert first.get("idNumber") == ["6988048"]


def test_febrl_invalid_birth_date_is_refused(shared_data: Path, tmp_path: Path) -> None:
    # FEBRL's real typos include impossible dates: line 146 holds 19371233.
    config = yaml.safe_load(FEBRL_MAPPING.read_text())
    config["febrl"]["query"]["entities"]["person"]["properties"]["birthDate"] = {
        "column": "date_of_birth",
        "format": "%Y%m%d",
    }
    mapping = tmp_path / "febrl_dob.yml"
    mapping.write_text(yaml.safe_dump(config))
    with pytest.raises(
        BadInput, match=r"dataset1\.csv\.gz:146: field 'date_of_birth': invalid date '19371233'"
    ):
        list(read_csv_mapping(shared_data / "febrl" / "dataset1.csv.gz", mapping))


def write_csv(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "agency.csv"
    if isinstance(text, str):
        text = text.encode("utf-8")
    path.write_bytes(text)
    return path


def example_lines() -> list[str]:
    return PERSONS_CSV.read_text(encoding="utf-8").splitlines(keepends=True)


def test_missing_mapped_column(tmp_path: Path) -> None:
    lines = [line.replace(",passport_no", ",passport") for line in example_lines()[:1]] + example_lines()[1:]
    path = write_csv(tmp_path, "".join(lines))
    with pytest.raises(BadInput, match=r"agency\.csv:1: field 'passport_no': .*missing"):
        list(read_csv_mapping(path, PERSONS_MAPPING))


def test_missing_filter_column(tmp_path: Path) -> None:
    lines = [line.rsplit(",", 1)[0] + "\n" for line in example_lines()]
    path = write_csv(tmp_path, "".join(lines))
    with pytest.raises(BadInput, match=r"agency\.csv:1: field 'record_status'"):
        list(read_csv_mapping(path, PERSONS_MAPPING))


def test_invalid_date_cell(tmp_path: Path) -> None:
    lines = example_lines()
    lines[3] = lines[3].replace("1985-11-30", "1985-02-30")
    path = write_csv(tmp_path, "".join(lines))
    with pytest.raises(BadInput, match=r"agency\.csv:4: field 'date_of_birth': invalid date '1985-02-30'"):
        list(read_csv_mapping(path, PERSONS_MAPPING))


def test_invalid_phone_is_dropped_leniently(tmp_path: Path) -> None:
    lines = example_lines()
    lines[1] = lines[1].replace("+234 803 555 0101", "call reception")
    path = write_csv(tmp_path, "".join(lines))
    maria = person(list(read_csv_mapping(path, PERSONS_MAPPING)), "P-001")
    assert maria.proxy.get("phone") == []


def test_latin1_bytes(tmp_path: Path) -> None:
    text = "".join(example_lines()).replace("Tanabe", "Tanab\u00e9").encode("latin-1")
    path = write_csv(tmp_path, text)
    with pytest.raises(BadInput, match=r"agency\.csv:6: not valid UTF-8 text"):
        list(read_csv_mapping(path, PERSONS_MAPPING))


def test_huge_field(tmp_path: Path) -> None:
    lines = example_lines()
    lines[2] = lines[2].replace("Tomasz", "T" * 10_000_000)
    path = write_csv(tmp_path, "".join(lines))
    with pytest.raises(BadInput, match=r"agency\.csv:3: .*field larger than field limit"):
        list(read_csv_mapping(path, PERSONS_MAPPING))


def test_joined_value_over_limit(tmp_path: Path) -> None:
    # Each cell fits, but the `join` of given and family name does not.
    half = "x" * (MAX_VALUE_CHARS // 2 + 10)
    lines = example_lines()
    lines[1] = lines[1].replace("Maria,Oyelaran", f"{half},{half}")
    path = write_csv(tmp_path, "".join(lines))
    with pytest.raises(BadInput, match=r"agency\.csv:2: field 'name': value of .* exceeds the limit"):
        list(read_csv_mapping(path, PERSONS_MAPPING))


def test_row_wider_than_header(tmp_path: Path) -> None:
    lines = example_lines()
    lines[5] = lines[5].rstrip("\n") + ",stray\n"
    path = write_csv(tmp_path, "".join(lines))
    with pytest.raises(
        BadInput, match=r"agency\.csv:6: field 13: the row has 13 fields, more than the 12 columns"
    ):
        list(read_csv_mapping(path, PERSONS_MAPPING))


def test_byte_order_mark_and_blank_lines(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "\ufeff" + "\n".join(example_lines()))
    assert len(list(read_csv_mapping(path, PERSONS_MAPPING))) == 32


def write_mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_invalid_yaml(tmp_path: Path) -> None:
    mapping = write_mapping(tmp_path, "agency:\n  queries: [\n    {entities: }\n  - oops\n")
    with pytest.raises(BadInput, match=r"mapping\.yml:\d+: not valid YAML"):
        list(read_csv_mapping(PERSONS_CSV, mapping))


def test_mapping_not_a_dict_of_datasets(tmp_path: Path) -> None:
    mapping = write_mapping(tmp_path, "- just\n- a list\n")
    with pytest.raises(BadInput, match=r"mapping\.yml: a mapping file is a dict of datasets"):
        list(read_csv_mapping(PERSONS_CSV, mapping))


def test_unknown_schema(tmp_path: Path) -> None:
    text = PERSONS_MAPPING.read_text().replace("schema: Person", "schema: Persn")
    with pytest.raises(
        BadInput, match=r"mapping\.yml: field 'agency_persons': not a valid FtM mapping: .*Persn"
    ):
        list(read_csv_mapping(PERSONS_CSV, write_mapping(tmp_path, text)))


def test_unknown_property(tmp_path: Path) -> None:
    text = PERSONS_MAPPING.read_text().replace("passportNumber:", "passportNo:")
    with pytest.raises(BadInput, match=r"mapping\.yml: .*Invalid property: passportNo"):
        list(read_csv_mapping(PERSONS_CSV, write_mapping(tmp_path, text)))


def test_link_to_wrong_schema(tmp_path: Path) -> None:
    text = PERSONS_MAPPING.read_text().replace("entity: company", "entity: person")
    with pytest.raises(
        BadInput, match=r"mapping\.yml: .*must be a <Schema\('Organization'\)> \(not Person\)"
    ):
        list(read_csv_mapping(PERSONS_CSV, write_mapping(tmp_path, text)))


def test_missing_csv(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"nothing\.csv: file does not exist"):
        list(read_csv_mapping(tmp_path / "nothing.csv", PERSONS_MAPPING))


def test_missing_mapping(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"nothing\.yml: file does not exist"):
        list(read_csv_mapping(PERSONS_CSV, tmp_path / "nothing.yml"))
