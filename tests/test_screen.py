"""`liaison screen` end to end: real UN list, queries in several scripts, bad rows and bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import Cli


@pytest.fixture
def listed(database_url: str, shared_data: Path) -> Cli:
    cli = Cli(database_url)
    cli("init")
    cli("agency", "add", "NCB-FR", "--name", "INTERPOL NCB Paris", "--country", "FR", "--kind", "ncb")
    un = shared_data / "watchlists/un/un_consolidated_2026-02-27.xml.gz"
    cli("import", "un-xml", str(un), "--dataset", "un_sc", "--agency", "NCB-FR")
    return cli


QUERIES = """name,birth_date,nationality,gender,id_number,schema
Sadam Husein al-Tikriti,1937,iq,male,,
صدام حسين التكريتي,,,,,
John Smith,1980-01-01,gb,,,
,1970,,,,
Someone,1970-13-45,,,,
Eric Badege,1971,cd,,,
Saddam Hussein al-Tikriti,1990,,,,
"""


def test_screen_json_gives_one_object_per_row_in_order(listed: Cli, tmp_path: Path) -> None:
    queries = tmp_path / "travellers.csv"
    queries.write_text(QUERIES, encoding="utf-8")
    run = listed.run("screen", str(queries), "--against", "un_sc", "--format", "json", code=3)
    assert "1 of 7 rows could not be screened" in run.stderr  # only the row without a name
    result = json.loads(run.stdout)
    assert [row["row"] for row in result] == [1, 2, 3, 4, 5, 6, 7]
    by_row = {row["row"]: row for row in result}
    assert by_row[1]["matches"][0]["entity_id"] == "un-sc-6908048"
    assert by_row[1]["matches"][0]["score"] >= 0.7
    assert "name_similarity" in by_row[1]["matches"][0]["features"]
    assert by_row[2]["matches"][0]["entity_id"] == "un-sc-6908048"  # Arabic script query
    assert by_row[3]["matches"] == []
    assert "row 4" in by_row[4]["error"] and "'name'" in by_row[4]["error"]
    # A date that is no date is screened without (its year is still read): the row is not lost.
    assert "error" not in by_row[5]
    assert by_row[5]["notes"] == [
        "row 5 (line 6): field 'birth_date': invalid date '1970-13-45', read as '1970'"
    ]
    assert by_row[6]["matches"][0]["entity_id"] == "un-sc-6907993"
    # Same name, birth year 53 years off: below the threshold.
    assert all(match["entity_id"] != "un-sc-6908048" for match in by_row[7]["matches"])
    for row in result:
        scores = [match["score"] for match in row["matches"]]
        assert scores == sorted(scores, reverse=True) and all(score >= 0.7 for score in scores)


def test_screen_threshold_and_limit(listed: Cli, tmp_path: Path) -> None:
    queries = tmp_path / "q.csv"
    queries.write_text("name\nSaddam Hussein\n", encoding="utf-8")
    loose = json.loads(
        listed("screen", str(queries), "--threshold", "0.2", "--limit", "3", "--format", "json")
    )
    assert 1 <= len(loose[0]["matches"]) <= 3
    assert all(match["score"] >= 0.2 for match in loose[0]["matches"])
    assert "un-sc-6908048" in {match["entity_id"] for match in loose[0]["matches"]}
    strict = json.loads(listed("screen", str(queries), "--limit", "3", "--format", "json"))
    assert strict[0]["matches"] == []


def test_screen_csv_and_table_formats(listed: Cli, tmp_path: Path) -> None:
    queries = tmp_path / "q.csv"
    queries.write_text("name,birth_date\nEric Badege,1971\n", encoding="utf-8")
    lines = listed("screen", str(queries), "--format", "csv").strip().splitlines()
    assert lines[0].startswith("row,query_name,error,entity_id")
    assert "un-sc-6907993" in lines[1]
    assert "ERIC BADEGE" in listed("screen", str(queries), "--format", "table")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"full_name,dob\nEric Badege,1971\n", "no 'name' column"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not valid UTF-8"),
    ],
)
def test_unreadable_files_are_refused(listed: Cli, tmp_path: Path, content: bytes, message: str) -> None:
    queries = tmp_path / "bad.csv"
    queries.write_bytes(content)
    assert message in listed("screen", str(queries), code=3)


def test_unknown_dataset_is_named(listed: Cli, tmp_path: Path) -> None:
    queries = tmp_path / "q.csv"
    queries.write_text("name\nx\n", encoding="utf-8")
    assert "'nope'" in listed("screen", str(queries), "--against", "nope", code=4)


def test_hostile_names_do_not_crash(listed: Cli, tmp_path: Path) -> None:
    queries = tmp_path / "q.csv"
    queries.write_text(
        "name\n" + "A" * 10_000 + "\n\x07\x1b[31m\nОлександр Petrenko 毛泽东\n", encoding="utf-8"
    )
    result = json.loads(listed("screen", str(queries), "--format", "json"))
    assert len(result) == 3
